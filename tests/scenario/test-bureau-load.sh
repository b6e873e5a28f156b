#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau serve under bounded loopback load (127.0.0.1-127.0.0.3
# only; every loop bounded in count and time):
# - memory: with --buffer-limit 2 (MiB), two clients each holding 1 MiB
#   less one byte of an unfinished 1 MiB body fill it; a real bundle is then
#   answered 503 "busy", and so is a POST declaring one byte (at once, from
#   its Content-Length) and a small POST /v1/enrol (503 with Retry-After,
#   not 413), until one of the two ends; then the bundle is accepted again
#   (200);
# - deadline: with --request-timeout 2, 12 connections trickling a header
#   line every 0.3 s and 4 trickling a body byte every 0.3 s (each byte
#   resets the 15 s idle timer) are all closed by the server long before
#   the 20 s the clients would go on for, with a 408 line in the log, and a
#   plain request is still answered after.
# The receiver's peak RSS (VmHWM) is printed, not asserted.
. tests/scenario/lib.sh
bureau_begin test-bureau-load
"$BB" keys init --key "$K" >/dev/null || fail "keys init"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --devices 1 --entries 100 \
	--per-bundle 100 >/dev/null || fail "gen_bundles"
"$BB" --db "$DB" register --device gate-001 --pub keys/gate-001.key.pub >/dev/null || fail "register"

# One worker: the holders' bodies are read by the thread that merges the bundles in between, as
# the timings below assume (with a pool, a holder waits behind another connection's merge).
serve_start serve --db "$DB" serve --key "$K" --listen 127.0.0.1:0 --buffer-limit 2 --request-timeout 2 --workers 1

# ---- memory: the buffer limit ----
python3 - "$port" stage/gate-001-1-100-regular.snb >py-mem.out <<'PY'
import socket, sys, time
port, bundle = int(sys.argv[1]), open(sys.argv[2], 'rb').read()
MiB = 1 << 20

def conn(src):
    return socket.create_connection(('127.0.0.1', port), 10, (src, 0))

def status(s):
    try:
        data = s.recv(200)
    except (ConnectionResetError, socket.timeout):
        return 'none'
    return data.split(b'\r\n')[0].decode() if data else 'closed'

def post_head(s, length):
    s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % length)

# Two holders: each 1 MiB declared, all but its last byte sent, from two addresses.
holders = []
for src in ('127.0.0.2', '127.0.0.3'):
    s = conn(src)
    post_head(s, MiB)
    s.sendall(b'\0' * (MiB - 1))
    holders.append(s)
# Until the receiver has read both (bounded), a bundle is merged or a duplicate (200); then 503.
for _ in range(50):
    s = conn('127.0.0.1')
    post_head(s, len(bundle))
    s.sendall(bundle)
    r = status(s)
    s.close()
    if r != 'HTTP/1.1 200 OK':
        break
    time.sleep(0.1)
print('bundle while held:', r)
s = conn('127.0.0.1')
post_head(s, 1)
print('one byte declared while held:', status(s))
s.close()
# An enrolment while held is "busy", not "too large": 503 with Retry-After.
s = conn('127.0.0.1')
body = b'{"token": "x", "device_pub": "y"}'
s.sendall(b'POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
try:
    head = s.recv(1000).split(b'\r\n\r\n')[0].split(b'\r\n')
except (ConnectionResetError, socket.timeout):
    head = [b'none']
retry = [h.decode() for h in head[1:] if h.lower().startswith(b'retry-after:')]
print('enrolment while held:', head[0].decode(), retry)
s.close()
# One holder ends (its body is no bundle: 400), which frees its MiB.
holders[0].settimeout(10)
holders[0].sendall(b'\0')
print('holder finished:', status(holders[0]))
holders[0].close()
s = conn('127.0.0.1')
post_head(s, len(bundle))
s.sendall(bundle)
print('bundle after:', status(s))
s.close()
holders[1].close()
PY
expect_eq "buffer limit" "$(cat py-mem.out)" "bundle while held: HTTP/1.1 503 Service Unavailable
one byte declared while held: HTTP/1.1 503 Service Unavailable
enrolment while held: HTTP/1.1 503 Service Unavailable ['Retry-After: 10']
holder finished: HTTP/1.1 400 Bad Request
bundle after: HTTP/1.1 200 OK"
expect_eq "bundle merged" "$("$BB" --db "$DB" devices --json | jq -c '[.last, .entries]')" "[100,100]"

# ---- deadline: trickling clients ----
python3 - "$port" >py-trickle.out <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
conns = []
for i in range(16):
    s = socket.socket()
    s.bind(('127.0.0.%d' % (2 + i % 2), 0))
    s.connect(('127.0.0.1', port))
    if i < 12:
        s.sendall(b'GET /v1/time?device=gate-001 HTTP/1.1\r\nHost: x\r\n')
    else:
        s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n')
    conns.append(s)
start = time.time()
open_ = set(range(16))
while open_ and time.time() - start < 20:
    for i in list(open_):
        try:
            conns[i].sendall(b'X-Trickle: 1\r\n' if i < 12 else b'x')
        except OSError:
            open_.discard(i)
    r, _, _ = select.select([conns[i] for i in open_], [], [], 0.3)
    for c in r:
        try:
            data = c.recv(100)
        except OSError:
            data = b''
        if not data:
            open_.discard(conns.index(c))
elapsed = time.time() - start
print('still open after trickling:', len(open_))
print('closed before the clients stopped:', 'yes' if elapsed < 19 else 'no')
s = socket.create_connection(('127.0.0.1', port), timeout=10)
s.sendall(b'GET /v1/time?device=gate-001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
print('served after:', s.recv(100).split(b'\r\n')[0].decode())
PY
expect_eq "request deadline" "$(cat py-trickle.out)" "still open after trickling: 0
closed before the clients stopped: yes
served after: HTTP/1.1 200 OK"
grep -q ' - - 408 in=0 device=- request deadline passed (2 s): [0-9]* connections\{0,1\} closed$' serve.log ||
	fail "no deadline line in the log: $(cat serve.log)"
echo "serve peak RSS: $(sed -n 's/^VmHWM: *//p' /proc/$serve_pid/status)"
serve_stop TERM
expect_eq "serve exit" "$?" "0"
expect_eq "serve stderr" "$(cat serve.err)" ""
finish
