#!/bin/sh
# SPDX-License-Identifier: MIT
# The packages end to end on this machine, as CI runs it (root, a fresh
# Debian 12): lintian finds no error in the packages `make deb` built; the
# README's "Install on a Raspberry Pi" list runs literally (its `sh` blocks,
# in a folder holding the gate package, with a directory standing in for the
# bureau's stick at /mnt/sentinel-stick): apt installs the package, sentineld
# -n says "not enrolled", sentinelctl enrol takes the package, status shows
# the home; step 10: the installed sentineld, as user sentinel, with the
# installed configuration and only the board simulated, admits a green code
# at a normal temperature (the door opens) and refuses a red one, and
# `sentinelctl entries --limit 1` shows the first visit.  Then the user,
# the groups, modes, owners, conffiles and the installed units
# (systemd-analyze verify), the bureau importing the key written back, and
# what `dpkg -r` and `dpkg -P` leave.  Then the list again, on the machine
# purged of that gate, for a gate of a closed-management home: step 10's
# `policy show` says closed, its `pass issue` makes the pass whose card the
# first visitor shows with a green code (admitted, the door opens), a green
# code alone is referred (closed-mode); `SENTINEL_PURGE_LOG=yes dpkg -P`
# removes the log and keys.
# It installs and removes packages and makes the user sentinel: skipped
# (exit 77) unless run as root with CI=true or SENTINEL_INSTALL_TEST=yes
# (.ci/run sets it).
. tests/scenario/lib.sh

if [ "$(id -u)" -ne 0 ] || { [ "${CI:-}" != true ] && [ "${SENTINEL_INSTALL_TEST:-}" != yes ]; }; then
	echo "skip: installs packages on this machine: only as root with CI=true or SENTINEL_INSTALL_TEST=yes"
	exit 77
fi
for p in lintian dpkg-buildpackage apt systemd-analyze qrencode runuser jq; do
	command -v "$p" >/dev/null 2>&1 || { fail "$p missing (make deps)"; finish; }
done
ver=$(sed -n 's/^VERSION *:= *//p' Makefile)
arch=$(dpkg --print-architecture)
gate=$ROOT/build/deb/sentinel-gate_${ver}_$arch.deb
bureau=$ROOT/build/deb/sentinel-bureau_${ver}_$arch.deb
if [ ! -e "$gate" ] || [ ! -e "$bureau" ]; then
	make deb >"$T/deb.log" 2>&1 || { cat "$T/deb.log" >&2; fail "make deb failed"; finish; }
fi
if dpkg -s sentinel-gate >/dev/null 2>&1 || [ -e /etc/sentinel ] || [ -e /var/lib/sentinel ] ||
	[ -e /mnt/sentinel-stick ]; then
	fail "sentinel-gate, /etc/sentinel, /var/lib/sentinel or /mnt/sentinel-stick is here already: not a fresh machine"
	finish
fi

lintian --fail-on error "$gate" "$bureau" >"$T/lintian.out" 2>&1
expect_eq "lintian: no errors (exit)" "$?" "0"
expect_eq "lintian errors" "$(grep -c '^E: ' "$T/lintian.out")" "0"

# The bureau makes the stick (its package, the fixture key and rule set).
dpkg -i "$bureau" >"$T/dpkg-bureau.out" 2>&1 || fail "dpkg -i sentinel-bureau: $(cat "$T/dpkg-bureau.out")"
expect_eq "bureau conffiles" "$(dpkg-query -W -f='${Conffiles}\n' sentinel-bureau | awk 'NF { print $1 }')" \
	"/etc/sentinel/bureau.conf"
