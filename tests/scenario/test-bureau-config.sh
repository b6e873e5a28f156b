#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau --config FILE (conf.h, sentinel-bureau(8)): the section
# [bureau] gives the database (relative to the file's directory), the key,
# personal_days, the time zone, serve's listen and workers and the state
# directory; options on the command line override it; enrol takes the
# file's database and state_dir, trust sign its state_dir, policy sign its
# key.  Hostile files are refused naming file, line and key, and
# nothing is created: unknown keys and sections, a key outside [bureau],
# one given twice, bad values, a NUL byte, an overlong line, a directory, a
# missing file, --config without a file.  The commented sample
# (tools/bureau/bureau.conf, /etc/sentinel/bureau.conf of the package) loads as it is and changes nothing.
. tests/scenario/lib.sh
bureau_begin test-bureau-config
FIXR="$ROOT/tests/fixtures/rules"

"$BB" keys init --key "$K" >/dev/null || fail "keys init"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --devices 1 --entries 20 \
	--per-bundle 20 >/dev/null || fail "gen_bundles"
mkdir etc in && cp stage/*.snb in/
cat >etc/bureau.conf <<EOF
# the bureau of the tests
[bureau]
db = data/bureau.db   ; relative: below etc/
key = $K
personal_days = 5
timezone = UTC
listen = 127.0.0.1:0
workers = 2
EOF
mkdir etc/data
C="--config etc/bureau.conf"

# register and import: the database the file names, the key from the file.
out=$("$BB" $C register --device gate-001 --pub keys/gate-001.key.pub 2>&1)
expect_eq "register: exit" "$?" "0"
[ -f etc/data/bureau.db ] || fail "the database is not where the file puts it: $(ls -R etc)"
[ -e bureau.db ] && fail "a database in the working directory"
out=$("$BB" $C import in 2>&1)
expect_eq "import with the file's key: exit" "$?" "0"
expect_eq "import" "$out" "in/gate-001-1-20-regular.snb: device gate-001 entries 1-20 new 20 duplicate 0"
expect_eq "devices" "$("$BB" $C devices --json | jq -c '[.device, .last]')" '["gate-001",20]'

# personal_days from the file; --personal-days overrides it.
expect_eq "purge: the file's days" "$("$BB" $C purge)" \
	"personal records: 0 of visits over 5 days old removed; the entries stay"
expect_eq "purge: the command line's days" "$("$BB" $C purge --personal-days 9)" \
	"personal records: 0 of visits over 9 days old removed; the entries stay"
# --db overrides the file's db.
out=$("$BB" $C --db "$T/other.db" devices 2>&1)
expect_eq "--db overrides: exit" "$?" "1"
expect_eq "--db overrides" "$out" \
	"sentinel-bureau: no bureau database at $T/other.db (register a gate or import first, or give --db)"
# --key overrides the file's key.
out=$("$BB" $C --key "$T/missing.key" import in 2>&1)
expect_eq "--key overrides: exit" "$?" "2"
expect_eq "--key overrides" "$(echo "$out" | sed -n 1p)" \
	"sentinel-bureau: import: cannot read the key $T/missing.key: No such file or directory"

# The time zone: the report's day in UTC (the entries are at 2026-11-29T00:00Z and later).
"$BB" $C report --day 2026-01-01 --output day.html >/dev/null || fail "report with the file's zone"
out=$("$BB" $C --timezone Nowhere/Else devices 2>&1)
expect_eq "--timezone still checked" "$?" "2"

# serve listens where the file says, with its key and database.
serve_start serve $C serve
expect_eq "serve from the file" "$(sed -n 's/^listening on \(127\.0\.0\.1\):[0-9]*$/\1/p' serve.log)" "127.0.0.1"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/time?device=gate-001" \
	>code.txt
expect_eq "serve answers" "$(cat code.txt 2>/dev/null)" "200"
serve_stop
# --listen overrides it; a bad --listen is still the command line's error.
out=$("$BB" $C serve --listen nowhere 2>&1)
expect_eq "serve --listen overrides: exit" "$?" "2"
expect_eq "serve --listen overrides" "$(echo "$out" | sed -n 1p)" \
	"sentinel-bureau: serve: --listen: 'nowhere' is not ADDR:PORT"

# enrol takes the file's database (its tokens beside it), policy sign the file's key.
out=$("$BB" $C enrol --home 阳光养老院 --gate gate-009 --bureau-key "$K.pub" --output stick 2>&1)
expect_eq "enrol with the file's db: exit" "$?" "0"
ls etc/data | grep -q enrol || fail "enrol did not use the file's database: $(ls etc/data)"
out=$("$BB" $C policy sign --in "$FIXR/rules-v1.json" --out rules.cose 2>&1)
expect_eq "policy sign with the file's key: exit" "$?" "0"
[ -s rules.cose ] || fail "policy sign wrote nothing"
# state_dir (relative: below the file's directory) keeps enrol's tokens and trust sign's lists,
# wherever the command runs; --state-dir overrides it.
{ cat etc/bureau.conf; echo "state_dir = state"; } >etc/state.conf
mkdir etc/state elsewhere
out=$(cd elsewhere && "$BB" --config ../etc/state.conf enrol --home 阳光养老院 --gate gate-010 \
	--bureau-key "$K.pub" --output ../stick 2>&1)
expect_eq "enrol with the file's state_dir: exit" "$?" "0"
expect_eq "enrol with the file's state_dir" "$(printf '%s\n' "$out" | sed -n 's/^its copy is kept in \([^ ]*\) .*/\1/p')" \
	"$(cd etc/state && pwd -P)/enrol/"
