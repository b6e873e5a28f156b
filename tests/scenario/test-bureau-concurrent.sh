#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau under concurrent writers (issue 17), against SQLite, or
# PostgreSQL with SENTINEL_BUREAU_DB=postgresql (test-bureau-pg.sh):
# - the same six bundles imported by two processes at the same moment: each
#   entry held once, new + duplicate add up, no gap reported by either;
# - a gate's bundles posted to serve (--workers 4) while its stick (the
#   same bundles) is imported: every POST acknowledged, each entry held once,
#   no gap;
# - import killed with SIGKILL while merging a 5,000-entry bundle, five
#   times at different moments, and against PostgreSQL twice more inside the
#   merge's transaction for sure (held at its write into entries by a lock,
#   seen in pg_stat_activity): all or nothing of the bundle is held each time,
#   nothing after a kill inside the transaction; the import run again
#   merges everything, the hashes equal the gate's;
# - a bundle of 2,500 entries (three batches of the merge's stream) refused
#   in its last batch, where it forks from what is held: nothing of its first
#   two batches is held afterwards.
. tests/scenario/lib.sh
bureau_begin test-bureau-concurrent concurrent
"$BB" keys init --key "$K" >/dev/null || fail "keys init"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --devices 3 --entries 3000 \
	--per-bundle 500 >/dev/null || fail "gen_bundles"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs4 --out stage4 --flat --prefix big --entries 5000 \
	--per-bundle 5000 >/dev/null || fail "gen_bundles big"
for d in gate-001 gate-002 gate-003 big-001; do
	k=keys/$d.key.pub
	"$BB" --db "$DB" register --device $d --pub "$k" >/dev/null || fail "register $d"
done
# (a function run in the background is a subshell: kill -KILL needs the program itself)
imp() { "$BB" --db "$DB" import --key "$K" "$@"; }
state() { "$BB" --db "$DB" devices --json | jq -c "select(.device==\"$1\") | [.last, .gaps, .entries]"; }
held_once() {
	bureau_sql "$DB" "SELECT count(*), count(DISTINCT seq) FROM entries
		WHERE dev = (SELECT id FROM devices WHERE device = '$1')"
}
sum() { awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) s += $(i + 1) } END { print s + 0 }' "$2"; }

# ---- the same bundles imported twice at the same moment ----
mkdir a && cp stage/gate-001-*.snb a/
imp a >a1.out 2>a1.err &
p1=$!
imp a >a2.out 2>a2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
expect_eq "two imports at once: exits" "$r1 $r2" "0 0"
expect_eq "two imports at once: stderr" "$(cat a1.err a2.err)" ""
expect_eq "two imports at once: new" "$(cat a1.out a2.out | sum new -)" "3000"
expect_eq "two imports at once: duplicate" "$(cat a1.out a2.out | sum duplicate -)" "3000"
expect_eq "two imports at once: state" "$(state gate-001)" "[3000,[],3000]"
expect_eq "two imports at once: held once" "$(held_once gate-001)" "3000|3000"

# ---- online upload while the stick is imported ----
serve_start serve --db "$DB" serve --key "$K" --listen 127.0.0.1:0 --workers 4
mkdir b && cp stage/gate-002-*.snb b/
imp b >b.out 2>b.err &
pi=$!
for f in b/*.snb; do
	curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/octet-stream' \
		--data-binary "@$f" "http://127.0.0.1:$port/v1/bundle" >>posts.out &
done
wait $pi
expect_eq "stick import during uploads: exit" "$?" "0"
i=0
while [ "$(wc -l <posts.out)" -lt 6 ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
expect_eq "uploads during the stick import" "$(sort posts.out | uniq -c | sed 's/^ *//')" "6 200"
serve_stop TERM
expect_eq "serve stopped" "$?" "0"
expect_eq "uploads and import: every entry once" \
	"$(( $(sum new b.out) + $(sed -n 's/.* new \([0-9]*\) duplicate.*/new \1/p' serve.log | sum new -) ))" "3000"
expect_eq "uploads and import: state" "$(state gate-002)" "[3000,[],3000]"
expect_eq "uploads and import: held once" "$(held_once gate-002)" "3000|3000"

