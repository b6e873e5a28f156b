#!/bin/sh
# SPDX-License-Identifier: MIT
# `make check`: the unit test binaries, then the scenario scripts, from the
# project root.  Ends with one summary line "check: N passed, N failed".
# usage: run-check.sh BUILD_DIR UNIT_TEST...
set -u
b=${1:?usage: run-check.sh BUILD_DIR UNIT_TEST...}
shift
pass=0; fail=0; skipped=0
# fontconfig (through Pango) keeps its cache for the process's life.
LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
for t in "$@"; do
	echo "== $t"
	# shellcheck disable=SC2086
	if ${QEMU:-} "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
# A cross build (QEMU set) runs the unit tests only.
if [ -n "${QEMU:-}" ]; then
	echo "check: $pass passed, $fail failed, 0 skipped (unit tests under $QEMU)"
	[ "$fail" -eq 0 ]
	exit
fi
for t in tests/layering/test-*.sh tests/i18n/test-*.sh tests/scenario/test-*.sh; do
	echo "== $t"
	sh "$t" "$b"
	rc=$?
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skipped=$((skipped + 1)); echo "SKIPPED: $t" ;;
	*) fail=$((fail + 1)); echo "FAILED: $t (exit $rc)" ;;
	esac
done
echo "check: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
