#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau migrate (issue 17): an SQLite bureau database with gaps,
# priority copies, platform verdicts and a contradiction alert copied into
# another (an SQLite file; PostgreSQL with SENTINEL_BUREAU_DB=postgresql,
# test-bureau-pg.sh), every count and chain hash checked: the same
# devices (home, revocation), entries, alerts and acknowledgements read
# from both; run again,
# nothing copied twice; a target holding a gate under another key, or more
# entries than the source, is refused naming the gate.
. tests/scenario/lib.sh
bureau_begin test-bureau-migrate
"$BB" keys init --key "$K" >/dev/null || fail "keys init"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --devices 3 --entries 300 \
	--per-bundle 100 --priority >/dev/null || fail "gen_bundles"
for d in gate-001 gate-002 gate-003; do
	"$BB" --db src.db register --device $d --pub keys/$d.key.pub >/dev/null || fail "register $d"
done
printf '#!/bin/sh\ncase "$(cat)" in *tok113) echo red ;; *) echo green ;; esac\n' >platform.sh
chmod +x platform.sh
mkdir in && cp stage/gate-001-1-100-* stage/gate-001-201-300-* stage/gate-002-* stage/gate-003-5-95-priority.snb in/
"$BB" --db src.db --key "$K" --platform-cmd "$T/platform.sh" import in >/dev/null || fail "import"
DST=$(bureau_db dst) || exit 1
want="gate-001: entries 200 copies 0 verdicts 20 hashes checked 200
gate-002: entries 300 copies 30 verdicts 30 hashes checked 330
gate-003: entries 0 copies 10 verdicts 0 hashes checked 10
migrated src.db to $DST: 3 devices, 500 entries, 40 copies, 50 verdicts, 1 alert; counts and 540 chain hashes checked"
"$BB" --db src.db devices revoke --device gate-001 --reason "board replaced" >/dev/null || fail "revoke"
out=$("$BB" migrate --from src.db --to "$DST" 2>&1)
expect_eq "migrate: exit" "$?" "0"
expect_eq "migrate" "$out" "$want"
# (unsynced_s counts seconds to now: read at two moments it may differ.)
expect_eq "devices --json: the same from both" "$("$BB" --db "$DST" devices --json | jq -c 'del(.unsynced_s)')" \
	"$("$BB" --db src.db devices --json | jq -c 'del(.unsynced_s)')"
for c in alerts "entries --device gate-001 --json" "entries --device gate-002 --json"; do
	# shellcheck disable=SC2086
	expect_eq "$c: the same from both" "$("$BB" --db "$DST" $c)" "$("$BB" --db src.db $c)"
done
mkdir o1 o2
expect_eq "the copy's ack equals the source's" \
	"$("$BB" --db "$DST" ack --key "$K" --device gate-002 --output o1 | sed -n 1p)" \
	"$("$BB" --db src.db ack --key "$K" --device gate-002 --output o2 | sed 's/o2/o1/' | sed -n 1p)"
out=$("$BB" migrate --from src.db --to "$DST" 2>&1)
expect_eq "migrate again: exit" "$?" "0"
expect_eq "migrate again: the same, nothing twice" "$out" "$want"
expect_eq "migrate again: entries held once" \
	"$(bureau_sql "$DST" "SELECT count(*), count(DISTINCT dev * 1000000 + seq) FROM entries")" "500|500"

# A target that disagrees: a gate under another key; more entries than the source.
BAD=$(bureau_db bad) || exit 1
"$BB" --db "$BAD" register --device gate-002 --pub keys/gate-003.key.pub >/dev/null || fail "register bad"
out=$("$BB" migrate --from src.db --to "$BAD" 2>&1)
expect_eq "another key: exit" "$?" "1"
expect_eq "another key" "$(printf '%s\n' "$out" | tail -n 1)" \
	"sentinel-bureau: migrate: device gate-002 is registered with another key (kid differs); use --replace"
MORE=$(bureau_db more) || exit 1
"$BB" --db "$MORE" register --device gate-003 --pub keys/gate-003.key.pub >/dev/null || fail "register more"
mkdir in2 && cp stage/gate-003-1-100-regular.snb in2/
"$BB" --db "$MORE" --key "$K" import in2 >/dev/null || fail "import more"
out=$("$BB" migrate --from src.db --to "$MORE" 2>&1)
expect_eq "more in the target: exit" "$?" "1"
expect_eq "more in the target" "$(printf '%s\n' "$out" | tail -n 1)" \
	"sentinel-bureau: migrate: device gate-003: counts differ (entries 0/100, copies 10/10, highest seq 95/100)"
out=$("$BB" migrate --from src.db --to src.db 2>&1)
expect_eq "the same database: exit" "$?" "2"
out=$("$BB" migrate --from "$T/none.db" --to "$DST" 2>&1)
expect_eq "no source: exit" "$?" "1"
finish