# ---- SIGKILL in the middle of a merge ----
mkdir c && cp stage4/big-001-1-5000-regular.snb c/
kills=0
if bureau_pg; then
	# Twice: the merge held at its write into entries (a COPY: the bundle is past everything
	# held) by a session holding entries in SHARE mode, inside its transaction, then killed there.
	for round in 1 2; do
		printf 'BEGIN;\nLOCK TABLE entries IN SHARE MODE;\nSELECT pg_sleep(60);\n' |
			"$PG_BIN/psql" -X -q -d "$DB" >/dev/null 2>&1 &
		blocker=$!
		i=0
		until [ "$(pg_sql "$DB" "SELECT count(*) FROM pg_locks WHERE relation = 'entries'::regclass
			AND mode = 'ShareLock' AND granted")" = 1 ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
		"$BB" --db "$DB" import --key "$K" c >/dev/null 2>&1 &
		p=$!
		i=0
		until [ "$(pg_sql "$DB" "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
			AND (query LIKE 'INSERT INTO entries%' OR query LIKE 'COPY entries%')")" = 1 ] ||
			[ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
		[ $i -lt 400 ] || fail "round $round: the merge never reached its write into entries"
		kill -KILL $p && kills=$((kills + 1))
		wait $p 2>/dev/null
		pg_sql "$DB" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%'
			AND pid <> pg_backend_pid()" >/dev/null
		wait $blocker 2>/dev/null
		expect_eq "SIGKILL at the merge's write, round $round: nothing held" "$(state big-001)" "[0,[],0]"
	done
fi
for delay in 0.05 0.15 0.3 0.5 0.8; do
	"$BB" --db "$DB" import --key "$K" c >/dev/null 2>&1 &
	p=$!
	sleep $delay
	kill -KILL $p 2>/dev/null && kills=$((kills + 1))
	wait $p 2>/dev/null
	s=$(state big-001)
	case $s in
	"[0,[],0]" | "[5000,[],5000]") ;;
	*) fail "after SIGKILL at $delay: $s" ;;
	esac
done
[ "$kills" -ge 1 ] || fail "no import was killed"
out=$(imp c)
expect_eq "import after the kills: exit" "$?" "0"
case $out in
"c/big-001-1-5000-regular.snb: device big-001 entries 1-5000 new "*) ;;
*) fail "import after the kills: $out" ;;
esac
expect_eq "after the kills: state" "$(state big-001)" "[5000,[],5000]"
expect_eq "after the kills: held once" "$(held_once big-001)" "5000|5000"
"$BB" --db "$DB" entries --device big-001 --json | jq -r .hash >bureau.hash
sqlite3 logs4/big-001.db "SELECT lower(hex(hash)) FROM entries ORDER BY seq" >gate.hash
cmp -s gate.hash bureau.hash || fail "after the kills: hashes differ from the gate's"
# ---- refused in its last batch: nothing of the batches before it stays ----
"$G" --bureau-pub "$K.pub" --keys keys --logs logs5 --out stage5 --flat --prefix fork --entries 2500 \
	--per-bundle 500 >/dev/null || fail "gen_bundles fork"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs6 --out stage6 --flat --prefix fork --entries 2500 \
	--per-bundle 2500 --variant 1 >/dev/null || fail "gen_bundles fork variant"
"$BB" --db "$DB" register --device fork-001 --pub keys/fork-001.key.pub >/dev/null || fail "register fork-001"
mkdir d e && cp stage5/fork-001-2001-2500-regular.snb d/ && cp stage6/fork-001-1-2500-regular.snb e/
expect_eq "the gate's last 500" "$(imp d)" "d/fork-001-2001-2500-regular.snb: device fork-001 entries 2001-2500 new 500 duplicate 0"
out=$(imp e)
expect_eq "a fork in the last batch: exit" "$?" "1"
expect_eq "a fork in the last batch" "$out" \
	"e/fork-001-1-2500-regular.snb: rejected: device fork-001 seq 2001: differs from the entry held (forgery or fork); bundle refused"
expect_eq "a fork in the last batch: nothing of it held" "$(bureau_sql "$DB" "SELECT count(*), min(seq) FROM entries
	WHERE dev = (SELECT id FROM devices WHERE device = 'fork-001')")" "500|2001"
finish
