#!/bin/sh
# SPDX-License-Identifier: MIT
# The visitor screen and voice on the simulated board:
# (1) the demo: each visitor's screen sequence (screens/NNNN-<state>.png)
#     and voice prompt sequence (output-log 'audio "<clip>"' lines) match
#     the decisions; every display line of the log has its PNG; no screen
#     shows a payload or its token, checked on the texts given to the
#     renderer (NNNN-*.txt) and by OCR of each visitor's result screen; no
#     screen carries a readable code (sentinelctl scan finds none);
# (2) a display that fails mid-visit (its result screen cannot be written):
#     the entry is still committed, the relay still driven, and the failure
#     is a device-fault event and alert.
. tests/scenario/lib.sh

sh board/sim/demo/run-demo.sh "$B" >"$T/demo.out" 2>&1 || { cat "$T/demo.out" >&2; fail "demo failed"; finish; }
d=$B/demo
grep -q "^contact sheet: /.*/demo/contact-sheet.html\$" "$T/demo.out" || fail "demo did not print the contact sheet's path"
expect_eq "contact sheet rows" "$(grep -c '<tr>' "$d/contact-sheet.html")" "16"

# One PNG (and its texts) per display line, in order, numbered from 0001.
expect_eq "screens = display lines" "$(ls "$d"/screens/*.png | wc -l)" "$(grep -c ' display "' "$d/outputs.log")"
expect_eq "first screen" "$(ls "$d"/screens | head -1)" "0001-idle.png"
# The idle screen at start and after each visitor: 17 in all.
expect_eq "idle screens" "$(ls "$d"/screens/*-idle.png | wc -l)" "17"
for f in "$d"/screens/*.png; do [ -s "${f%.png}.txt" ] || fail "no texts for $f"; done

# The screen sequence, one line per visitor (a visit starts at a preview).
ls "$d"/screens/*.png | sed -E 's#.*/[0-9]+-##; s#\.png$##' | grep -vx idle |
	awk '$0 == "preview" && prev != "preview" { if (n++) printf "\n" } { printf "%s%s", (prev == "" || ($0 == "preview" && prev != "preview")) ? "" : " ", $0; prev = $0 } END { printf "\n" }' >"$T/seq"
# Registration by ID card (demo.conf): every visitor is asked for the card after the code.
expect_eq "screens per visitor" "$(cat "$T/seq")" "preview idcard measuring admit
preview idcard measuring deny
preview idcard measuring admit
preview idcard measuring remeasure fever
preview idcard measuring deny
preview idcard measuring remeasure fever
preview idcard measuring remeasure admit
preview idcard measuring refer
preview idcard measuring remeasure remeasure refer
preview idcard measuring refer
preview idcard measuring remeasure admit
preview idcard measuring refer
preview idcard measuring remeasure fever
preview idcard measuring deny
preview idcard measuring admit
preview idcard measuring admit"

# The result screens match the logged decisions (visitor 3 repeats visitor 1: no entry).
awk '{ print $NF }' "$T/seq" | sed 3d >"$T/results"
"$B/sentinelctl" entries --json --db "$d/demo.db" |
	sed -E 's/.*"decision": "([a-z]+)", "reasons": \[([^]]*)\].*/\1 \2/' |
	awk '{ if ($1 == "deny" && $2 ~ /"fever"/) print "fever"; else print $1 }' >"$T/decisions"
expect_eq "result screens = decisions" "$(cat "$T/results")" "$(cat "$T/decisions")"

# The voice: each screen's prompt, Chinese then English, in the screens' order.
tr ' ' '\n' <"$T/seq" | grep . | awk '{ print $0 "-zh"; print $0 "-en" }' >"$T/want-audio"
grep ' audio "' "$d/outputs.log" | sed -E 's/^[0-9]+ audio "(.*)"$/\1/' >"$T/audio"
expect_eq "voice prompts" "$(cat "$T/audio")" "$(cat "$T/want-audio")"
# Each prompt comes at the time of its screen.
grep -E ' (display|audio) ' "$d/outputs.log" | awk '$2 == "display" { t = $1 } $2 == "audio" && $1 != t { bad++ } END { print bad + 0 }' >"$T/late"
expect_eq "prompts at their screen's time" "$(cat "$T/late")" "0"
[ "$(wc -c <"$d/audio.wav")" -gt 100000 ] || fail "audio.wav holds no clips"
# RIFF/WAVE, PCM (format 1), 16 bits per sample.
w=$d/audio.wav
expect_eq "audio.wav header" "$(dd if="$w" bs=1 count=4 2>/dev/null) $(dd if="$w" bs=1 skip=8 count=7 2>/dev/null) \
$(od -An -tu2 -j20 -N2 "$w" | tr -d ' ') $(od -An -tu2 -j34 -N2 "$w" | tr -d ' ')" "RIFF WAVEfmt 1 16"