out=$(cd elsewhere && "$BB" --config ../etc/state.conf --db ../etc/data/bureau.db trust sign --home 阳光养老院 \
	--version 1 --in "$ROOT/tests/fixtures/shc/spec-examples-issuer.jwks.json" --out ../trust.cose 2>&1)
expect_eq "trust sign with the file's state_dir: exit" "$?" "0"
expect_eq "trust sign with the file's state_dir: kept there" "$(ls etc/state/trust | wc -l)" "1"
mkdir st2
out=$("$BB" --config etc/state.conf --state-dir st2 enrol --home 阳光养老院 --gate gate-011 \
	--bureau-key "$K.pub" --output stick 2>&1)
expect_eq "--state-dir overrides state_dir: exit" "$?" "0"
expect_eq "--state-dir overrides state_dir" "$(ls st2)" "enrol"
expect_eq "nothing kept where the commands ran" "$(ls -A elsewhere)" ""
out=$("$BB" --config etc/state.conf --state-dir '' devices 2>&1)
expect_eq "--state-dir '': exit" "$?" "2"
expect_eq "--state-dir ''" "$(echo "$out" | sed -n 1p)" "sentinel-bureau: --state-dir needs a directory"

# The commented sample changes nothing.
out=$("$BB" --config "$ROOT/tools/bureau/bureau.conf" --db etc/data/bureau.db devices --json | jq -r .device)
expect_eq "the sample loads" "$out" "gate-001"

# Hostile files: refused naming file, line and key, exit 2, nothing created.
bad() {	# bad NAME EXPECTED CONTENT (printf format)
	printf "$3" >"$1.conf"
	out=$("$BB" --config "$1.conf" register --device gate-002 --pub keys/gate-001.key.pub 2>&1)
	expect_eq "$1: exit" "$?" "2"
	expect_eq "$1" "$out" "sentinel-bureau: configuration: $1.conf:$2"
	[ -e etc/data/gate-002 ] && fail "$1: something made"
}
bad unknown-key "2: unknown key 'database' in [bureau] (known: db, key, personal_days, timezone, listen, workers, tls_cert, tls_key, state_dir)" \
	'[bureau]\ndatabase = x.db\n'
bad unknown-section "3: unknown section [gate] (known: [bureau])" '[bureau]\ndb = y.db\n[gate]\n'
bad outside "1: key 'db' outside a section (put it under [bureau])" 'db = z.db\n[bureau]\n'
bad twice "3: key 'workers' given twice" '[bureau]\nworkers = 2\nworkers = 3\n'
bad workers "2: key 'workers': '0' is not 1-64" '[bureau]\nworkers = 0\n'
bad days "2: key 'personal_days': '28d' is not 1-3650 days" '[bureau]\npersonal_days = 28d\n'
bad days-big "2: key 'personal_days': '99999999999999999999' is not 1-3650 days" \
	'[bureau]\npersonal_days = 99999999999999999999\n'
bad zone "2: key 'timezone': '../../etc/passwd' is not a time zone of the tz database (e.g. Asia/Shanghai)" \
	'[bureau]\ntimezone = ../../etc/passwd\n'
bad listen "2: key 'listen': port '99999' is not 0-65535" '[bureau]\nlisten = 127.0.0.1:99999\n'
bad empty-db "2: key 'db': empty" '[bureau]\ndb =\n'
bad empty-state-dir "2: key 'state_dir': empty" '[bureau]\nstate_dir =\n'
bad state-dir-twice "3: key 'state_dir' given twice" '[bureau]\nstate_dir = a\nstate_dir = b\n'
bad not-ini "2: not a 'key = value' line or a '[bureau]' header" '[bureau]\nrm -rf /\n'
bad nul "2: NUL byte in line" '[bureau]\ndb = a\000.db\n'
bad long "2: line longer than 198 bytes" "[bureau]\ndb = $(head -c 300 /dev/zero | tr '\0' a)\n"
# A URI's password is never echoed back.
printf '[bureau]\ndb = postgresql://u:s3cret@h/db\ndb = again\n' >uri.conf
out=$("$BB" --config uri.conf devices 2>&1)
expect_eq "URI twice: exit" "$?" "2"
echo "$out" | grep -q s3cret && fail "the password was printed: $out"
out=$("$BB" --config "$T/nothing.conf" devices 2>&1)
expect_eq "missing file: exit" "$?" "2"
expect_eq "missing file" "$out" "sentinel-bureau: configuration: $T/nothing.conf: No such file or directory"
out=$("$BB" --config etc devices 2>&1)
expect_eq "a directory: exit" "$?" "2"
expect_eq "a directory" "$out" "sentinel-bureau: configuration: etc: Is a directory"
out=$("$BB" devices --config 2>&1)
expect_eq "--config without a file: exit" "$?" "2"
expect_eq "--config without a file" "$(echo "$out" | sed -n 1p)" "sentinel-bureau: --config needs a file"
finish