expect_eq "bureau config mode" "$(stat -c '%a %U' /etc/sentinel/bureau.conf)" "644 root"
# The state directory of a PostgreSQL bureau (tokens, trust lists) is the package's.
expect_eq "bureau state directory" "$(dpkg -S /var/lib/sentinel-bureau 2>&1)" "sentinel-bureau: /var/lib/sentinel-bureau"
expect_eq "bureau state directory mode" "$(stat -c '%a %U' /var/lib/sentinel-bureau)" "755 root"
grep -q '^[a-z_]* *=' /etc/sentinel/bureau.conf && fail "the bureau's sample sets a key"
# The bureau's package has its own copy of the Chinese catalogue (not the gate's file).
[ -e /usr/share/sentinel-bureau/locale/zh_CN/LC_MESSAGES/sentinel.mo ] || fail "no Chinese catalogue in the bureau's package"
[ -e /usr/share/locale/zh_CN/LC_MESSAGES/sentinel.mo ] && fail "the bureau's package holds the gate's catalogue"
bureau_zh() { LANG=zh_CN.UTF-8 LC_MESSAGES=zh_CN.UTF-8 sentinel-bureau --db "$T/none.db" audit 2>&1; }
case $(bureau_zh) in
*没有民政局数据库*) ;;
*) fail "the bureau alone speaks English under zh_CN.UTF-8: $(bureau_zh)" ;;
esac
R=$ROOT/tests/fixtures/rules
mkdir -p /mnt/sentinel-stick
# The home's rule set: open mode (rules-v2), where a green code and a normal
# temperature admit a visitor, as step 10 says.
sentinel-bureau --db "$T/bureau.db" enrol --home 阳光养老院 --gate sun-gate-1 --bureau-key "$R/bureau.key.pub" \
	--duty-phone 0931-1234567 --rules "$R/rules-v2.cose" --output /mnt/sentinel-stick >"$T/enrol.out" 2>&1 ||
	fail "bureau enrol: $(cat "$T/enrol.out")"

# The README's list, literally.
# Step 10's (the first visitor) blocks go to readme-visit1.sh (the mode), readme-visit2.sh (the
# pass), both run before the visitor comes, and readme-visit3.sh, run once a visitor is in the log.
awk -v visit="$T/readme-visit" '/^## Install on a Raspberry Pi$/ { on = 1; next } /^## / { on = 0 }
     on && /^[0-9]+\. The first visitor/ { v = 1 }
     on && /^ *```sh$/ { code = 1; n += v; next } on && /^ *```/ { code = 0; next }
     on && code { sub(/^ +/, ""); if (v) print > (visit n ".sh"); else print }' README.md >"$T/readme.sh"
expect_eq "README commands" "$(cat "$T/readme.sh")" "sudo apt install -y ./sentinel-gate_*.deb
sudo sentineld -n -c /etc/sentinel/sentinel.conf
sudo sentinelctl status
sudo sentinelctl enrol /mnt/sentinel-stick
sudo sentinelctl status"
expect_eq "README commands of the first visitor" "$(cat "$T/readme-visit1.sh" "$T/readme-visit2.sh" \
	"$T/readme-visit3.sh" 2>&1)" "sudo sentinelctl policy show
sudo sentinelctl pass issue --id V-0001 --visitor 王五 --card pass-V-0001.png \\
--from \"\$(date -u +%FT%TZ)\" --until \"\$(date -u -d '+2 hours' +%FT%TZ)\"
sudo sentinelctl entries --limit 1"
# Root needs no sudo (a fresh Debian has none).
command -v sudo >/dev/null 2>&1 || printf 'sudo() { "$@"; }\n' >"$T/pre.sh"
# readme_run DIR SCRIPT OUT: the README's commands in SCRIPT run in DIR (sh -x), all output to OUT.
readme_run() {
	(cd "$1" && cat "${T}/pre.sh" "$2" 2>/dev/null | DEBIAN_FRONTEND=noninteractive sh -x) >"$3" 2>&1
}
mkdir "$T/pkg"
cp "$gate" "$T/pkg/"
readme_run "$T/pkg" "$T/readme.sh" "$T/readme.out"
grep -q "^/etc/sentinel/sentinel.conf: not enrolled (no /var/lib/sentinel/enrolment/enrolment.conf): the gate opens for nobody until 'sentinelctl enrol'\$" \
	"$T/readme.out" || fail "sentineld -n did not say 'not enrolled':
$(cat "$T/readme.out")"
grep -q '^enrolled       NO: the gate opens for nobody' "$T/readme.out" || fail "status before enrolment"
grep -q '^enrolled: gate sun-gate-1 of 阳光养老院$' "$T/readme.out" || fail "enrol: $(cat "$T/readme.out")"
grep -q '^home           阳光养老院$' "$T/readme.out" || fail "status does not show the home"
grep -q '^gate           sun-gate-1$' "$T/readme.out" || fail "status does not show the gate"