# No payload, nor its token, in anything given to the renderer.
sed -n "/^done <<'LIST'/,/^LIST/p" board/sim/demo/make-screens.sh | sed '1d;$d' | awk '{ print $3 }' >"$T/payloads"
cat "$d"/screens/*.txt >"$T/texts"
while read -r p; do
	token=$(printf '%s' "$p" | sed -E 's/.*(code=|q\/|HC:[0-9]{6}:)([A-Za-z0-9_-]{16,}).*/\2/')
	grep -qF "$p" "$T/texts" && fail "a screen's texts contain the payload $p"
	grep -qF "$token" "$T/texts" && fail "a screen's texts contain the token $token"
done <"$T/payloads"
# No readable code on any screen (the frozen camera frame is pixelated).
"$B/sentinelctl" scan --json "$d"/screens/*-preview.png >"$T/scan" || fail "scan of the screens failed"
expect_eq "screens with a readable code" "$(grep -vc '"codes": \[\]' "$T/scan")" "0"

# OCR of the first result screen of each kind (a small set, for time): the
# expected words, no token.
if command -v tesseract >/dev/null; then
	: >"$T/list"
	: >"$T/kinds"
	for r in admit deny fever refer; do
		f=$(ls "$d"/screens/*-$r.png | head -1)
		convert "$f" -resize 50% "$T/ocr-${f##*/}"
		echo "$T/ocr-${f##*/}" >>"$T/list"
		echo "$r" >>"$T/kinds"
	done
	OMP_THREAD_LIMIT=1 tesseract "$T/list" "$T/ocr" -l chi_sim+eng >/dev/null 2>&1 || fail "tesseract failed"
	n=0
	while read -r r; do
		n=$((n + 1))
		awk -v n="$n" 'BEGIN { RS = "\f" } NR == n' "$T/ocr.txt" >"$T/page"
		case $r in
		admit) w="Please enter" ;; deny) w="Entry refused" ;; refer) w="Please wait for staff" ;;
		fever) w="temperature: please wait" ;; esac
		grep -qF "$w" "$T/page" || fail "result screen $r: OCR did not find '$w': $(tr '\n' '|' <"$T/page")"
		while read -r p; do
			token=$(printf '%s' "$p" | sed -E 's/.*(code=|q\/|HC:[0-9]{6}:)([A-Za-z0-9_-]{16,}).*/\2/')
			grep -qF "$token" "$T/page" && fail "result screen $r shows the token $token"
		done <"$T/payloads"
	done <"$T/kinds"
fi

# (2) The result screen cannot be written (a directory stands where its PNG goes).
mkdir -p "$T/f/screens/0004-admit.png"
cp "$FIX/green.png" "$FIX/red.png" "$T/f/"
cat >"$T/f/visits.scn" <<'SCN'
show green.png
temp 36.5
presence 1
wait 12000
presence 0
wait 1000
show red.png
temp 36.6
presence 1
wait 12000
presence 0
SCN
write_conf "$T/f/gate.conf" "$T/f/visits.scn" "$T/f/gate.db" "$T/f/out.log"
"$B/sentineld" -f -c "$T/f/gate.conf" 2>"$T/f/err"
expect_eq "sentineld with a failing display" "$?" "0"
expect_eq "screens written" "$(cd "$T/f/screens" && ls -p | grep -v /)" "0001-idle.png
0001-idle.txt
0002-preview.png
0002-preview.txt
0003-measuring.png
0003-measuring.txt
0004-admit.txt
0005-idle.png
0005-idle.txt
0006-preview.png
0006-preview.txt
0007-measuring.png
0007-measuring.txt
0008-deny.png
0008-deny.txt
0009-idle.png
0009-idle.txt"
"$B/sentinelctl" entries --json --db "$T/f/gate.db" | head -1 | grep -q '"seq": 1, .*"decision": "admit", .*"door": "opened"' ||
	fail "the admitted entry was not committed"
# The door first, then the screen.
expect_eq "relay, then the result screen" "$(sed -n '/ relay 1 seq=1$/,$p' "$T/f/out.log" | sed -n 2p)" \
	'0 display "绿码 体温正常 请通行\nGreen code, temperature normal: please enter"'
"$B/sentinelctl" alerts --json --db "$T/f/gate.db" >"$T/f/alerts"
expect_eq "display fault alerts" "$(grep -c '"kind": "device-fault".*display: device I/O error' "$T/f/alerts")" "1"
finish
