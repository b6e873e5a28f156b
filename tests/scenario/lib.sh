# SPDX-License-Identifier: MIT
# Helpers for the scenario scripts (sourced).  $1 of the script: build dir.
B=${1:?usage: $0 BUILD_DIR}
ROOT=$(pwd)
FIX=$ROOT/tests/fixtures/scenario
# fontconfig (through Pango) keeps its cache for the process's life.
case ${LSAN_OPTIONS:-} in *lsan.supp*) ;; *) LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" ;; esac
export LSAN_OPTIONS
# Messages in English whatever the caller's language (the scripts compare
# them exactly; test-i18n and test-report ask for Chinese themselves); the
# character type stays the caller's.
if [ -n "${LC_ALL:-}" ]; then
	export LC_CTYPE="$LC_ALL"
	unset LC_ALL
fi
unset LANGUAGE
export LC_MESSAGES=C
T=$(mktemp -d /tmp/snt-scenario-XXXXXX)
# At exit, also on failure or a signal: the bureau servers still running
# (serve_start) stopped, the PostgreSQL cluster (pg.sh) stopped, $T removed.
serve_pids=
lib_cleanup() {
	for _p in $serve_pids; do kill "$_p" 2>/dev/null; done
	for _p in $serve_pids; do wait "$_p" 2>/dev/null; done
	command -v pg_stop >/dev/null 2>&1 && pg_stop
	rm -rf "$T"
}
trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1"
		printf '  got:\n%s\n  want:\n%s\n' "$2" "$3" >&2
	fi
}

# stick_token PACKAGE - the one-time token a stick's enrolment package
# (package.json) carries: enrol-import's, never good online (the token
# `sentinel-bureau enrol` prints is the online one).
stick_token() {
	sed -n 's/^ *"token": "\([0-9a-f]*\)".*/\1/p' "$1"
}

# write_conf FILE SCENARIO DB OUTPUT
write_conf() {
	cat >"$1" <<CONF
[station]
board = sim
db = $3
device_id = test-gate
home = 阳光养老院
duty_phone = 0931-1

[checkin]
scan_timeout_ms = 2000
frame_interval_ms = 100
dedup_window_s = 60
temp_tries = 3
temp_retry_ms = 1000
relay_pulse_ms = 3000
alert_ms = 2000

[sim]
scenario = $2
output = $4
start = 2026-11-29T00:00:00Z
clock = trusted
CONF
}

# write_unenrolled_conf FILE RULES_DIR - the configuration of a simulated
# gate not enrolled yet (its enrolment file enrolment/enrolment.conf, log
# gate.db, device key device.key, all beside FILE; no scenario), its [rules]
# dir RULES_DIR.
write_unenrolled_conf() {
	printf '[station]\nboard = sim\ndb = gate.db\nenrolment = enrolment/enrolment.conf\n[sim]\nscenario = /dev/null\n[sync]\ndevice_key = device.key\n[rules]\ndir = %s\n' \
		"$2" >"$1"
}

# expect_no_card_values "VALUE..." FILE... - none of the VALUEs (a card's
# name or number; the list split at white space), in UTF-8, UCS-2LE,
# UCS-2BE or GB18030, is in any of the FILEs that exist: each one found
# fails the test, naming the file and the encoding.
expect_no_card_values() {
	_values=$1
	shift
	for _s in $_values; do
		for _enc in UTF-8 UCS-2LE UCS-2BE GB18030; do
			printf '%s' "$_s" | iconv -f UTF-8 -t "$_enc" >"$T/needle"
			for _f in "$@"; do
				[ -e "$_f" ] || continue
				if grep -qaF -f "$T/needle" "$_f" 2>/dev/null; then
					fail "$_f holds a card's full value ($_enc)"
				fi
			done
		done
	done
}