# What the package made.
expect_eq "installed" "$(dpkg-query -W -f='${db:Status-Status}' sentinel-gate)" "installed"
expect_eq "user" "$(getent passwd sentinel | cut -d: -f6,7)" "/var/lib/sentinel:/usr/sbin/nologin"
for g in gpio i2c video audio render; do
	id -nG sentinel | tr ' ' '\n' | grep -qx "$g" || fail "sentinel is not in group $g: $(id -nG sentinel)"
done
expect_eq "state directory" "$(stat -c '%a %U %G' /var/lib/sentinel)" "750 sentinel sentinel"
expect_eq "device key" "$(stat -c '%a %U %G' /var/lib/sentinel/device.key)" "600 sentinel sentinel"
expect_eq "seal key" "$(stat -c '%a %U %G' /var/lib/sentinel/device.seal)" "600 sentinel sentinel"
[ -e /var/lib/sentinel/device.seal0 ] && fail "enrol left the first seal key on the gate"
expect_eq "enrolment file" "$(stat -c '%U %G' /var/lib/sentinel/enrolment/enrolment.conf)" "sentinel sentinel"
expect_eq "rule set owner" "$(stat -c '%U' /var/lib/sentinel/rules.cose)" "sentinel"
expect_eq "conffiles" "$(dpkg-query -W -f='${Conffiles}\n' sentinel-gate | awk 'NF { print $1 }')" \
	"/etc/sentinel/sentinel.conf"
expect_eq "config mode" "$(stat -c '%a %U' /etc/sentinel/sentinel.conf)" "644 root"
cmp -s /etc/sentinel/sentinel.conf /usr/share/sentinel/sentinel-pi4.conf || fail "/etc/sentinel/sentinel.conf is not the Pi 4 configuration"
grep -q '^board = sim' /etc/sentinel/sentinel.conf && fail "the installed configuration runs the simulator"
for b in sentineld sentinelctl; do
	expect_eq "$b" "$(stat -c '%a %U' /usr/bin/$b)" "755 root"
done
[ -e /usr/share/locale/zh_CN/LC_MESSAGES/sentinel.mo ] || fail "no Chinese catalogue"
[ -e /usr/share/sentinel/clips/admit-zh.wav ] || fail "no voice clips"
[ -e /lib/udev/rules.d/99-sentinel-usb.rules ] || fail "no udev rule"
for u in sentineld.service sentinel-sync.service sentinel-sync.timer sentinel-purge.service \
	sentinel-purge.timer sentinel-sync-usb@.service; do
	[ -e "/lib/systemd/system/$u" ] || fail "unit $u not installed"
done
cp /lib/systemd/system/sentinel-sync-usb@.service "$T/sentinel-sync-usb@sdb1.service"
for u in /lib/systemd/system/sentineld.service /lib/systemd/system/sentinel-sync.service \
	/lib/systemd/system/sentinel-sync.timer /lib/systemd/system/sentinel-purge.service \
	/lib/systemd/system/sentinel-purge.timer "$T/sentinel-sync-usb@sdb1.service"; do
	expect_eq "systemd-analyze verify $u" "$(systemd-analyze verify --man=no "$u" 2>&1)" ""
done
for u in sentineld.service sentinel-sync.timer sentinel-purge.timer; do
	[ -n "$(find /etc/systemd/system -name "$u" 2>/dev/null)" ] || fail "$u not enabled"
done

# The bureau registers the keys the gate wrote back to the stick and takes
# the secret first seal key off it.
expect_eq "enrol-import" "$(sentinel-bureau --db "$T/bureau.db" enrol-import /mnt/sentinel-stick 2>&1)" \
	"registered sun-gate-1 (enrolled), home 阳光养老院
sun-gate-1: seal key registered"
[ -e /mnt/sentinel-stick/sentinel/enrol/sun-gate-1/seal0 ] && fail "enrol-import left seal0 on the stick"

