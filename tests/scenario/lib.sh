# SPDX-License-Identifier: MIT
# Helpers for the scenario scripts (sourced).  $1 of the script: build dir.
B=${1:?usage: $0 BUILD_DIR}
ROOT=$(pwd)
FIX=$ROOT/tests/fixtures/scenario
# fontconfig (through Pango) keeps its cache for the process's life.
case ${LSAN_OPTIONS:-} in *lsan.supp*) ;; *) LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" ;; esac
export LSAN_OPTIONS
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

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}

# visit SHOW TEMPS [STAY_MS [AFTER_MS]] - a scenario's lines for one visitor:
# the screen held up (an image or "none"), the thermometer's readings, there
# for STAY_MS (default 10000) and then gone for AFTER_MS (default 2000).
# Used as $(visit ...) on a line of a scenario here-document.
visit() {
	printf 'show %s\ntemp %s\npresence 1\nwait %s\npresence 0\nwait %s' "$1" "$2" "${3:-10000}" "${4:-2000}"
}
