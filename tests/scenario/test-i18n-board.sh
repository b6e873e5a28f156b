#!/bin/sh
# SPDX-License-Identifier: MIT
# The board's messages in Chinese (issue 16) under LANG=zh_CN.UTF-8, from the
# build's catalogue: the simulator's scenario errors (a plural count too)
# and selftest details, sentineld refusing the linux board (the key and
# chip named), and sentinelctl selftest's details on the linux board (GPIO
# chip, IIO device, display file, no audio); and in English in the C
# locale.  More English of the same lines is in test-selftest.sh,
# test-linux-board.sh and test_scenario.
. tests/scenario/lib.sh

need_zh_locale test-i18n-board
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C
zh() { LANG=zh_CN.UTF-8 "$@"; }

# The simulator: a scenario line with a word missing, one with too many words.
printf 'presence 1\nbutton button\n' >"$T/s.scn"
write_conf "$T/sim.conf" s.scn gate.db out.log
zh "$B/sentineld" -n -c "$T/sim.conf" 2>"$T/sim.err"
expect_eq "scenario error exit" "$?" "1"
expect_eq "scenario error" "$(cat "$T/sim.err")" \
	"sentineld: 主板 sim：$T/s.scn:2: “button”后应有 2 个词（ROLE 以及 0 或 1）"
"$B/sentineld" -n -c "$T/sim.conf" 2>"$T/sim.err"
expect_eq "scenario error in C" "$(cat "$T/sim.err")" \
	"sentineld: board sim: $T/s.scn:2: 'button' takes 2 words (ROLE and 0 or 1)"
printf 'temp%s\n' "$(seq 65 | sed 's/.*/ 36.5/' | tr -d '\n')" >"$T/s.scn"
zh "$B/sentineld" -n -c "$T/sim.conf" 2>"$T/sim.err"
expect_eq "too many words" "$(cat "$T/sim.err")" "sentineld: 主板 sim：$T/s.scn:1: 超过 64 个词"
"$B/sentineld" -n -c "$T/sim.conf" 2>"$T/sim.err"
expect_eq "too many words in C" "$(cat "$T/sim.err")" "sentineld: board sim: $T/s.scn:1: more than 64 words"
printf 'temp 36.5\n' >"$T/s.scn"
zh "$B/sentinelctl" selftest --config "$T/sim.conf" >"$T/simsel.out" 2>"$T/simsel.err"
expect_eq "sim selftest exit" "$?" "0"
expect_eq "sim selftest" "$(grep -E '^(relay|display|presence|audio) ' "$T/simsel.out")" \
"relay sim ok 输出日志
display sim ok 输出日志（未驱动；加 --outputs 可驱动）
presence sim ok 场景
audio sim ok 未配置"

if [ -e /dev/gpiochip0 ]; then
	echo "SKIP (part): this machine has /dev/gpiochip0"
else
	write_linux_conf "$T/linux.conf" "$ROOT/tests/fixtures/iio"
	zh "$B/sentineld" -n -c "$T/linux.conf" 2>"$T/n.err"
	expect_eq "sentineld -n exit" "$?" "1"
	expect_eq "sentineld -n stderr" "$(cat "$T/n.err")" \
		"sentineld: 主板 linux：$T/linux.conf：[gpio] 节的键“relay”：gpiochip0:17：没有这个 GPIO 芯片"

	mkdir "$T/noiio"
	: >"$T/display"
	write_linux_conf "$T/sel.conf" "$T/noiio"
	printf '[display]\npath = display\n' >>"$T/sel.conf"
	zh "$B/sentinelctl" selftest --config "$T/sel.conf" >"$T/sel.out" 2>"$T/sel.err"
	expect_eq "selftest exit" "$?" "1"
	expect_eq "selftest: GPIO chip" "$(grep -E '^(relay|presence) ' "$T/sel.out")" \
"relay gpiod FAIL [gpio] 节的键“relay”：gpiochip0:17：没有这个 GPIO 芯片
presence gpiod FAIL [gpio] 节的键“presence”：gpiochip0:5：没有这个 GPIO 芯片"
	expect_eq "selftest: IIO device" "$(grep '^thermometer ' "$T/sel.out")" \
		"thermometer iio FAIL $T/noiio：没有名为“mlx90614”的 IIO 设备"
	expect_eq "selftest: display file" "$(grep '^display ' "$T/sel.out")" \
		"display file ok $T/display（未驱动；加 --outputs 可驱动）"
	expect_eq "selftest: no audio" "$(grep '^audio ' "$T/sel.out")" "audio none ok 未配置"
	expect_eq "selftest stderr" "$(cat "$T/sel.err")" ""
	# The same run in the C locale stays English.
	"$B/sentinelctl" selftest --config "$T/sel.conf" >"$T/c.out" 2>&1
	expect_eq "selftest in C: IIO device" "$(grep '^thermometer ' "$T/c.out")" \
		"thermometer iio FAIL $T/noiio: no IIO device named 'mlx90614'"
fi

finish
