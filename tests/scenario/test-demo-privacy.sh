#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the demo as `make demo` does and check (1) its entries match its
# scenario and (2) no payload it scanned, nor any part of one, reaches
# stderr (domain.md lesson 13).  The daemon's log layer writes the same
# lines to syslog when not in the foreground.
. tests/scenario/lib.sh

sh board/sim/demo/run-demo.sh "$B" >"$T/demo.out" 2>"$T/demo.err"
expect_eq "demo exit status" "$?" "0"
cat "$B/demo/sentineld.stderr" >>"$T/demo.err"

# Every payload of the demo's screens, and its token part alone.
sed -n "/^done <<'LIST'/,/^LIST/p" board/sim/demo/make-screens.sh | sed '1d;$d' |
	awk '{ print $3 }' >"$T/payloads"
expect_eq "payload count" "$(wc -l <"$T/payloads")" "12"
while read -r p; do
	token=$(printf '%s' "$p" | sed -E 's/.*(code=|q\/|HC:[0-9]{6}:)([A-Za-z0-9_-]{16,}).*/\2/')
	grep -qF "$p" "$T/demo.err" && fail "stderr contains the payload $p"
	grep -qF "$token" "$T/demo.err" && fail "stderr contains the token $token"
done <"$T/payloads"
# The daemon did log one line per visitor.
expect_eq "visit lines on stderr" "$(grep -c 'sentineld: visit [0-9]*: ' "$T/demo.err")" "17"

# The entries match the scenario: decision and reasons per visitor
# (visitor 3 repeats visitor 1 within the window: no entry of its own).
decisions "$B/demo/demo.db" >"$T/got"
expect_eq "demo entries" "$(cat "$T/got")" "admit code-green,temp-normal
deny code-yellow,temp-normal
deny fever,duplicate,code-green
deny code-red,temp-normal
deny fever,code-green
admit code-green,temp-normal
refer no-code,temp-normal
refer temp-implausible,code-green
refer colour-unknown,temp-normal
admit code-green,temp-normal
refer sensor-fault,code-green
deny fever,code-red
deny code-yellow,temp-normal
admit code-green,temp-normal
admit code-green,temp-normal"
# The demo printed one line per visitor and the table.
expect_eq "demo visitor lines" "$(grep -cE '^ ?[0-9]+  ' "$T/demo.out")" "16"
grep -q 'sentinelctl entries' "$T/demo.out" || fail "demo did not end with the entries"
# The walk-in who registered with her ID card: the masked name only.
grep -q ' 张\* ' "$T/demo.out" || fail "the registered visitor's masked name is not in the entries"
for s in 张秀英 11010519491231002X; do
	for f in "$T/demo.out" "$T/demo.err" "$B/demo/demo.db" "$B/demo/outputs.log"; do
		grep -qaF "$s" "$f" && fail "$f holds the card's full value"
	done
done
finish
