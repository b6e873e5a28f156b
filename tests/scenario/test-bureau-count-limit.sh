#!/bin/sh
# SPDX-License-Identifier: MIT
# A bundle whose "count" is over the bureau's limit (SNT_BUNDLE_MAX_ACCEPT,
# 100000) is refused naming the limit and what a gate writes, in English and
# under LANG=zh_CN.UTF-8 alike: sentinel-bureau import tells the limit by the
# diagnostic's code (snt_bundle_diag.limit), not by the words of its message,
# which are translated.  A count that only disagrees with the entries is a
# plain mismatch in either language, never called a limit.
. tests/scenario/lib.sh
need_zh_locale test-bureau-count-limit
bureau_begin test-bureau-count-limit

"$BB" keys init --key "$K" >/dev/null || fail "keys init"
# 3 entries each; the first bundle claims 100001, the second (another gate) 2.
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out over --flat --devices 1 --entries 3 --per-bundle 3 \
	--claim-count 100001 >/dev/null || fail "gen_bundles (over the limit)"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out off --flat --devices 1 --entries 3 --per-bundle 3 \
	--prefix other --claim-count 2 >/dev/null || fail "gen_bundles (count off by one)"
"$BB" --db "$DB" register --device gate-001 --pub keys/gate-001.key.pub >/dev/null || fail "register gate-001"
"$BB" --db "$DB" register --device other-001 --pub keys/other-001.key.pub >/dev/null || fail "register other-001"
imp() { "$BB" --db "$DB" import --key "$K" "$@" 2>&1; }
zh() { LC_ALL=zh_CN.UTF-8 "$@"; }

out=$(imp over)
expect_eq "over the limit: exit" "$?" "1"
expect_eq "over the limit" "$out" "over/gate-001-1-3-regular.snb: rejected: count 100001 not within 1 to 100000 \
(a bundle may hold at most 100000 entries; a gate writes at most 5000)"
out=$(zh imp over)
expect_eq "over the limit, in Chinese: exit" "$?" "1"
expect_eq "over the limit, in Chinese" "$out" "over/gate-001-1-3-regular.snb：拒收：count 100001 不在 1 到 100000 之间\
（一个数据包最多容纳 100000 条记录；闸机最多写 5000 条）"

out=$(imp off)
expect_eq "count off: exit" "$?" "1"
expect_eq "count off" "$out" "off/other-001-1-3-regular.snb: rejected: count does not match: count 2 but 3 entries"
out=$(zh imp off)
expect_eq "count off, in Chinese: exit" "$?" "1"
expect_eq "count off, in Chinese" "$out" "off/other-001-1-3-regular.snb：拒收：数量不符：count 为 2，但有 3 条记录"
expect_eq "nothing stored" "$("$BB" --db "$DB" devices --json | jq -c '[.device, .last]' | sort | tr '\n' ' ')" \
	'["gate-001",0] ["other-001",0] '

finish
