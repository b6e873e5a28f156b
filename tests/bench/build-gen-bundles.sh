#!/bin/sh
# SPDX-License-Identifier: MIT
# Build tests/bench/gen_bundles.c against BUILD_DIR/tests/modules.a into OUT,
# with the sanitizers when that library was built with them (make check).
# usage: build-gen-bundles.sh BUILD_DIR OUT
set -eu
b=${1:?usage: build-gen-bundles.sh BUILD_DIR OUT}
out=${2:?usage: build-gen-bundles.sh BUILD_DIR OUT}
[ -f "$b/tests/modules.a" ] || { echo "build-gen-bundles: $b/tests/modules.a missing: run make first" >&2; exit 1; }
pkgs=$(sed -n 's/^PKGS *:= *//p' Makefile | head -n 1)
san=
if nm "$b/tests/modules.a" 2>/dev/null | grep -q '__asan_report'; then
	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
# shellcheck disable=SC2046,SC2086
gcc -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare \
	-Wstrict-prototypes -Wformat=2 -D_GNU_SOURCE -O1 -g $san -I. -Ifirmware -Iboard \
	$(pkg-config --cflags $pkgs) -o "$out" tests/bench/gen_bundles.c "$b/tests/modules.a" \
	$(pkg-config --libs $pkgs) -lm