# write_idcard_conf FILE SCENARIO BUREAU_PUB [DEVICE_KEY] - FILE as
# write_conf (log gate.db, output out.log) for a gate whose visitors show
# their ID card ([checkin] register = idcard, card_timeout_ms = 3000;
# [idreader] timeout_ms = 2000), with a [sync] section: the bureau's key
# BUREAU_PUB; with DEVICE_KEY (relative to FILE's directory) also
# device_key = DEVICE_KEY, and the keys directory beside FILE made.  FILE's
# directory is made.
write_idcard_conf() {
	mkdir -p "$(dirname "$1")"
	write_conf "$1" "$2" gate.db out.log
	sed -i 's/^alert_ms = 2000$/alert_ms = 2000\nregister = idcard\ncard_timeout_ms = 3000/' "$1"
	printf '\n[idreader]\ntimeout_ms = 2000\n\n[sync]\nbureau_key = %s\n' "$3" >>"$1"
	if [ -n "${4:-}" ]; then
		printf 'device_key = %s\n' "$4" >>"$1"
		mkdir -p "$(dirname "$1")/keys"
	fi
}

# decisions DB - each entry of the gate's log DB, one a line: its decision
# and its reasons joined by commas ("admit code-green,temp-normal").
decisions() {
	"$B/sentinelctl" entries --json --db "$1" |
		sed -E 's/.*"decision": "([a-z]+)", "reasons": \[([^]]*)\].*/\1 \2/; s/"//g; s/, /,/g'
}

# expect_run WHAT STATUS OUTPUT CMD... - run CMD: its exit status is STATUS
# and what it prints (stdout and stderr together) is OUTPUT.
expect_run() {
	_what=$1 _status=$2 _want=$3
	shift 3
	_out=$("$@" 2>&1)
	expect_eq "$_what: exit" "$?" "$_status"
	expect_eq "$_what: message" "$_out" "$_want"
}

# write_linux_conf FILE IIO_ROOT - a real-board configuration (board =
# linux, log gate.db) with the relay on gpiochip0:17, presence on
# gpiochip0:5 and an IIO thermometer under IIO_ROOT; the [thermometer]
# section is last, for more of its keys to be appended.
write_linux_conf() {
	printf '[station]\nboard = linux\ndb = gate.db\n[gpio]\nrelay = gpiochip0:17\npresence = gpiochip0:5 active-low\n[thermometer]\ntype = iio\niio_root = %s\n' \
		"$2" >"$1"
}

# notify_listen SOCKET OUT - a stand-in for systemd's notification socket:
# a datagram socket at SOCKET (python3, in the background: $py) writing the
# messages it gets to OUT, one a line with their newlines as '|', once
# STOPPING=1 has come (or 20 s passed); returns once the socket is there.
notify_listen() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2] + ".tmp", "w") as f:
    while True:
        m = s.recv(4096).decode()
        f.write(m.replace("\n", "|") + "\n")
        if m.startswith("STOPPING=1"):
            break
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
PY
	py=$!
	_i=0
	while [ ! -S "$1" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
}

# need_zh_locale NAME - the zh_CN.UTF-8 locale must be installed: without it
# the script NAME is skipped (exit 77), or fails when CI=true.
need_zh_locale() {
	locale -a 2>/dev/null | grep -qx 'zh_CN\.utf8' && return 0
	[ "${CI:-}" = true ] && { echo "$1: the zh_CN.UTF-8 locale is missing (make deps)" >&2; exit 1; }
	echo "$1: no zh_CN.UTF-8 locale: skipped"
	exit 77
}

# dcc_vector - $data the shared test data ($SENTINEL_TESTDATA, else
# ../shared/testdata) and $j its DCC vector AT/1; without it the script is
# skipped (exit 77), or fails when CI=true.
dcc_vector() {
	data=${SENTINEL_TESTDATA:-$ROOT/../shared/testdata}
	j="$data/dcc/AT/2DCode/raw/1.json"
	if [ ! -f "$j" ]; then
		if [ "${CI:-}" = "true" ]; then
			echo "FAIL: test data $data not found: set SENTINEL_TESTDATA (CI=true, so this fails)" >&2
			exit 1
		fi
		echo "SKIP: test data $data not found: set SENTINEL_TESTDATA to run this test" >&2
		exit 77
	fi
}

