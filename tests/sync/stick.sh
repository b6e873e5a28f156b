# SPDX-License-Identifier: MIT
# A fake USB stick for the sync tests (sourced by tests/sync/synctest.sh, by
# the scenario scripts that sync by stick and by tests/scenario/lib.sh's
# stick_export).
# make_stick DIR - DIR/mnt, a directory listed as a vfat mount of /dev/sdz1
# in DIR/mountinfo, with a fake sysfs under DIR/sys that says the device is
# removable.
make_stick() {
	mkdir -p "$1/mnt" "$1/sys/devices/usb1/block/sdz/sdz1" "$1/sys/dev/block"
	echo 1 >"$1/sys/devices/usb1/block/sdz/removable"
	dev=$(stat -c '%Hd:%Ld' "$1/mnt")
	ln -sfn ../../devices/usb1/block/sdz/sdz1 "$1/sys/dev/block/$dev"
	printf '1 0 0:1 / / rw - ext4 /dev/root rw\n99 1 %s / %s rw,nosuid - vfat /dev/sdz1 rw\n' \
		"$dev" "$1/mnt" >"$1/mountinfo"
}

# sync_usb DIR [CONFIG] - `sentinelctl sync usb` of the gate of CONFIG (default
# $T/gate.conf) onto the stick made by make_stick DIR.
sync_usb() {
	"${ctl:-$B/sentinelctl}" sync usb --config "${2:-$T/gate.conf}" --sysfs-root "$1/sys" --mountinfo "$1/mountinfo" "$1/mnt"
}