# Step 10, the first visitor, through the installed daemon with the gate's
# configuration as the enrolment left it (/etc/sentinel/sentinel.conf: the
# home, rule set, keys and trust list of the enrolment, the log in
# /var/lib/sentinel), only the board simulated (board = sim): the camera
# sees a phone's QR code made as the demo makes them (qrencode), the
# thermometer reads what the scenario says, the door is the board's output
# log.  Run as the service runs it, as user sentinel, at a time inside the
# fixture rule set's validity (2026-11-28 to 12-06).  The first visitor, a
# green code at 36.5 C, is admitted and the door opens; the next, a red code
# at 36.5 C, is refused and the door stays shut; the README's step-10
# command shows the first visit.
V=$T/visit
mkdir "$V"
chmod 711 "$T"
qrencode -t PNG -l M -s 12 -m 2 --foreground=1AAD19 --background=FFFFFF -o "$V/green.png" \
	"HC:110105:Qm9aXw3Lk8TzR1vY6sHcN2pJ5eGdU7fA" || fail "qrencode green"
qrencode -t PNG -l M -s 12 -m 2 --foreground=F5222D --background=FFFFFF -o "$V/red.png" \
	"HC:110105:Uy7It4Or1Pe8Wq5As2Df9Gh6Jk3Lz0Xc" || fail "qrencode red"
sed 's/^board = linux$/board = sim/' /etc/sentinel/sentinel.conf >"$V/gate.conf"
expect_eq "visitors: only the board simulated" "$(diff /etc/sentinel/sentinel.conf "$V/gate.conf" | grep '^[<>]')" \
	"< board = linux
> board = sim"
printf '\n[sim]\nscenario = visitors.scn\noutput = out.log\nstart = 2026-11-29T12:00:00Z\nclock = trusted\n' \
	>>"$V/gate.conf"
printf '%s\n%s\n' "$(visit "$V/green.png" 36.5)" "$(visit "$V/red.png" 36.5)" >"$V/visitors.scn"
chown -R sentinel:sentinel "$V"
# Step 10 before the visitor: the mode (open); a pass issued as the list says (not needed here).
readme_run "$T/pkg" "$T/readme-visit1.sh" "$T/readme-mode.out"
grep -qE '^mode +open$' "$T/readme-mode.out" || fail "README step 10: policy show: $(cat "$T/readme-mode.out")"
readme_run "$T/pkg" "$T/readme-visit2.sh" "$T/readme-pass.out"
grep -q '^pass V-0001: card pass-V-0001.png (visitor 王\*, 1 entry, ' "$T/readme-pass.out" ||
	fail "README step 10: pass issue: $(cat "$T/readme-pass.out")"
runuser -u sentinel -- /usr/bin/sentineld -f -c "$V/gate.conf" 2>"$V/err"
expect_eq "visitors: sentineld exit ($(cat "$V/err"))" "$?" "0"
# The enrolment's rule set in force (a gate that never had one would admit
# without it: no closed management).
grep -qx 'sentineld: start: rule set version 2 (open, fresh)' "$V/err" ||
	fail "visitors: not the enrolment's rule set: $(cat "$V/err")"
