#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau serve under an upload flood on loopback: 48 clients (16
# from each of 127.0.0.1-127.0.0.3) POST 60 MiB bodies at once, round-robin
# in 1 MiB pieces (bounded: 48 x 60 MiB, 120 s at most); prints the
# receiver's peak RSS (VmHWM) and how the clients were answered.
#   sh tests/bench/bench-bureau-serve.sh build [SENTINEL_BUREAU]
set -eu
B=${1:?usage: $0 BUILD_DIR [SENTINEL_BUREAU]}
BB=${2:-$B/sentinel-bureau}
T=$(mktemp -d /tmp/snt-bench-serve-XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
"$BB" keys init --key "$T/k" >/dev/null
"$BB" keys init --key "$T/g" >/dev/null
"$BB" --db "$T/db" register --device gate-001 --pub "$T/g.pub" >/dev/null
"$BB" --db "$T/db" serve --key "$T/k" --listen 127.0.0.1:0 >"$T/log" 2>&1 &
pid=$!
i=0
while ! grep -q '^listening on ' "$T/log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/log")
python3 - "$port" <<'PY'
import collections, socket, sys, time
port, MiB, N = int(sys.argv[1]), 1 << 20, 60
conns = []
for i in range(48):
    s = socket.socket()
    s.bind(('127.0.0.%d' % (1 + i % 3), 0))
    s.settimeout(30)
    s.connect(('127.0.0.1', port))
    s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % (N * MiB))
    conns.append(s)
chunk, start, alive = b'\0' * MiB, time.time(), list(conns)
for _ in range(N):
    for s in list(alive):
        try:
            s.sendall(chunk)
        except OSError:
            alive.remove(s)
    if time.time() - start > 120:
        break
answers = collections.Counter()
for s in conns:
    try:
        answers[s.recv(100).split(b'\r\n')[0].decode() or 'closed'] += 1
    except OSError:
        answers['closed'] += 1
    s.close()
print('answers:', ', '.join('%d %s' % (n, a) for a, n in sorted(answers.items())))
print('elapsed: %.1f s' % (time.time() - start))
PY
echo "peak RSS (VmHWM): $(sed -n 's/^VmHWM: *//p' /proc/$pid/status)"