# append_sync_conf FILE - a [sync] section for FILE (a gate configuration
# from write_conf): the device key keys/device.key (the keys directory
# beside FILE, made) and the bureau's key bureau.key.pub.
append_sync_conf() {
	printf '\n[sync]\ndevice_key = keys/device.key\nbureau_key = bureau.key.pub\n' >>"$1"
	mkdir -p "$(dirname "$1")/keys"
}

# write_rules_conf DIR SCENARIO KEY [DEVICE_KEY] - DIR/gate.conf as
# write_conf (log gate.db, output out.log, in DIR) for a gate under the
# bureau's rule set: [sync] bureau_key = KEY, [rules] dir = rules (DIR/rules,
# made); with DEVICE_KEY (relative to DIR) also [sync] device_key =
# DEVICE_KEY, and DIR/keys made.
write_rules_conf() {
	mkdir -p "$1/rules"
	write_conf "$1/gate.conf" "$2" gate.db out.log
	printf '\n[sync]\nbureau_key = %s\n' "$3" >>"$1/gate.conf"
	if [ -n "${4:-}" ]; then
		mkdir -p "$1/keys"
		printf 'device_key = %s\n' "$4" >>"$1/gate.conf"
	fi
	printf '\n[rules]\ndir = rules\n' >>"$1/gate.conf"
}