# 36.5 C read is 36.8 C with the configuration's emissivity (0.98).  The
# first visitor has not left when the second comes: the home's limit (one
# visitor) is reached too.
expect_eq "visitors: entries" "$(sentinelctl entries --json 2>&1 | sed 's/"time": "[^"]*", //')" \
'{"seq": 1, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.8, "decision": "admit", "reasons": ["code-green", "temp-normal"], "door": "opened"}
{"seq": 2, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "red", "verified": "unverified", "temp_c": 36.8, "decision": "deny", "reasons": ["code-red", "capacity", "temp-normal"], "door": "shut"}'
expect_eq "visitors: the door opens once, for entry 1" "$(grep ' relay 1' "$V/out.log" 2>&1 | cut -d' ' -f2-)" "relay 1 seq=1"
readme_run "$T/pkg" "$T/readme-visit3.sh" "$T/readme-visit.out"
expect_eq "README step 10: exit" "$?" "0"
expect_eq "README step 10" "$(grep -v '^+ ' "$T/readme-visit.out")" \
"    seq  time      colour  temp result door subject      reasons
2026-11-29
      1  20:00:00  green   36.8 admit  open              code-green,temp-normal
1 entry."
expect_eq "the log" "$(stat -c '%a %U %G' /var/lib/sentinel/sentinel.db)" "600 sentinel sentinel"

# remove keeps everything; purge removes the configuration and the enrolment,
# keeps the log and the keys, and says where they are.
dpkg -r sentinel-gate >"$T/remove.out" 2>&1 || fail "dpkg -r: $(cat "$T/remove.out")"
[ -e /usr/bin/sentineld ] && fail "dpkg -r left /usr/bin/sentineld"
for f in /etc/sentinel/sentinel.conf /var/lib/sentinel/enrolment/enrolment.conf /var/lib/sentinel/device.key \
	/var/lib/sentinel/sentinel.db; do
	[ -e "$f" ] || fail "dpkg -r removed $f"
done
dpkg -P sentinel-gate >"$T/purge.out" 2>&1 || fail "dpkg -P: $(cat "$T/purge.out")"
grep -q '^sentinel-gate: the log and keys stay in /var/lib/sentinel' "$T/purge.out" ||
	fail "purge does not say where the log is: $(cat "$T/purge.out")"
# The commands it suggests work as written, from a technician's shell (sudo).
grep -qxF 'sentinel-gate: remove them with: sudo rm -r /var/lib/sentinel' "$T/purge.out" ||
	fail "purge does not suggest sudo rm: $(cat "$T/purge.out")"
grep -qxF 'sentinel-gate: (or purge with: sudo SENTINEL_PURGE_LOG=yes dpkg -P sentinel-gate)' "$T/purge.out" ||
	fail "purge does not suggest sudo SENTINEL_PURGE_LOG=yes dpkg -P: $(cat "$T/purge.out")"
expect_eq "dpkg -P: /etc/sentinel keeps only the bureau's file" "$(ls -A /etc/sentinel 2>&1)" "bureau.conf"
[ -e /var/lib/sentinel/enrolment ] && fail "dpkg -P left the enrolment"
for f in /var/lib/sentinel/device.key /var/lib/sentinel/sentinel.db /var/lib/sentinel/rules.cose; do
	[ -e "$f" ] || fail "dpkg -P removed $f"
done
getent passwd sentinel >/dev/null || fail "dpkg -P removed the user (files may still be its own)"

# ---- A closed-management home: the list again, on this machine purged of the first gate ----
rm -rf /var/lib/sentinel /mnt/sentinel-stick
mkdir -p /mnt/sentinel-stick
# The home's rule set: closed (rules-v1's content), valid around the real time (pass issue and
# the visitors use it).
sed -e 's/"valid_from": "[^"]*"/"valid_from": "2020-01-01T00:00:00Z"/' -e 's/"issued": "[^"]*"/"issued": "2020-01-01T08:00:00Z"/' \
	-e 's/"valid_until": "[^"]*"/"valid_until": "2036-01-01T00:00:00Z"/' "$R/rules-v1.json" >"$T/closed.json"
sentinel-bureau --key "$R/bureau.key" policy sign --in "$T/closed.json" --out "$T/closed.cose" >/dev/null ||
	fail "policy sign (closed)"
sentinel-bureau --db "$T/bureau.db" enrol --home 阳光养老院 --gate sun-gate-2 --bureau-key "$R/bureau.key.pub" \
	--duty-phone 0931-1234567 --rules "$T/closed.cose" --output /mnt/sentinel-stick >"$T/enrol2.out" 2>&1 ||
	fail "bureau enrol (closed): $(cat "$T/enrol2.out")"
mkdir "$T/pkg2"
cp "$gate" "$T/pkg2/"
readme_run "$T/pkg2" "$T/readme.sh" "$T/readme2.out"
grep -q '^enrolled: gate sun-gate-2 of 阳光养老院$' "$T/readme2.out" || fail "closed: enrol: $(cat "$T/readme2.out")"
grep -q '^rule set: installed version 1 ' "$T/readme2.out" || fail "closed: the package's rule set: $(cat "$T/readme2.out")"
grep -q '^gate           sun-gate-2$' "$T/readme2.out" || fail "closed: status does not show the gate"
# Step 10 before the visitor: the mode says closed; the pass, as the list issues it.
readme_run "$T/pkg2" "$T/readme-visit1.sh" "$T/readme2-mode.out"
grep -qE '^mode +closed$' "$T/readme2-mode.out" || fail "closed: README step 10: policy show: $(cat "$T/readme2-mode.out")"
readme_run "$T/pkg2" "$T/readme-visit2.sh" "$T/readme2-pass.out"
expect_eq "closed: README step 10: pass issue: exit" "$?" "0"
grep -q '^pass V-0001: card pass-V-0001.png (visitor 王\*, 1 entry, ' "$T/readme2-pass.out" ||
	fail "closed: README step 10: pass issue: $(cat "$T/readme2-pass.out")"
# The visitors at the real time (the pass's window): the first shows the pass's card, then a
# green code, and is admitted; the next shows a green code alone and is referred.
V=$T/visit2
mkdir "$V"
cp "$T/pkg2/pass-V-0001.png" "$V/pass.png" || fail "closed: no card of the pass"
qrencode -t PNG -l M -s 12 -m 2 --foreground=1AAD19 --background=FFFFFF -o "$V/green2.png" \
	"HC:110105:Zx4Cv7Bn0Mq3Wr6Ty9Ui2Op5As8Df1Gh" || fail "qrencode green2"
cp "$T/visit/green.png" "$V/green.png"
sed 's/^board = linux$/board = sim/' /etc/sentinel/sentinel.conf >"$V/gate.conf"
printf '\n[sim]\nscenario = visitors.scn\noutput = out.log\nstart = %s\nclock = trusted\n' \
	"$(date -u +%FT%TZ)" >>"$V/gate.conf"
printf '%s\n%s\n' "$(visit "$V/pass.png $V/green.png" 36.5)" "$(visit "$V/green2.png" 36.5)" >"$V/visitors.scn"
chown -R sentinel:sentinel "$V"
runuser -u sentinel -- /usr/bin/sentineld -f -c "$V/gate.conf" 2>"$V/err"
expect_eq "closed: visitors: sentineld exit ($(cat "$V/err"))" "$?" "0"
grep -qx 'sentineld: start: rule set version 1 (closed, fresh)' "$V/err" ||
	fail "closed: visitors: not the enrolment's rule set: $(cat "$V/err")"
expect_eq "closed: visitors: entries" "$(sentinelctl entries --json 2>&1 | jq -r '[.seq, .decision, (.reasons | join(","))] | @tsv')" \
"1	admit	code-green,temp-normal
2	refer	closed-mode,code-green,temp-normal"
expect_eq "closed: visitors: the door opens once, for entry 1" "$(grep ' relay 1' "$V/out.log" 2>&1 | cut -d' ' -f2-)" \
	"relay 1 seq=1"
readme_run "$T/pkg2" "$T/readme-visit3.sh" "$T/readme2-visit.out"
expect_eq "closed: README step 10: exit" "$?" "0"
expect_eq "closed: README step 10" "$(grep -v '^+ ' "$T/readme2-visit.out" | sed -E 's/^( +1)  [0-9:]{8}  /\1  TIME  /; s/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/DAY/')" \
"    seq  time      colour  temp result door subject      reasons
DAY
      1  TIME  green   36.8 admit  open              code-green,temp-normal
                                                         pass V-0001
1 entry."
SENTINEL_PURGE_LOG=yes dpkg -P sentinel-gate >"$T/purge2.out" 2>&1 || fail "dpkg -P (closed): $(cat "$T/purge2.out")"
grep -qx 'sentinel-gate: removed the log and keys in /var/lib/sentinel (SENTINEL_PURGE_LOG=yes)' "$T/purge2.out" ||
	fail "SENTINEL_PURGE_LOG=yes dpkg -P: $(cat "$T/purge2.out")"
[ -e /var/lib/sentinel ] && fail "SENTINEL_PURGE_LOG=yes dpkg -P left /var/lib/sentinel"

# Both packages were installed together (no file of one in the other); the bureau still speaks Chinese.
case $(bureau_zh) in
*没有民政局数据库*) ;;
*) fail "the bureau speaks English after the gate's package is gone: $(bureau_zh)" ;;
esac
dpkg -P sentinel-bureau >/dev/null 2>&1 || fail "dpkg -P sentinel-bureau"
[ -e /var/lib/sentinel-bureau ] && fail "dpkg -P sentinel-bureau left its empty state directory"
[ -e /etc/sentinel ] && fail "dpkg -P of both packages left /etc/sentinel"
rm -rf /var/lib/sentinel /mnt/sentinel-stick
finish
