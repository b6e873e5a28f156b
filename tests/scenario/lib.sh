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
trap 'rm -rf "$T"' EXIT
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

# visit SHOW TEMPS [STAY_MS [AFTER_MS]] - a scenario's lines for one visitor:
# the screen held up (an image or "none"), the thermometer's readings, there
# for STAY_MS (default 10000) and then gone for AFTER_MS (default 2000).
# Used as $(visit ...) on a line of a scenario here-document.
visit() {
	printf 'show %s\ntemp %s\npresence 1\nwait %s\npresence 0\nwait %s' "$1" "$2" "${3:-10000}" "${4:-2000}"
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
