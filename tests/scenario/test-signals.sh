#!/bin/sh
# SPDX-License-Identifier: MIT
# Signals reach the daemon through its signalfd in the one wait loop:
# SIGHUP reloads the configuration, SIGTERM stops it between visits with the log closed cleanly.
. tests/scenario/lib.sh

cat >"$T/sig.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 1000)
signal hup
show $FIX/red.png
presence 1
wait 10000
presence 0
wait 1000
signal term
show $FIX/yellow.png
presence 1
SCN
write_conf "$T/gate.conf" sig.scn gate.db out.log
sentineld_run "$T/gate.conf" "exit status after SIGTERM"
expect_eq "entries before SIGTERM" "$("$B/sentinelctl" entries --json --db "$T/gate.db" | wc -l)" "2"
# The signals come in order with the visits: the reload before visit 2,
# the stop before the visitor who arrives with it.
expect_eq "order of events" "$(grep -oE 'visit [0-9]+: entry|SIGHUP|signal 15' "$T/stderr")" "visit 1: entry
SIGHUP
visit 2: entry
signal 15"
grep -q "SIGHUP: configuration $T/gate.conf reloaded" "$T/stderr" || fail "no reload line: $(cat "$T/stderr")"
grep -q "signal 15: stopping" "$T/stderr" || fail "no stop line"
# Outputs are back to safe states after the stop: the last relay line is 0.
expect_eq "last relay line" "$(grep ' relay ' "$T/out.log" | tail -n 1 | cut -d' ' -f2-)" "relay 0"

finish
