#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering check (check-includes.py with the rules beside it): passes on
# the tree, its Makefile's module lists and its README's Layout; fails, naming
# file, line and rule, on a copy of the tree's include lines with one wrong
# line added (another module's header, an internal header, a board backend's
# header, an I/O header in a pure module), a directory without a rule, a
# program's module list missing a module, a Layout missing a folder.
# usage: test-layering.sh BUILD_DIR (unused; as the other check scripts)
. tests/scenario/lib.sh

CHECK="python3 tests/layering/check-includes.py"

out=$($CHECK --makefile Makefile --readme README.md 2>&1)
expect_eq "tree exit" "$?" "0"
expect_eq "tree output" "$out" ""

# A fixture tree: every source file of firmware/, board/ and tools/ holding
# only its #include lines (made once, copied for each case).
find firmware board tools -name '*.[ch]' | while read -r f; do
	mkdir -p "$T/base/$(dirname "$f")"
	grep '^[[:space:]]*#[[:space:]]*include' "$f" >"$T/base/$f"
done
fixture() {
	rm -rf "$T/tree"
	cp -R "$T/base" "$T/tree"
}

# bad FILE LINE: the check of the fixture with LINE appended to FILE; prints
# the checker's exit status and output, with the line number of LINE as N.
bad() {
	fixture
	mkdir -p "$T/tree/$(dirname "$1")"
	printf '%s\n' "$2" >>"$T/tree/$1"
	n=$(wc -l <"$T/tree/$1")
	$CHECK --root "$T/tree" --rules tests/layering/rules >"$T/bad.out" 2>&1
	echo "exit $?"
	sed "s/:$n:/:N:/" "$T/bad.out"
}

fixture
out=$($CHECK --root "$T/tree" --rules tests/layering/rules 2>&1)
expect_eq "fixture exit" "$?" "0"
expect_eq "fixture output" "$out" ""

expect_eq "policy includes the store" "$(bad firmware/policy/policy.c '#include "store/store.h"')" \
"exit 1
firmware/policy/policy.c:N: policy may not include firmware/store/store.h (store)"
expect_eq "another module's internal header" \
	"$(bad firmware/sign/sign.c '#include "codes/codes_internal.h"')" \
"exit 1
firmware/sign/sign.c:N: includes firmware/codes/codes_internal.h, internal to firmware/codes/"
expect_eq "a board backend's header" "$(bad firmware/checkin/checkin.c '#include "linux/gpio.h"')" \
"exit 1
firmware/checkin/checkin.c:N: checkin may not include board/linux/gpio.h (board/linux)"
expect_eq "the selftest reaches for a backend" "$(bad tools/cmd_selftest.c '#include "linux/iio.h"')" \
"exit 1
tools/cmd_selftest.c:N: tools may not include board/linux/iio.h (board/linux)"
expect_eq "the daemon's start-up reaches for a backend" \
	"$(bad firmware/sentineld_start.c '#include "linux/gpio.h"')" \
"exit 1
firmware/sentineld_start.c:N: sentineld may not include board/linux/gpio.h (board/linux)"
expect_eq "the daemon's internal header elsewhere" \
	"$(bad tools/cmd_status.c '#include "firmware/sentineld_internal.h"')" \
"exit 1
tools/cmd_status.c:N: includes firmware/sentineld_internal.h, internal to firmware/"
expect_eq "I/O in the scanner" "$(bad firmware/scan/scan.c '#include <unistd.h>')" \
"exit 1
firmware/scan/scan.c:N: scan does no I/O but includes <unistd.h>"
expect_eq "a directory without a rule" "$(bad firmware/visitor/visitor.c '#include "common/common.h"')" \
"exit 1
firmware/visitor/visitor.c:N: module visitor has no rule in tests/layering/rules
firmware/visitor/: a code directory without a rule"

# A rule that allows what a forbid line excludes.
sed 's/^module policy .*/& store/' tests/layering/rules >"$T/rules"
fixture
out=$($CHECK --root "$T/tree" --rules "$T/rules" 2>&1)
expect_eq "forbidden in the rules exit" "$?" "1"
expect_eq "forbidden in the rules" "$out" "$T/rules:1: policy lists store, which it must never include"

# sentineld's module list without cose, which trustlist, codes, sign, rules and issuers include.
sed 's/^SENTINELD_MODULES   := common entry clock cose /SENTINELD_MODULES   := common entry clock /' Makefile >"$T/Makefile"
out=$($CHECK --makefile "$T/Makefile" 2>&1)
expect_eq "module list exit" "$?" "1"
expect_eq "module list" "$out" \
"$T/Makefile:1: SENTINELD_MODULES lists trustlist but not cose, which it may include
$T/Makefile:1: SENTINELD_MODULES lists codes but not cose, which it may include
$T/Makefile:1: SENTINELD_MODULES lists sign but not cose, which it may include
$T/Makefile:1: SENTINELD_MODULES lists rules but not cose, which it may include
$T/Makefile:1: SENTINELD_MODULES lists issuers but not cose, which it may include"

# A Layout without the cose line.
grep -v '^firmware/cose/' README.md >"$T/README.md"
out=$($CHECK --readme "$T/README.md" 2>&1)
expect_eq "layout exit" "$?" "1"
expect_eq "layout" "$out" "$T/README.md:1: the Layout section does not name firmware/cose/"

finish
