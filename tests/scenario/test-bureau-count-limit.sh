#!/bin/sh
# SPDX-License-Identifier: MIT
# A bundle whose "count" is over the bureau's limit (SNT_BUNDLE_MAX_ACCEPT,
# 100000) is refused naming the limit and what a gate writes, in English and
# under LANG=zh_CN.UTF-8 alike: sentinel-bureau import tells the limit by the
# diagnostic's code (snt_bundle_diag.limit), not by the words of its message,
# which are translated.  A count that only disagrees with the entries is a
# plain mismatch in either language, never called a limit.  sentinel-bureau
# serve answers the gate's POST /v1/bundle with the reason in English whatever
# its own language: the body goes to a gate (which shows printable ASCII only).
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

# serve, in Chinese: the 400 body is the English reason, the same as import's.
# (serve_start waits for the English 'listening on' line: started here.)
LC_ALL=zh_CN.UTF-8 "$BB" --db "$DB" serve --key "$K" --listen 127.0.0.1:0 >zh.log 2>zh.err &
serve_pid=$!
serve_pids="$serve_pids $serve_pid"
i=0
while ! grep -q '^在 127\.0\.0\.1:[0-9]* 上监听$' zh.log 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(sed -n 's/^在 127\.0\.0\.1:\([0-9]*\) 上监听$/\1/p' zh.log)
[ -n "$port" ] || { fail "serve (in Chinese) did not start: $(cat zh.err)"; finish; }
U="http://127.0.0.1:$port"
post() { curl -s -o "$2" -w '%{http_code}' -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$U/v1/bundle"; }
expect_eq "serve, over the limit: status" "$(post over/gate-001-1-3-regular.snb body1)" "400"
expect_eq "serve, over the limit: body" "$(cat body1)" "count 100001 not within 1 to 100000 \
(a bundle may hold at most 100000 entries; a gate writes at most 5000)"
expect_eq "serve, count off: status" "$(post off/other-001-1-3-regular.snb body2)" "400"
expect_eq "serve, count off: body" "$(cat body2)" "count does not match: count 2 but 3 entries"
serve_stop

finish
