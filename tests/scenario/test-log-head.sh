#!/bin/sh
# SPDX-License-Identifier: MIT
# The log's head is anchored outside the database (issue 14 item 5b): the
# daemon killed (SIGKILL) after a checkpoint, the -wal and -shm files
# deleted, loses the door-opening entries committed since; the next start
# must refuse with both figures (the log's last seq and the head file's),
# so no sequence number is given twice, and verify-log names it too.
. tests/scenario/lib.sh

# Run 1: two visitors, a clean stop (the WAL is checkpointed on close).
cat >"$T/one.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 61000)
$(visit "$FIX/green.png" 36.6 10000 61000)
SCN
write_conf "$T/one.conf" one.scn gate.db out1.log
"$B/sentineld" -f -c "$T/one.conf" 2>"$T/one.err"
expect_eq "run 1: exit" "$?" "0"
expect_eq "run 1: relay seqs" "$(grep -o 'seq=[0-9]*' "$T/out1.log" | tr '\n' ' ')" "seq=1 seq=2 "

# Run 2: two more door openings, then stopped and killed before any
# checkpoint: seq 3 and 4 are committed, in the WAL only.
cat >"$T/two.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 61000)
$(visit "$FIX/green.png" 36.7 10000 61000)
signal stop
wait 1000
SCN
write_conf "$T/two.conf" two.scn gate.db out2.log
"$B/sentineld" -f -c "$T/two.conf" 2>"$T/two.err" &
pid=$!
wait_stopped "$pid"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect_eq "run 2: relay seqs" "$(grep -o 'seq=[0-9]*' "$T/out2.log" | tr '\n' ' ')" "seq=3 seq=4 "
expect_eq "run 2: head file" "$(sed -n 2p "$T/gate.db.head")" "seq 4"
rm -f "$T/gate.db-wal" "$T/gate.db-shm"

# verify-log: the remaining chain is whole, but the head went backwards.
"$B/sentinelctl" verify-log --db "$T/gate.db" >"$T/v.out" 2>"$T/v.err"
expect_eq "verify-log exit" "$?" "1"
expect_eq "verify-log" "$(sed 's/, [0-9.]* s$//' "$T/v.out")" \
	"damaged: seq 3: head went backwards: the log ends at seq 2, its head file records seq 4 (2 entries checked before it, last good seq 2)"
"$B/sentinelctl" verify-log --json --db "$T/gate.db" >"$T/v.json"
expect_eq "verify-log --json" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["seq"], d["head_seq"], d["last_good_seq"])' "$T/v.json")" \
	"damaged 3 4 2"
# In Chinese the finding is translated, its numbers too; --json keeps the English reason.
if locale -a 2>/dev/null | grep -qx 'zh_CN\.utf8'; then
	expect_eq "verify-log in Chinese" "$(LC_MESSAGES=zh_CN.UTF-8 "$B/sentinelctl" verify-log --db "$T/gate.db" |
		sed 's/[0-9.]* 秒$/T 秒/')" \
		"已损坏：序号 3：头记录倒退：日志止于序号 2，其头文件记录的是序号 4（此前已检查 2 条记录，最后完好序号 2），T 秒"
	expect_eq "verify-log --json in Chinese: reason" "$(LC_MESSAGES=zh_CN.UTF-8 "$B/sentinelctl" verify-log --json \
		--db "$T/gate.db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reason"])')" \
		"head went backwards: the log ends at seq 2, its head file records seq 4"
fi

# Run 3: refused at start, with both figures; nothing appended, no relay line.
cat >"$T/three.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 61000)
SCN
write_conf "$T/three.conf" three.scn gate.db out3.log
"$B/sentineld" -f -c "$T/three.conf" 2>"$T/three.err"
rc=$?
[ "$rc" -ne 0 ] || fail "run 3: started on a log that went backwards"
grep -q "the log went backwards: it ends at seq 2 (hash [0-9a-f]*), its head file $T/gate.db.head records seq 4 (hash [0-9a-f]*); refusing to start" "$T/three.err" ||
	fail "run 3: stderr: $(cat "$T/three.err")"
expect_eq "run 3: no door opened" "$(grep -c 'relay 1' "$T/out3.log" 2>/dev/null || true)" "0"
expect_eq "run 3: entries" "$("$B/sentinelctl" entries --json --db "$T/gate.db" | wc -l)" "2"

finish
