#!/bin/sh
# SPDX-License-Identifier: MIT
# `board = linux` on a machine without GPIO chips (the build machines): the
# daemon refuses to start with one line naming the key and the chip, creates
# no log, and leaves nothing behind; config mistakes are named the same way.
. tests/scenario/lib.sh

[ -e /dev/gpiochip0 ] && { echo "SKIP: this machine has /dev/gpiochip0"; exit 77; }

cat >"$T/linux.conf" <<CONF
[station]
board = linux
db = gate.db
[gpio]
relay = gpiochip0:17
presence = gpiochip0:5 active-low
[thermometer]
type = iio
iio_root = $ROOT/tests/fixtures/iio
CONF
want="sentineld: board linux: $T/linux.conf: key 'relay' in [gpio]: gpiochip0:17: no such GPIO chip"
"$B/sentineld" -n -c "$T/linux.conf" 2>"$T/n.err"
expect_eq "-n exit" "$?" "1"
expect_eq "-n stderr" "$(cat "$T/n.err")" "$want"
"$B/sentineld" -f -c "$T/linux.conf" 2>"$T/f.err"
expect_eq "start exit" "$?" "1"
expect_eq "start stderr" "$(cat "$T/f.err")" "$want"
[ -e "$T/gate.db" ] && fail "a log was created"

# A line given to two roles, and no thermometer: config errors naming the key.
printf '[station]\nboard = linux\n[gpio]\nrelay = gpiochip0:17\nbutton = gpiochip0:17 active-low\n[thermometer]\ntype = iio\n' >"$T/dup.conf"
"$B/sentineld" -n -c "$T/dup.conf" 2>"$T/dup.err"
expect_eq "dup exit" "$?" "1"
expect_eq "dup stderr" "$(cat "$T/dup.err")" \
	"sentineld: $T/dup.conf: key 'button' in section [gpio]: line gpiochip0:17 is already used by 'relay'"
printf '[station]\nboard = linux\n[gpio]\nrelay = gpiochip0:17\n' >"$T/notherm.conf"
"$B/sentineld" -f -c "$T/notherm.conf" 2>"$T/notherm.err"
expect_eq "no thermometer exit" "$?" "1"
expect_eq "no thermometer stderr" "$(cat "$T/notherm.err")" \
	"sentineld: $T/notherm.conf: key 'type' in section [thermometer] is required for board = linux"
[ -e "$T/gate.db" ] && fail "a log was created"

# The Raspberry Pi configurations load, not enrolled; here they stop at the relay.
for pi in pi4 pi5; do
	case $pi in pi4) label=pinctrl-bcm2711 ;; pi5) label=pinctrl-rp1 ;; esac
	"$B/sentineld" -n -c "$ROOT/board/rpi/sentinel-$pi.conf" >"$T/$pi.out" 2>"$T/$pi.err"
	expect_eq "$pi exit" "$?" "1"
	expect_eq "$pi stdout" "$(cat "$T/$pi.out")" \
		"$ROOT/board/rpi/sentinel-$pi.conf: not enrolled (no /var/lib/sentinel/enrolment/enrolment.conf): the gate opens for nobody until 'sentinelctl enrol'"
	expect_eq "$pi stderr" "$(cat "$T/$pi.err")" \
		"sentineld: board linux: $ROOT/board/rpi/sentinel-$pi.conf: key 'relay' in [gpio]: $label:17: no such GPIO chip"
done

[ "$failures" -eq 0 ]
