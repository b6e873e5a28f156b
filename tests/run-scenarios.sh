#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every tests/scenario/test-*.sh against the programs in BUILD_DIR.
# Each script exits 0 (pass), 77 (skip) or anything else (fail).
set -u
b=$(cd "${1:?usage: run-scenarios.sh BUILD_DIR}" && pwd)
pass=0; fail=0; skipped=0
for t in tests/scenario/test-*.sh; do
	echo "== $t"
	sh "$t" "$b"
	rc=$?
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skipped=$((skipped + 1)); echo "SKIPPED: $t" ;;
	*) fail=$((fail + 1)); echo "FAILED: $t (exit $rc)" ;;
	esac
done
echo "scenario: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
