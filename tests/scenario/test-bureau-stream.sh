#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau import of a bundle file larger than BUREAU_STREAM_ABOVE
# (2 MiB: 12,000 entries in one bundle), which is read in pieces
# (snt_bundle_reader_open_file(): the seal's tag and the signature checked
# over every byte first, then the entries read again from the file), against
# SQLite, or PostgreSQL with SENTINEL_BUREAU_DB=postgresql
# (test-bureau-pg.sh): the file cut short, a byte flipped late and one in
# the middle are refused naming the seal, and nothing of them is stored;
# the file itself is merged whole, every entry once, its chain the gate's.
# (A file changed on disk between the two readings: tests/test_bundle_file.c.)
. tests/scenario/lib.sh
bureau_begin test-bureau-stream stream
"$BB" keys init --key "$K" >/dev/null || fail "keys init"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --prefix long --entries 12000 \
	--per-bundle 12000 >/dev/null || fail "gen_bundles"
"$BB" --db "$DB" register --device long-001 --pub keys/long-001.key.pub >/dev/null || fail "register"
f=stage/long-001-1-12000-regular.snb
size=$(wc -c <"$f")
[ "$size" -gt 2097152 ] || fail "the bundle is $size bytes, not above 2 MiB: not read in pieces"
imp() { "$BB" --db "$DB" import --key "$K" "$@"; }
state() { "$BB" --db "$DB" devices --json | jq -c 'select(.device=="long-001") | [.last, .gaps, .entries]'; }
why="rejected: cannot unseal (not sealed to this bureau's key, truncated or altered): authentication failed (wrong key or altered data)"

mkdir bad
head -c $((size - 1000)) "$f" >bad/cut.snb
cp "$f" bad/late.snb
printf '\001' | dd of=bad/late.snb bs=1 seek=$((size - 30)) conv=notrunc 2>/dev/null
cp "$f" bad/middle.snb
printf '\001' | dd of=bad/middle.snb bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
out=$(imp bad)
expect_eq "altered: exit" "$?" "1"
expect_eq "altered: refused" "$out" "bad/cut.snb: $why
bad/late.snb: $why
bad/middle.snb: $why"
expect_eq "altered: nothing stored" "$(state)" "[0,[],0]"

mkdir good && cp "$f" good/
expect_eq "whole" "$(imp good)" "good/long-001-1-12000-regular.snb: device long-001 entries 1-12000 new 12000 duplicate 0"
expect_eq "whole: state" "$(state)" "[12000,[],12000]"
expect_eq "held once" "$(bureau_sql "$DB" "SELECT count(DISTINCT seq) FROM entries")" "12000"
expect_eq "again: duplicates" "$(imp good)" \
	"good/long-001-1-12000-regular.snb: device long-001 entries 1-12000 new 0 duplicate 12000"
finish
