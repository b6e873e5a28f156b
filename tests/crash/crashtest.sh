#!/bin/sh
# SPDX-License-Identifier: MIT
# `make crashtest`: power cuts and storage faults against the real daemon.
#
# Part 1, power cuts: sentineld runs on the simulated board over a long
# scenario and is killed with SIGKILL at a random moment, KILLS times, always
# restarted on the same log.  After each kill the log must pass verify-log,
# and at the end every door opening in the output logs ("relay 1 seq=N") must
# have its committed entry N, and no seq may have been seen with two
# different chain hashes.
#
# Part 2, storage faults: a test build of sentineld whose SQLite VFS fails
# writes, syncs and truncates (disk full, read-only, I/O error) runs the same
# kind of scenario with staff overrides; after a clean restart (which merges
# the fallback journal) the same checks hold, plus: no door opening for an
# entry that is not an admission.
#
# Last line: kills=K entries=N lost=L reused=R seed=S (exit 1 unless L=R=0).
# usage: crashtest.sh BUILD_DIR [KILLS] [SEED]
set -u
b=$(cd "${1:?usage: crashtest.sh BUILD_DIR [KILLS] [SEED]}" && pwd)
kills=${2:-300}
seed=${3:-$(date +%s)}
root=$(pwd)
fix=$root/tests/fixtures/scenario
T=$(mktemp -d /tmp/snt-crash-XXXXXX)
trap 'rm -rf "$T"' EXIT

# A scenario of many visitors: admitted, denied, referred and overridden.
scenario() {
	i=0
	while [ "$i" -lt "$1" ]; do
		case $((i % 4)) in
		0) printf 'show %s/green.png\ntemp 36.5\n' "$fix" ;;
		1) printf 'show %s/red.png\ntemp 36.6\n' "$fix" ;;
		2) printf 'show %s/green.png\ntemp 38.2 38.4\n' "$fix" ;;
		3) printf 'show %s/yellow.png\ntemp 36.4\n' "$fix" ;;
		esac
		printf 'presence 1\nwait 9000\n'
		# Staff admit every other refusal.
		[ $((i % 4)) -ne 0 ] && [ $((i % 2)) -eq 1 ] && printf 'button button 1\nwait 100\nbutton button 0\nwait 4000\n'
		printf 'presence 0\nwait 61000\n'
		i=$((i + 1))
	done
}

conf() {
	cat <<CONF
[station]
board = sim
db = $T/gate.db
device_id = crash-gate
[checkin]
relay_pulse_ms = 3000
alert_ms = 1000
temp_retry_ms = 500
[sim]
scenario = $T/long.scn
output = $2
start = 2026-11-29T00:00:00Z
clock = trusted
boot_id = $1
CONF
}

# A fresh boot id per run, as after a real power cut.
boot_id() {
	awk -v s="$1" 'BEGIN { srand(s); printf "%08x-%04x-4%03x-8%03x-%012x\n",
		int(rand() * 4294967295), int(rand() * 65535), int(rand() * 4095),
		int(rand() * 4095), int(rand() * 281474976710655) }'
}

scenario 40 >"$T/long.scn"
: >"$T/hashes"
: >"$T/relays"
damaged=0

# Delays (ms) of the kills, from the seed.
awk -v s="$seed" -v n="$kills" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * 0.6 }' \
	>"$T/delays"

run=0
while read -r delay; do
	run=$((run + 1))
	conf "$(boot_id $((seed + run)))" "$T/out-$run.log" >"$T/gate.conf"
	"$b/sentineld" -f -c "$T/gate.conf" 2>>"$T/stderr" &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! "$b/sentinelctl" verify-log --db "$T/gate.db" >"$T/verify" 2>&1; then
		# A log that never got its schema (killed at the first open) is not damage.
		if [ -s "$T/gate.db" ] && ! grep -q 'cannot open\|not a sentinel log' "$T/verify"; then
			damaged=$((damaged + 1))
			echo "crashtest: run $run: verify-log: $(cat "$T/verify")" >&2
		fi
	fi
	grep ' relay 1 seq=' "$T/out-$run.log" 2>/dev/null | sed 's/.*seq=//' >>"$T/relays"
	[ -s "$T/gate.db" ] && sqlite3 "$T/gate.db" 'SELECT seq, hex(hash) FROM entries' >>"$T/hashes" 2>/dev/null
done <"$T/delays"

# Part 2: storage faults, then a clean restart that merges the journal.
if [ -x "$b/sentineld-faultvfs" ]; then
	scenario 60 >"$T/long.scn"
	for rate in 5 20 50; do
		run=$((run + 1))
		conf "$(boot_id $((seed + run)))" "$T/out-$run.log" >"$T/gate.conf"
		SENTINEL_FAULT_SEED=$((seed + run)) SENTINEL_FAULT_RATE=$rate \
			"$b/sentineld-faultvfs" -f -c "$T/gate.conf" 2>>"$T/stderr"
		grep ' relay 1 seq=' "$T/out-$run.log" | sed 's/.*seq=//' >>"$T/relays"
	done
	printf 'presence 0\n' >"$T/long.scn"
	conf "$(boot_id $((seed + run + 1)))" "$T/out-merge.log" >"$T/gate.conf"
	"$b/sentineld" -f -c "$T/gate.conf" 2>>"$T/stderr" ||
		echo "crashtest: the restart after the faults failed" >&2
	"$b/sentinelctl" verify-log --db "$T/gate.db" >"$T/verify" 2>&1 || {
		damaged=$((damaged + 1))
		echo "crashtest: after faults: verify-log: $(cat "$T/verify")" >&2
	}
	sqlite3 "$T/gate.db" 'SELECT seq, hex(hash) FROM entries' >>"$T/hashes"
	faults=$(grep -c 'NO ENTRY\|fallback journal' "$T/stderr")
	echo "crashtest: storage faults: $faults log failures or journal records over $((run - kills)) runs"
else
	echo "crashtest: $b/sentineld-faultvfs missing: storage-fault part skipped" >&2
	damaged=$((damaged + 1))
fi

sqlite3 "$T/gate.db" 'SELECT seq FROM entries' >"$T/seqs"
sqlite3 "$T/gate.db" "SELECT seq FROM entries WHERE decision = 'admit' AND door = 'opened'" |
	sort >"$T/admitted"
entries=$(wc -l <"$T/seqs")
# lost: door openings whose seq has no committed, admitted entry (comm wants sort(1) order)
lost=$(sort -u "$T/relays" | comm -23 - "$T/admitted" | wc -l)
# reused: a seq seen with two different hashes over all the dumps
reused=$(sort -u "$T/hashes" | cut -d'|' -f1 | uniq -d | wc -l)
opened=$(sort -u "$T/relays" | wc -l)
echo "crashtest: $opened door openings, $damaged damaged logs"
echo "kills=$kills entries=$entries lost=$lost reused=$reused seed=$seed"
[ "$lost" -eq 0 ] && [ "$reused" -eq 0 ] && [ "$damaged" -eq 0 ]
