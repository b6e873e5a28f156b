#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a helper program of the tests or benchmarks, SRC, against
# BUILD_DIR/tests/modules.a into OUT with the project's warnings (-O1 -g),
# with the sanitizers when that library was built with them (make check);
# FLAGS come last (-O2 for a benchmark's figures).
# usage: build-prog.sh BUILD_DIR OUT SRC [FLAGS...]
set -eu
b=${1:?usage: build-prog.sh BUILD_DIR OUT SRC [FLAGS...]}
out=${2:?usage: build-prog.sh BUILD_DIR OUT SRC [FLAGS...]}
src=${3:?usage: build-prog.sh BUILD_DIR OUT SRC [FLAGS...]}
shift 3
[ -f "$b/tests/modules.a" ] || { echo "build-prog: $b/tests/modules.a missing: run make first" >&2; exit 1; }
pkgs=$(sed -n 's/^PKGS *:= *//p' Makefile | head -n 1)
san=
if nm "$b/tests/modules.a" 2>/dev/null | grep -q '__asan_report'; then
	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
# shellcheck disable=SC2046,SC2086
gcc -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare \
	-Wstrict-prototypes -Wformat=2 -D_GNU_SOURCE -O1 -g $san -I. -Ifirmware -Iboard \
	$(pkg-config --cflags $pkgs) "$@" -o "$out" "$src" "$b/tests/modules.a" \
	$(pkg-config --libs $pkgs) -lm