# bureau_begin NAME [DBNAME] - for the bureau scripts: the backend started
# (bureau_backend, below), B made absolute, BB the receiver (exit 1 naming
# NAME when it is not built), G the bundle generator built into $T
# (tests/bench/gen_bundles.c), DB a new database (bureau_db DBNAME, default
# bureau: $T/bureau.db on SQLite) and K the bureau's key in $T, and $T the
# working directory.  Call it at the top level of the script.
bureau_begin() {
	bureau_backend
	case $B in /*) ;; *) B="$ROOT/$B" ;; esac
	BB="$B/sentinel-bureau"
	[ -x "$BB" ] || { echo "$1: $BB missing" >&2; exit 1; }
	G="$T/gen_bundles"
	sh tests/bench/build-prog.sh "$B" "$G" tests/bench/gen_bundles.c ||
		{ echo "$1: cannot build gen_bundles" >&2; exit 1; }
	cd "$T" || exit 1
	DB=$(bureau_db "${2:-bureau}") || exit 1
	K="$T/bureau.key"
}

# serve_start LOG ARG... - `sentinel-bureau ARG...` (ARG... ending with
# serve and its options) started in the background in the current
# directory, its stdout to LOG.log and its stderr to LOG.err; serve_pid is
# the server's own PID (stopped at
# exit, also on failure: lib_cleanup).  Returns once it prints its
# 'listening on 127.0.0.1:PORT' line (waiting up to 10 s), with port its
# PORT; when it does not listen, the test fails and ends there, with its
# stderr shown.
serve_start() {
	_log=$1
	shift
	case $B in /*) _bb=$B/sentinel-bureau ;; *) _bb=$ROOT/$B/sentinel-bureau ;; esac
	"$_bb" "$@" >"$_log.log" 2>"$_log.err" &
	serve_pid=$!
	serve_pids="$serve_pids $serve_pid"
	_i=0
	while ! grep -q '^listening on ' "$_log.log" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)\( (TLS)\)\{0,1\}$/\1/p' "$_log.log")
	[ -n "$port" ] && return 0
	fail "serve did not start: $(cat "$_log.err")"
	finish
}

# serve_stop [SIGNAL] - the server of the last serve_start sent SIGNAL
# (default TERM) and waited for; returns its exit status.
serve_stop() {
	kill -"${1:-TERM}" "$serve_pid" 2>/dev/null
	wait "$serve_pid"
	_st=$?
	serve_pids=$(echo "$serve_pids" | sed "s/ $serve_pid\b//")
	return $_st
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}

# wait_stopped PID - wait (up to 60 s of real time) for sentineld PID to
# reach its scenario's 'signal stop' (SIGSTOP: state T in /proc/PID/stat);
# true when it stopped, false when it is gone or the time ran out.
wait_stopped() {
	_i=0
	while [ $_i -lt 600 ]; do
		_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
		[ -z "$_st" ] && return 1
		[ "$_st" = T ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# expect_stopped PID STDERR - wait_stopped PID; when it did not stop, the
# test fails and ends there: the daemon is ended and its STDERR shown.
expect_stopped() {
	wait_stopped "$1" && return 0
	fail "sentineld did not reach the scenario's 'signal stop'"
	kill "$1" 2>/dev/null && kill -CONT "$1" 2>/dev/null
	wait "$1"
	cat "$2" >&2
	finish
}

# sentineld_run CONF WHAT - sentineld -f -c CONF run to its scenario's end,
# its stderr in $T/stderr: it must exit 0 (the check named WHAT).
sentineld_run() {
	"$B/sentineld" -f -c "$1" 2>"$T/stderr"
	expect_eq "$2" "$?" "0"
}

# sentineld_frozen CONF - sentineld -f -c CONF started in the background
# (pid its PID, its stderr in the file stderr beside CONF), waited for at its
# scenario's 'signal stop' (expect_stopped: the test ends when it does not
# stop there).
sentineld_frozen() {
	"$B/sentineld" -f -c "$1" 2>"$(dirname "$1")/stderr" &
	pid=$!
	expect_stopped "$pid" "$(dirname "$1")/stderr"
}

# sentineld_resume - the sentineld of sentineld_frozen let go on (SIGCONT)
# and waited for: it must exit 0.
sentineld_resume() {
	kill -CONT "$pid" || fail "SIGCONT"
	wait "$pid"
	expect_eq "sentineld exit status" "$?" "0"
}

# stick_export DIR OUT ARG... - DIR a fake USB stick (tests/sync/stick.sh's
# make_stick; its functions loaded) with `sentinel-bureau ARG... export`
# written to it, its output in OUT: the test fails when the export does.
stick_export() {
	. "$ROOT/tests/sync/stick.sh"
	make_stick "$1"
	_dir=$1 _out=$2
	shift 2
	"$B/sentinel-bureau" "$@" export "$_dir/mnt" >"$_out" 2>&1 || fail "bureau export: $(cat "$_out")"
}

# stick_sync_frozen CONF KIND VERSION SIGNED LINE - for a gate test-gate
# under the bureau $T/bureau.db (key $T/bureau.key): S=$T/stick, the
# bureau's export on it (stick_export, output $T/export.out), which must
# name KIND-VERSION.cose for test-gate (KIND rules or trust) and hold there
# the file SIGNED; then the gate's sentineld (configuration CONF) frozen at
# its scenario's 'signal stop' (sentineld_frozen), `sentinelctl sync usb` of
# the stick run meanwhile (exit 0, its output in $T/sync.out, whose line
# saying what it installed must be LINE: its first word as the line's) and
# the daemon let go on (sentineld_resume).
stick_sync_frozen() {
	S=$T/stick
	stick_export "$S" "$T/export.out" --db "$T/bureau.db" --key "$T/bureau.key"
	_f=$S/mnt/sentinel/test-gate/in/$2-$3.cose
	expect_eq "export names the $2 file" "$(grep "^$2" "$T/export.out")" "$2 test-gate version $3: $_f"
	cmp -s "$_f" "$4" || fail "the stick's $2 file is not the signed one"
	sentineld_frozen "$1"
	sync_usb "$S" "$1" >"$T/sync.out" 2>&1
	expect_eq "sync usb: exit" "$?" "0"
	_what=$(echo "$5" | sed 's/^ *\([^:]*:\).*/\1/')
	expect_eq "sync installs the $2 file" "$(grep "$_what" "$T/sync.out")" "$5"
	sentineld_resume
}

