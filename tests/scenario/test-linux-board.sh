#!/bin/sh
# SPDX-License-Identifier: MIT
# `board = linux` on a machine without GPIO chips (the build machines): the
# daemon refuses to start with one line naming the key and the chip, creates
# no log, and leaves nothing behind; config mistakes are named the same way.
. tests/scenario/lib.sh

[ -e /dev/gpiochip0 ] && { echo "SKIP: this machine has /dev/gpiochip0"; exit 77; }

write_linux_conf "$T/linux.conf" "$ROOT/tests/fixtures/iio"
want="sentineld: board linux: $T/linux.conf: key 'relay' in [gpio]: gpiochip0:17: no such GPIO chip"
expect_run "-n" 1 "$want" "$B/sentineld" -n -c "$T/linux.conf"
"$B/sentineld" -f -c "$T/linux.conf" 2>"$T/f.err"
expect_eq "start exit" "$?" "1"
expect_eq "start stderr" "$(cat "$T/f.err")" "$want"
[ -e "$T/gate.db" ] && fail "a log was created"

# A line given to two roles, and no thermometer: config errors naming the key.
printf '[station]\nboard = linux\n[gpio]\nrelay = gpiochip0:17\nbutton = gpiochip0:17 active-low\n[thermometer]\ntype = iio\n' >"$T/dup.conf"
expect_run "dup" 1 \
	"sentineld: $T/dup.conf: key 'button' in section [gpio]: line gpiochip0:17 is already used by 'relay'" \
	"$B/sentineld" -n -c "$T/dup.conf"
printf '[station]\nboard = linux\n[gpio]\nrelay = gpiochip0:17\n' >"$T/notherm.conf"
expect_run "no thermometer" 1 \
	"sentineld: $T/notherm.conf: key 'type' in section [thermometer] is required for board = linux" \
	"$B/sentineld" -f -c "$T/notherm.conf"
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
