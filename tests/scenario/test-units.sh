#!/bin/sh
# SPDX-License-Identifier: MIT
# The systemd units of board/rpi/ as `make install` writes them (@BINDIR@
# replaced by the build directory): `systemd-analyze verify` finds nothing
# to say, and `systemd-analyze security --offline=true` rates each service
# 2.5 or lower (systemd's scale: 0 safe .. 10 unsafe).  Skipped (exit 77)
# where systemd-analyze is absent or too old for --offline (systemd < 252).
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null 2>&1 || { echo "skip: no systemd-analyze"; exit 77; }
systemd-analyze security --help 2>/dev/null | grep -q -- --offline ||
	{ echo "skip: systemd-analyze security has no --offline"; exit 77; }

BIN=$(cd "$B" && pwd)
for u in sentineld.service sentinel-sync.service sentinel-sync-usb@.service sentinel-sync.timer \
	sentinel-purge.service sentinel-purge.timer; do
	sed "s#@BINDIR@#$BIN#" "board/rpi/$u" >"$T/$u"
done
# A template is judged through an instance.
cp "$T/sentinel-sync-usb@.service" "$T/sentinel-sync-usb@sdb1.service"

for u in sentineld.service sentinel-sync.service sentinel-sync-usb@sdb1.service sentinel-sync.timer \
	sentinel-purge.service sentinel-purge.timer; do
	out=$(cd "$T" && systemd-analyze verify --man=no "./$u" 2>&1)
	expect_eq "verify $u" "$out" ""
done

for u in sentineld.service sentinel-sync.service sentinel-sync-usb@sdb1.service sentinel-purge.service; do
	line=$(cd "$T" && systemd-analyze security --offline=true --no-pager "./$u" 2>&1 | grep 'Overall exposure level')
	score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9]*\.[0-9]\) .*/\1/p')
	echo "$u: ${score:-?}"
	if [ -z "$score" ] || [ "$(echo "$score" | awk '{ print ($1 <= 2.5) }')" != 1 ]; then
		fail "$u: exposure ${score:-unknown} (want 2.5 or lower): $line"
	fi
done

# The daemon reaches only the gate's own devices.
allow=$(grep '^DeviceAllow=' board/rpi/sentineld.service | tr '\n' ' ')
expect_eq "sentineld device ACL" "$allow" \
	"DeviceAllow=char-gpiochip rw DeviceAllow=char-i2c rw DeviceAllow=char-video4linux rw DeviceAllow=char-drm rw DeviceAllow=char-alsa rw "
finish
