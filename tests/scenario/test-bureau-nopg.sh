#!/bin/sh
# SPDX-License-Identifier: MIT
# The SQLite-only bureau (make BUREAU_PG=no, what cross builds make):
# - the Makefile leaves db_pg*.c and libpq out and defines SNT_BUREAU_NO_PG
#   for the bureau's files (make -n), and a cross build defaults to it;
# - such a bureau (its files built here with -DSNT_BUREAU_NO_PG against the
#   test modules, linked without libpq) refuses --db postgresql://... with a
#   reason naming the missing backend (exit 2, nothing made), and works on an
#   SQLite file as ever.
. tests/scenario/lib.sh

[ -f "$B/tests/modules.a" ] || { echo "test-bureau-nopg: $B/tests/modules.a not built: skipped"; exit 77; }

plan=$(make -n --no-print-directory B="$T/nopg" BUREAU_PG=no "$T/nopg/sentinel-bureau" 2>&1)
expect_eq "BUREAU_PG=no: no PostgreSQL file" "$(printf '%s\n' "$plan" | grep -c 'db_pg')" "0"
expect_eq "BUREAU_PG=no: no libpq" "$(printf '%s\n' "$plan" | tail -n 1 | grep -c -- '-lpq')" "0"
expect_eq "BUREAU_PG=no: the backend compiled out" \
	"$(printf '%s\n' "$plan" | grep 'tools/bureau/backend.c' | grep -c -- '-DSNT_BUREAU_NO_PG')" "1"
plan=$(make -n --no-print-directory B="$T/pg" "$T/pg/sentinel-bureau" 2>&1)
expect_eq "by default: PostgreSQL in" "$(printf '%s\n' "$plan" | tail -n 1 | grep -c -- '-lpq')" "1"
expect_eq "a cross build: SQLite only" "$(make -n --no-print-directory CROSS=aarch64-linux-gnu- \
	B="$T/arm" "$T/arm/sentinel-bureau" 2>/dev/null | tail -n 1 | grep -c -- '-lpq')" "0"
out=$(make -n --no-print-directory BUREAU_PG=maybe 2>&1)
case $out in *"BUREAU_PG must be yes or no, not 'maybe'"*) ;; *) fail "BUREAU_PG=maybe: $out" ;; esac

# The bureau as BUREAU_PG=no builds it.
pkgs="$(sed -n 's/^PKGS *:= *//p' Makefile | head -n 1) libmicrohttpd libqrencode"
san=
nm "$B/tests/modules.a" 2>/dev/null | grep -q '__asan_report' && san="-fsanitize=address,undefined -fno-omit-frame-pointer"
# shellcheck disable=SC2046,SC2086
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -DSNT_BUREAU_NO_PG -DSNT_VERSION=\"test\" -O1 -g $san \
	-I. -Ifirmware -Iboard $(pkg-config --cflags $pkgs) -o "$T/bureau" \
	$(ls tools/bureau/*.c | grep -v 'db_pg') "$B/tests/modules.a" $(pkg-config --libs $pkgs) -lm \
	2>"$T/cc.err" || { fail "build: $(cat "$T/cc.err")"; finish; }
ldd "$T/bureau" | grep -q libpq && fail "the SQLite-only bureau links libpq"
out=$("$T/bureau" --db 'postgresql://bureau:secret@db.example/bureau' devices 2>&1)
expect_eq "postgresql:// refused: exit" "$?" "2"
expect_eq "postgresql:// refused" "$out" \
	"sentinel-bureau: devices: cannot open postgresql://bureau:***@db.example/bureau: this sentinel-bureau was built without its PostgreSQL backend (make BUREAU_PG=no): use an SQLite database file, or a build with PostgreSQL"
"$T/bureau" keys init --key "$T/gate.key" >/dev/null || fail "keys init"
"$T/bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
out=$("$T/bureau" --db "$T/b.db" register --device gate-1 --pub "$T/gate.key.pub" 2>&1)
expect_eq "SQLite: register: exit" "$?" "0"
expect_eq "SQLite: devices" "$("$T/bureau" --db "$T/b.db" devices | cut -d' ' -f1)" "gate-1"
finish
