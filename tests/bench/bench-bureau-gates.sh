#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau serve under GATES gates uploading at the same moment
# (issue 17; default 200 gates, one bundle of 500 entries each, posted over
# loopback from 127.0.0.1-127.0.0.13, at most 16 per address as serve allows),
# against SQLite and against a private PostgreSQL cluster
# (tests/scenario/pg.sh, the server's durable defaults), serve --workers
# WORKERS (default 4).  Prints per backend
#   bureau <backend> gates=G ok=N failed=F p50_ms=A p99_ms=B max_ms=C seconds=S
# (the acknowledgement latency of each POST: connect to the answer's end).
# A bounded load test: figures, not pass/fail.
# usage: bench-bureau-gates.sh [BUILD_DIR] [GATES] [ENTRIES] [WORKERS]
set -u
B=${1:-build}
gates=${2:-200}
entries=${3:-500}
workers=${4:-4}
. tests/bench/lib.sh
bureau_bench_begin bench-bureau-gates /tmp/snt-bench-gates-XXXXXX
bb=$B/sentinel-bureau
"$bb" keys init --key "$T/bureau.key" >/dev/null
"$T/gen_bundles" --bureau-pub "$T/bureau.key.pub" --keys "$T/keys" --logs "$T/logs" --out "$T/stage" --flat \
	--devices "$gates" --entries "$entries" --per-bundle "$entries" >/dev/null || exit 1
rm -rf "$T/logs"
for db in "$T/bureau.db" "$(pg_newdb gates)"; do
	case $db in postgresql*) k=postgresql ;; *) k=sqlite ;; esac
	for p in "$T"/keys/*.key.pub; do
		"$bb" --db "$db" register --device "$(basename "$p" .key.pub)" --pub "$p" >/dev/null
	done
	"$bb" --db "$db" --key "$T/bureau.key" serve --listen 127.0.0.1:0 --workers "$workers" >"$T/serve.log" 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^listening on ' "$T/serve.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/serve.log")
	python3 - "$port" "$k" "$T/stage" <<'PY'
import glob, socket, sys, threading, time
port, backend, stage = int(sys.argv[1]), sys.argv[2], sys.argv[3]
files = sorted(glob.glob(stage + '/*.snb'))
lat, bad, go = [], [], threading.Event()

def post(i, f):
    body = open(f, 'rb').read()
    go.wait()
    t0 = time.time()
    try:
        s = socket.socket()
        s.settimeout(300)
        s.bind(('127.0.0.%d' % (1 + i // 16), 0))
        s.connect(('127.0.0.1', port))
        s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
                  b'Content-Length: %d\r\n\r\n' % len(body) + body)
        data = b''
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        s.close()
        ok = data.startswith(b'HTTP/1.1 200')
    except OSError:
        ok = False
    (lat if ok else bad).append((time.time() - t0) * 1000)

threads = [threading.Thread(target=post, args=(i, f)) for i, f in enumerate(files)]
for t in threads:
    t.start()
t0 = time.time()
go.set()
for t in threads:
    t.join()
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0
print('bureau %s gates=%d ok=%d failed=%d p50_ms=%.0f p99_ms=%.0f max_ms=%.0f seconds=%.2f' %
      (backend, len(files), len(lat), len(bad), q(0.5), q(0.99), lat[-1] if lat else 0, time.time() - t0))
PY
	kill -TERM $pid
	wait $pid
	echo "bureau $k held=$("$bb" --db "$db" devices --json | jq -s 'map(.entries) | add')"
done
