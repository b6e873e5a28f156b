#!/bin/sh
# SPDX-License-Identifier: MIT
# A new rule set reaches the running gate by stick with no signal to the
# daemon (issue 16): the bureau signs version 2 (open mode) with
# `policy sign --db`, which makes it the current set of the home; `export`
# puts it on the stick for the gate registered with `--home`; the gate's
# `sentinelctl sync usb` installs it while sentineld runs under version 1
# (closed mode), and the daemon takes it up before the next visitor: it
# notices the change of [rules] dir between visits and logs what changed.
#
# Timing: as in test-rules-reload.sh, the scenario raises SIGSTOP on the
# daemon in the middle of visitor 1's visit (the board's `signal stop`), so
# the sync runs while the daemon is frozen at a known point; SIGCONT only
# lets it go on (no SIGHUP, nothing the daemon reads).
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-rules-stick: $B/sentinel-bureau not built: skipped"; exit 77; }
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }
ctl=$B/sentinelctl
bur() { "$B/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" "$@"; }

for n in 1 2; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/g$n.png" \
		"https://hc.example.cn/code?region=110105&t=StickRules$n" || fail "qrencode"
done
# Two rule sets for the home, valid for years from the scenario's start (2026-11-29).
rules_json() { # VERSION MODE
	printf '{"v": 2, "home": "阳光养老院", "version": %s, "mode": "%s", "fever_threshold_mdc": 37300,
 "colours": ["green"], "formats": ["healthcode"], "max_visitors": 5, "risk_regions": [],
 "staff": [], "max_test_age_days": 7, "valid_from": "2026-11-28T00:00:00Z",
 "valid_until": "2036-01-01T00:00:00Z", "hard_limit_ms": 604800000, "issued": "2026-11-28T08:00:00Z"}\n' "$1" "$2"
}
rules_json 1 closed >"$T/rules-v1.json"
rules_json 2 open >"$T/rules-v2.json"

cat >"$T/q.scn" <<SCN
# 1 under version 1 (closed): refer.  A cold forehead first; at the second
#   reading the daemon is frozen and the test syncs the stick.
$(frozen_visit "$T/g1.png")
# 2 under version 2 (open): admit
$(visit "$T/g2.png" 36.5)
SCN
write_rules_conf "$T/g" "$T/q.scn" "$T/bureau.key.pub" keys/device.key
"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
"$ctl" keys init --config "$T/g/gate.conf" >/dev/null || fail "gate keys init"
expect_eq "register with the home" \
	"$(bur register --device test-gate --pub "$T/g/keys/device.pub" --home 阳光养老院 | sed 1d)" \
	"test-gate serves home 阳光养老院"
bur policy sign --in "$T/rules-v1.json" --out "$T/rules-v1.cose" >/dev/null || fail "sign v1"
"$ctl" policy install --config "$T/g/gate.conf" --now 2026-11-29T00:00:00Z "$T/rules-v1.cose" \
	>/dev/null || fail "install v1"
expect_eq "policy sign --db records the set" \
	"$(bur policy sign --in "$T/rules-v2.json" --out "$T/rules-v2.cose")" \
	"rule set version 2 signed: $T/rules-v2.cose ($(wc -c <"$T/rules-v2.cose") bytes)
rule set version 2 recorded for home 阳光养老院: $T/bureau.db"
out=$(bur policy sign --in "$T/rules-v1.json" --out "$T/again.cose" 2>&1 >/dev/null)
expect_eq "an older set is not recorded: exit" "$?" "1"
expect_eq "an older set is not recorded" "$out" \
	"sentinel-bureau: policy: home '阳光养老院' has rule set version 2 already: version 1 is not newer: not recorded"

# The stick: the bureau's export for every gate, with the home's current set.
stick_sync_frozen "$T/g/gate.conf" rules 2 "$T/rules-v2.cose" \
	"  rule sets:         installed version 2 (was 1), fresh; sentineld applies it before the next visit"

expect_eq "the new set is taken up between visits 1 and 2" \
	"$(grep -oE 'start: rule set version [0-9]+|visit [0-9]+: entry [0-9]+|rules dir: .*' "$T/g/stderr")" \
	"start: rule set version 1
visit 1: entry 1
rules dir: rule set version 2 (open, fresh)
rules dir: rule set version 1 (closed) replaced by version 2 (open)
visit 2: entry 2"
expect_eq "decisions and rule set versions" \
	"$("$ctl" entries --db "$T/g/gate.db" --json | jq -r '[.seq, .decision, (.reasons | join(","))] | @tsv')
$(sqlite3 "$T/g/gate.db" "SELECT seq, json_extract(detail, '\$.rules.version') FROM entries ORDER BY seq")" \
	"1	refer	closed-mode,code-green,temp-normal
2	admit	code-green,temp-normal
1|1
2|2"
# A bureau database of schema version 3 (before homes and rule sets) is brought to the current version
# (8: revocation, key handovers, retention, personal records) when opened.
sqlite3 "$T/bureau.db" ".backup '$T/v1.db'" || fail "backup"
sqlite3 "$T/v1.db" "DROP INDEX entries_dev_time; ALTER TABLE devices DROP COLUMN revoked_reason;
	ALTER TABLE devices DROP COLUMN revoked_utc_ms; DROP TABLE rule_sets; ALTER TABLE devices DROP COLUMN home;
	DROP TABLE handovers; ALTER TABLE devices DROP COLUMN cut_seq; ALTER TABLE devices DROP COLUMN cut_hash;
	ALTER TABLE devices DROP COLUMN cut_time_utc_ms; DROP TABLE retentions; DROP TABLE personal;
	DROP TABLE personal_audit; ALTER TABLE entries DROP COLUMN birth_year; ALTER TABLE priority DROP COLUMN birth_year;
	ALTER TABLE devices DROP COLUMN n_entries; ALTER TABLE devices DROP COLUMN n_priority;
	ALTER TABLE devices DROP COLUMN ack_seq; PRAGMA user_version = 3" || fail "make a version 3 database"
"$B/sentinel-bureau" --db "$T/v1.db" devices >/dev/null || fail "devices on a version 3 database"
expect_eq "migrated to version 10" \
	"$(sqlite3 "$T/v1.db" "PRAGMA user_version; SELECT count(*) FROM rule_sets; SELECT quote(home) FROM devices;
	SELECT count(*) FROM handovers; SELECT count(*) FROM retentions; SELECT count(*) FROM personal")" \
	"10
0
NULL
0
0
0"
expect_eq "the log records the set taken" \
	"$(sqlite3 "$T/g/gate.db" "SELECT detail FROM events WHERE kind = 'rules' ORDER BY id")" \
	"version 1 (closed)
version 2 (open)"
finish
