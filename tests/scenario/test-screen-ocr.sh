#!/bin/sh
# SPDX-License-Identifier: MIT
# The visitor screen read back by OCR: test_screen renders every state in
# both language orders (PNG artifacts in $B/screen-artifacts); each is
# halved with ImageMagick and read by Tesseract (chi_sim+eng, one run over
# the list, so the models load once).  Every state must show its English
# title and a Chinese word of its title, in the configured order.
. tests/scenario/lib.sh

command -v tesseract >/dev/null || { echo "tesseract not installed (make deps)" >&2; exit 77; }
art=$B/screen-artifacts
SNT_SCREEN_ARTIFACTS=$art "$B/tests/test_screen" >"$T/unit.out" 2>&1 ||
	{ cat "$T/unit.out" >&2; fail "test_screen failed"; finish; }

# state, English title, a Chinese word of the title
cat >"$T/want" <<'WANT'
idle	Show your health code	健康码
preview	Hold your code in	健康码
measuring	Look at the sensor	测温
remeasure	Measure again	再测
admit	Please enter	通行
deny	Entry refused	禁止
refer	Please wait for staff	工作人员
fever	High temperature	体温异常
fault	System fault	系统故障
fire	Fire alarm	疏散
stale	Rules out of date	规则已过期
exit	Exit: please go through	通行
not-enrolled	Gate not enrolled	未登记
WANT
: >"$T/list"
for lang in zh en; do
	while IFS='	' read -r st en zh; do
		convert "$art/$lang-$st.png" -resize 50% "$T/$lang-$st.png"
		echo "$T/$lang-$st.png" >>"$T/list"
	done <"$T/want"
done
OMP_THREAD_LIMIT=1 tesseract "$T/list" "$T/ocr" -l chi_sim+eng >/dev/null 2>&1 ||
	fail "tesseract failed"
# One page per image, separated by form feeds, in list order.
n=0
for lang in zh en; do
	while IFS='	' read -r st en zh; do
		n=$((n + 1))
		awk -v n="$n" 'BEGIN { RS = "\f" } NR == n' "$T/ocr.txt" >"$T/page"
		grep -qF "$en" "$T/page" || fail "$lang-$st: OCR did not find '$en': $(tr '\n' '|' <"$T/page")"
		grep -qF "$zh" "$T/page" || fail "$lang-$st: OCR did not find '$zh': $(tr '\n' '|' <"$T/page")"
		# The language order: the first language's title comes first.
		le=$(grep -nF "$en" "$T/page" | head -1 | cut -d: -f1)
		lz=$(grep -nF "$zh" "$T/page" | head -1 | cut -d: -f1)
		if [ -n "$le" ] && [ -n "$lz" ]; then
			if [ "$lang" = zh ] && [ "$lz" -gt "$le" ]; then fail "$lang-$st: English before Chinese"; fi
			if [ "$lang" = en ] && [ "$le" -gt "$lz" ]; then fail "$lang-$st: Chinese before English"; fi
		fi
	done <"$T/want"
done
expect_eq "pages read" "$n" "26"
# The result screens show the temperature and the duty phone as given.
awk 'BEGIN { RS = "\f" } NR == 5' "$T/ocr.txt" | grep -qF "36.5 °C" || fail "zh-admit: no temperature"
awk 'BEGIN { RS = "\f" } NR == 6' "$T/ocr.txt" | grep -qF "0931-8888-0001" || fail "zh-deny: no duty phone"
finish
