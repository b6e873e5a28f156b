#!/bin/sh
# SPDX-License-Identifier: MIT
# The board's messages in Chinese (issue 16) under LANG=zh_CN.UTF-8, from the
# build's catalogue: sentineld refusing the linux board (the key and chip
# named), and sentinelctl selftest's details on the linux board (GPIO chip,
# IIO device, display file, no audio).  The English of the same lines is
# in test-selftest.sh and test-linux-board.sh.
. tests/scenario/lib.sh

need_zh_locale test-i18n-board
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C
zh() { LANG=zh_CN.UTF-8 "$@"; }

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
