#!/bin/sh
# SPDX-License-Identifier: MIT
# `sentinelctl selftest` (interfaces.md): one line per device
# "<role> <backend> ok|FAIL|busy <detail>", exit 0 all ok, 1 any FAIL or
# busy, 2 usage; on the simulated board, and on `board = linux` with the fake
# IIO tree (no GPIO chip or camera exists on the build machines).
. tests/scenario/lib.sh

printf 'temp 36.5\nshow %s/green.png\npresence 1\n' "$FIX" >"$T/s.scn"
write_conf "$T/sim.conf" s.scn gate.db out.log
"$B/sentinelctl" selftest --config "$T/sim.conf" --outputs >"$T/sim.out" 2>"$T/sim.err"
expect_eq "sim exit" "$?" "0"
expect_eq "sim stdout" "$(sed 's/^camera sim ok [0-9]*x[0-9]*$/camera sim ok WxH/' "$T/sim.out")" \
"relay sim ok pulsed
led-green sim ok pulsed
led-red sim ok pulsed
buzzer sim ok pulsed
display sim ok output log
presence sim ok scenario
button sim ok scenario
exit-button sim ok scenario
fire-alarm sim ok scenario
thermometer sim ok object=36.50C ambient=22.00C emissivity=1.000 offset=+0.00C ambient_coeff=0.000 ambient_ref=25.00C body=36.50C
camera sim ok WxH
audio sim ok none configured"
expect_eq "sim stderr" "$(cat "$T/sim.err")" ""
expect_eq "sim outputs driven once" "$(grep -c ' relay 1$' "$T/out.log")" "1"
expect_eq "sim display driven once" "$(grep -c ' display "' "$T/out.log")" "1"

# Without --outputs nothing a visitor sees or hears changes: no output and
# no display line in the output log.
: >"$T/out.log"
"$B/sentinelctl" selftest --config "$T/sim.conf" >"$T/sim2.out" 2>"$T/sim2.err"
expect_eq "sim without --outputs exit" "$?" "0"
expect_eq "sim without --outputs" "$(sed -n '1,5p' "$T/sim2.out")" \
"relay sim ok output log
led-green sim ok output log
led-red sim ok output log
buzzer sim ok output log
display sim ok output log (not driven; --outputs to drive)"
expect_eq "sim without --outputs: output log" "$(grep -c ' relay 1$\| display "' "$T/out.log")" "0"

[ -e /dev/gpiochip0 ] && { echo "SKIP (part): this machine has /dev/gpiochip0"; exit 0; }
: >"$T/display"
write_linux_conf "$T/linux.conf" /nonexistent
cat >>"$T/linux.conf" <<CONF
emissivity = 0.98
skin_offset_c = 1.0
ambient_coeff = 0.1
ambient_ref_c = 25
[camera]
device = $T/video0
[display]
path = display
CONF
"$B/sentinelctl" selftest --config "$T/linux.conf" --iio-root "$ROOT/tests/fixtures/iio" \
	>"$T/linux.out" 2>"$T/linux.err"
expect_eq "linux exit" "$?" "1"
expect_eq "linux stdout" "$(cat "$T/linux.out")" \
"relay gpiod FAIL key 'relay' in [gpio]: gpiochip0:17: no such GPIO chip
display file ok $T/display (not driven; --outputs to drive)
presence gpiod FAIL key 'presence' in [gpio]: gpiochip0:5: no such GPIO chip
thermometer iio ok object=30.99C ambient=22.41C emissivity=0.980 offset=+1.00C ambient_coeff=0.100 ambient_ref=25.00C body=32.42C
camera v4l2 FAIL $T/video0: No such file or directory
audio none ok none configured"
expect_eq "linux stderr" "$(cat "$T/linux.err")" ""
expect_eq "linux display not written" "$(wc -c <"$T/display")" "0"
"$B/sentinelctl" selftest --config "$T/linux.conf" --iio-root "$ROOT/tests/fixtures/iio" --outputs \
	>"$T/linux2.out" 2>"$T/linux2.err"
expect_eq "linux --outputs exit" "$?" "1"
expect_eq "linux --outputs display" "$(grep '^display' "$T/linux2.out")" "display file ok $T/display shown"
expect_eq "linux --outputs display text" "$(cat "$T/display")" "自检 / Self-test"
chmod a-w "$T/display"
if [ ! -w "$T/display" ]; then
	"$B/sentinelctl" selftest --config "$T/linux.conf" >"$T/ro.out"
	expect_eq "read-only display" "$(grep '^display' "$T/ro.out")" \
		"display file FAIL $T/display: Permission denied"
fi
chmod u+w "$T/display"

# The HDMI screen and the sound card (none on the build machines).
if [ ! -e /dev/dri/card0 ]; then
	cat >"$T/drm.conf" <<CONF
[station]
board = linux
[gpio]
relay = gpiochip0:17
[thermometer]
type = iio
iio_name = mlx90614
[display]
backend = drm
[audio]
backend = alsa
device = nonexistent
clips = $ROOT/firmware/voice
CONF
	"$B/sentinelctl" selftest --config "$T/drm.conf" >"$T/drm.out" 2>"$T/drm.err"
	expect_eq "drm display" "$(grep '^display' "$T/drm.out")" \
		"display drm FAIL /dev/dri/card0: No such file or directory"
	expect_eq "alsa audio" "$(grep '^audio' "$T/drm.out")" \
		"audio alsa FAIL PCM nonexistent: No such file or directory"
	expect_eq "drm stderr" "$(cat "$T/drm.err")" ""
fi
# The sim's voice: audio.wav beside the output log when clips are configured.
sed 's#^\[sim\]#[audio]\nclips = '"$ROOT"'/firmware/voice\n[sim]#' "$T/sim.conf" >"$T/simaudio.conf"
"$B/sentinelctl" selftest --config "$T/simaudio.conf" >"$T/simaudio.out"
expect_eq "sim audio" "$(grep '^audio' "$T/simaudio.out")" "audio sim ok audio.wav (not driven; --outputs to drive)"

"$B/sentinelctl" selftest --config "$T/linux.conf" >"$T/noiio.out"
expect_eq "no IIO device" "$(grep thermometer "$T/noiio.out")" \
	"thermometer iio FAIL /nonexistent: No such file or directory"

"$B/sentinelctl" selftest --bogus 2>"$T/usage.err"
expect_eq "usage exit" "$?" "2"
"$B/sentinelctl" selftest --config "$T/none.conf" 2>"$T/noconf.err"
expect_eq "missing config exit" "$?" "2"
expect_eq "missing config stderr" "$(cat "$T/noconf.err")" \
	"sentinelctl: selftest: $T/none.conf: No such file or directory"

[ "$failures" -eq 0 ]
