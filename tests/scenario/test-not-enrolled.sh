#!/bin/sh
# SPDX-License-Identifier: MIT
# A gate whose configuration names an enrolment file that does not exist yet
# is not enrolled: `sentineld -n` says so; the daemon shows the not-enrolled
# screen, checks no visitor in (no entry, the relay never driven) and says
# "not enrolled" in its log; once the file is there the configuration is the
# enrolled one and a visitor is checked in.
. tests/scenario/lib.sh

cat >"$T/v.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 1000)
SCN
write_conf "$T/gate.conf" v.scn gate.db out.log
sed -i 's/^device_id = test-gate$/enrolment = enrolment.conf/; /^home = /d' "$T/gate.conf"
[ "$(grep -c '^enrolment = ' "$T/gate.conf")" = 1 ] || fail "the test's config names no enrolment file"

"$B/sentineld" -n -c "$T/gate.conf" >"$T/check" 2>&1
expect_eq "sentineld -n status" "$?" "0"
expect_eq "sentineld -n" "$(cat "$T/check")" \
	"$T/gate.conf: not enrolled (no $T/enrolment.conf): the gate opens for nobody until 'sentinelctl enrol'
$T/gate.conf: configuration OK"

# systemd's STATUS= (systemctl status) says so too: a Python datagram socket stands in for systemd's.
if command -v python3 >/dev/null; then
	notify_listen "$T/notify" "$T/got"
fi
NOTIFY_SOCKET="$T/notify" "$B/sentineld" -f -c "$T/gate.conf" 2>"$T/stderr"
expect_eq "exit status" "$?" "0"
if command -v python3 >/dev/null; then
	wait $py
	expect_eq "systemd status" "$(head -n 1 "$T/got")" \
		"READY=1|STATUS=not enrolled: opens for nobody until 'sentinelctl enrol'"
fi
grep -q "not enrolled (no $T/enrolment.conf)" "$T/stderr" || fail "no 'not enrolled' at start: $(cat "$T/stderr")"
grep -q "not enrolled: visitor not checked in, door kept shut" "$T/stderr" || fail "visitor not refused as not enrolled"
expect_eq "entries" "$("$B/sentinelctl" entries --json --db "$T/gate.db" | wc -l)" "0"
expect_eq "relay lines" "$(grep -c ' relay 1' "$T/out.log")" "0"
expect_eq "screens" "$(ls "$T"/screens/ 2>/dev/null | grep -c 'png$')" "2"
expect_eq "first screen" "$(ls "$T"/screens | head -1)" "0001-not-enrolled.png"
grep -q ' display "本机未登记' "$T/out.log" || fail "no not-enrolled display line"

# Enrolled from a package without a rule set (an enrolment file that does not say means required).
printf '[station]\nhome = 阳光养老院\ndevice_id = test-gate\n[rules]\nrequired = no\n' >"$T/enrolment.conf"
rm -rf "$T/gate.db" "$T/screens" "$T/out.log"
"$B/sentineld" -n -c "$T/gate.conf" >"$T/check" 2>&1
expect_eq "sentineld -n enrolled" "$(cat "$T/check")" "$T/gate.conf: configuration OK"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/stderr"
expect_eq "entries enrolled" "$("$B/sentinelctl" entries --json --db "$T/gate.db" | wc -l)" "1"
expect_eq "first screen enrolled" "$(ls "$T"/screens | head -1)" "0001-idle.png"

finish