# visit SHOW TEMPS [STAY_MS [AFTER_MS]] - a scenario's lines for one visitor:
# the screen held up (an image or "none"), the thermometer's readings, there
# for STAY_MS (default 10000) and then gone for AFTER_MS (default 2000).
# Used as $(visit ...) on a line of a scenario here-document.
visit() {
	printf 'show %s\ntemp %s\npresence 1\nwait %s\npresence 0\nwait %s' "$1" "$2" "${3:-10000}" "${4:-2000}"
}

# frozen_visit SHOW - a scenario's lines for a visitor (the screen held up
# SHOW) whose first reading is implausible (31.2, a cold forehead): at the
# second, 1000 ms in, the board stops the daemon (`signal stop`: SIGSTOP,
# wait_stopped), for the test to act on it mid-visit; then there for the
# rest of 10 s and gone for 2 s.  Used as $(frozen_visit ...) on a line of a
# scenario here-document.
frozen_visit() {
	printf 'show %s\ntemp 31.2 36.6\npresence 1\nwait 500\nsignal stop\nwait 9500\npresence 0\nwait 2000' "$1"
}

# card_visit CARD [TEMP] - a scenario's lines for a visitor who places the ID
# card CARD on the reader (what follows 'card' on a scenario line:
# "name=N number=N from=D to=D", "none", "frames FILE"), shows a green health
# code at TEMP (default 36.5), is there for 10 s and then gone for 70 s.  Used
# as $(card_visit ...) on a line of a scenario here-document.
card_visit() {
	printf 'card %s\n' "$1"
	visit "$FIX/green.png" "${2:-36.5}" 10000 70000
}

# press BUTTON [HOLD_MS] - a scenario's lines for one press of BUTTON (a
# role: button, exit-button, fire-alarm) held HOLD_MS (default 100).  Used as
# $(press ...) on a line of a scenario here-document.
press() {
	printf 'button %s 1\nwait %s\nbutton %s 0' "$1" "${2:-100}" "$1"
}

# The bureau's database backend for the scripts that run sentinel-bureau:
# SQLite files by default; with SENTINEL_BUREAU_DB=postgresql a private
# PostgreSQL cluster (tests/scenario/pg.sh; test-bureau-pg.sh runs the
# bureau's scripts so).  bureau_backend starts it (call it once, at the top
# level of the script); bureau_db NAME gives a new database for --db;
# bureau_sql DB SQL runs a query there (fields joined by '|').
bureau_pg() { [ "${SENTINEL_BUREAU_DB:-sqlite}" = postgresql ]; }
bureau_backend() {
	bureau_pg || return 0
	. "$ROOT/tests/scenario/pg.sh"
	pg_start
}
bureau_db() {
	if bureau_pg; then pg_newdb "$1"; else echo "$T/$1.db"; fi
}
bureau_sql() {
	if bureau_pg; then pg_sql "$1" "$2"; else sqlite3 "$1" "$2"; fi
}
# bureau_state DB: SD, the state-directory option for the bureau's commands
# on DB, and TOKD, their token directory: SQLite none (the tokens in
# DB.enrol/ beside the file); PostgreSQL --state-dir $T/state (made; its
# default, /var/lib/sentinel-bureau, is the package's).
bureau_state() {
	if bureau_pg; then
		SD="--state-dir $T/state"
		TOKD=$T/state/enrol
		mkdir -p "$T/state"
	else
		SD=
		TOKD=$1.enrol
	fi
}
