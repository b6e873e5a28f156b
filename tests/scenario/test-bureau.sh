#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau with the real binary (issue 7): keys, registration, import
# of good, duplicate, gapped, tampered, truncated, unregistered, replayed
# (another device's directory, another device's key), forked and old
# re-sent bundles with their exact one-line messages and nothing merged
# twice; priority copies before the regular stream; the bureau's entries
# equal the gate log's field by field; the online platform plug-in (a fake
# platform script) with a contradiction alert and a timeout; ack/export in
# the stick layout, verified as a gate would; serve on 127.0.0.1 with a
# random port: POST good/duplicate/tampered/too large/cut-off/empty bodies
# with curl(1) and python3, GET signed time (not a contact), SIGTERM, the
# connection limits (per IP, idle timeout); control characters in file names
# and request methods printed escaped.  With SENTINEL_BUREAU_DB=postgresql
# (test-bureau-pg.sh) against PostgreSQL: the same but for the checks of the
# SQLite file itself (its mode, a symlinked -wal, the default ./bureau.db),
# which have PostgreSQL counterparts (a database holding other tables, one
# holding no bureau schema yet).
. tests/scenario/lib.sh
bureau_begin test-bureau
imp() { "$BB" --db "$DB" import --key "$K" "$@"; }

# ---- keys and registration ----
out=$("$BB" keys init --key "$K" 2>&1)
expect_eq "keys init exit" "$?" "0"
case $out in "bureau key $K (public $K.pub) kid "????????????????) ;; *) fail "keys init output: $out" ;; esac
expect_eq "private key mode" "$(stat -c %a "$K")" "600"
out=$("$BB" keys init --key "$K" 2>&1)
expect_eq "keys init again exit" "$?" "2"
expect_eq "keys init again" "$out" "sentinel-bureau: keys: $K.pub exists: refusing to overwrite it"

"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --devices 3 --entries 300 \
	--per-bundle 100 --priority >/dev/null || fail "gen_bundles"
umask 022
for d in gate-001 gate-002 gate-003; do
	"$BB" --db "$DB" register --device $d --pub keys/$d.key.pub >/dev/null || fail "register $d"
done
if ! bureau_pg; then
expect_eq "bureau database 0600 under umask 022" "$(stat -c %a "$DB")" "600"
# A symbolic link at the database's -wal is refused before SQLite opens it.
printf 'precious\n' >"$T/victim"
ln -s "$T/victim" "$DB-wal"
out=$("$BB" --db "$DB" devices 2>&1)
expect_eq "symlink at bureau.db-wal: exit" "$?" "2"
expect_eq "symlink at bureau.db-wal" "$out" \
	"sentinel-bureau: devices: cannot open $DB: $DB-wal: a symbolic link (not followed)"
expect_eq "symlink at bureau.db-wal: victim untouched" "$(cat "$T/victim")" "precious"
rm -f "$DB-wal"
fi
out=$("$BB" --db "$DB" register --device gate-001 --pub keys/gate-001.key.pub)
expect_eq "register again exit" "$?" "0"
case $out in "gate-001 already registered with this key (kid "*")") ;; *) fail "register again: $out" ;; esac
out=$("$BB" --db "$DB" register --device gate-001 --pub keys/gate-002.key.pub 2>&1)
expect_eq "register other key exit" "$?" "1"
expect_eq "register other key" "$out" \
	"sentinel-bureau: register: device gate-001 is registered with another key (kid differs); use --replace"
"$BB" --db "$DB" register --device ../x --pub keys/gate-001.key.pub >/dev/null 2>&1
expect_eq "register bad id exit" "$?" "2"
"$BB" --db "$DB" register --device gate-001 --pub "$K" >/dev/null 2>&1
expect_eq "register a private key exit" "$?" "2"

# ---- import: good, duplicate, gap, tampered, truncated, unregistered ----
mkdir in1 && cp stage/gate-001-1-100-regular.snb in1/
expect_eq "import 1-100" "$(imp in1)" "in1/gate-001-1-100-regular.snb: device gate-001 entries 1-100 new 100 duplicate 0"
expect_eq "import again" "$(imp in1)" "in1/gate-001-1-100-regular.snb: device gate-001 entries 1-100 new 0 duplicate 100"
mkdir in2 && cp stage/gate-001-201-300-regular.snb in2/
expect_eq "import past a gap" "$(imp in2)" \
	"in2/gate-001-201-300-regular.snb: device gate-001 entries 201-300 new 100 duplicate 0"
kid() { "$BB" --db "$DB" devices --json | jq -r "select(.device==\"$1\").kid"; }
devices=$("$BB" --db "$DB" devices | sed 's/ contact .*//')
expect_eq "devices with a gap" "$devices" "gate-001 kid $(kid gate-001) last 100 entries 200 priority 0 gaps 101-200
gate-002 kid $(kid gate-002) last 0 entries 0 priority 0 gaps none
gate-003 kid $(kid gate-003) last 0 entries 0 priority 0 gaps none"
expect_eq "devices --json gaps" "$("$BB" --db "$DB" devices --json | jq -c 'select(.device=="gate-001") | [.last, .gaps, .entries]')" \
	'[100,[[101,200]],200]'

mkdir in3
cp stage/gate-001-101-200-regular.snb in3/flipped.snb
printf '\377' | dd of=in3/flipped.snb bs=1 seek=500 conv=notrunc 2>/dev/null
head -c 1000 stage/gate-001-101-200-regular.snb >in3/cut.snb
: >in3/empty.snb
out=$(imp in3)
expect_eq "tampered exit" "$?" "1"
expect_eq "tampered" "$out" "in3/cut.snb: rejected: cannot unseal (not sealed to this bureau's key, truncated or altered): authentication failed (wrong key or altered data)
in3/empty.snb: rejected: cannot unseal (not sealed to this bureau's key, truncated or altered): sealed message too short
in3/flipped.snb: rejected: cannot unseal (not sealed to this bureau's key, truncated or altered): authentication failed (wrong key or altered data)"

# A device the bureau does not know; one signed by another device's key.
"$BB" --db "$(bureau_db other)" register --device gate-002 --pub keys/gate-002.key.pub >/dev/null
"$G" --bureau-pub "$K.pub" --keys keys --logs logs-forged --out forged --flat --devices 2 --entries 100 \
	--sign-key keys/gate-001.key >/dev/null || fail "gen forged"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs-x --out unknown --flat --prefix stranger --entries 10 \
	>/dev/null || fail "gen unknown"
mkdir in4 && cp forged/gate-002-1-100-regular.snb unknown/stranger-001-1-10-regular.snb in4/
out=$(imp in4)
expect_eq "forged exit" "$?" "1"
expect_eq "forged and unknown" "$out" \
"in4/gate-002-1-100-regular.snb: rejected: signed by a key that is not the one registered for device gate-002
in4/stranger-001-1-10-regular.snb: rejected: device stranger-001 is not registered"

# Replayed from another device: gate-001's bundle in gate-002's stick directory.
mkdir -p stick/sentinel/gate-002/out && cp stage/gate-001-101-200-regular.snb stick/sentinel/gate-002/out/
out=$(imp stick)
expect_eq "replayed exit" "$?" "1"
expect_eq "replayed" "$out" "stick/sentinel/gate-002/out/gate-001-101-200-regular.snb: rejected: a bundle of device gate-001 in the directory of device gate-002 (replayed?)"

# Forked log under the same key: every overlap refused, naming device and seq.
"$G" --bureau-pub "$K.pub" --keys keys --logs logs-fork --out fork --flat --entries 300 --per-bundle 100 \
	--variant 1 >/dev/null || fail "gen fork"
mkdir in5 && cp fork/gate-001-1-100-regular.snb fork/gate-001-101-200-regular.snb fork/gate-001-201-300-regular.snb in5/
out=$(imp in5)
expect_eq "fork exit" "$?" "1"
expect_eq "fork" "$out" \
"in5/gate-001-1-100-regular.snb: rejected: device gate-001 seq 1: differs from the entry held (forgery or fork); bundle refused
in5/gate-001-101-200-regular.snb: rejected: device gate-001 seq 101: prev does not link to the hash held for seq 100 (fork or forgery)
in5/gate-001-201-300-regular.snb: rejected: device gate-001 seq 201: differs from the entry held (forgery or fork); bundle refused"

# Symlinks (never followed), a FIFO, a file over the size limit: refused by name.
mkdir in6 && ln -s "$T/stage/gate-001-101-200-regular.snb" in6/link.snb && mkfifo in6/fifo.snb
truncate -s 70M in6/huge.snb
ln -s "$T/stage" in6/sentinel
out=$(imp in6)
expect_eq "hostile files exit" "$?" "1"
expect_eq "hostile files" "$out" "in6/fifo.snb: rejected: not a regular file: refused
in6/huge.snb: rejected: 73400320 bytes, larger than the limit of 67108864: refused
in6/link.snb: rejected: a symbolic link: refused
in6/sentinel: rejected: a symbolic link: refused"
mkdir -p in6c/sentinel/gate-002 && ln -s "$T/stick/sentinel/gate-002" in6c/sentinel/gate-001 &&
	ln -s "$T/stage" in6c/sentinel/gate-002/out
out=$(imp in6c)
expect_eq "symlinked stick directories exit" "$?" "1"
expect_eq "symlinked stick directories" "$(printf '%s\n' "$out" | sort)" "in6c/sentinel/gate-001: rejected: a symbolic link: refused
in6c/sentinel/gate-002/out: rejected: a symbolic link: refused"

# A renamed file: merged by its content, the name reported as misleading.
mkdir in6b && cp stage/gate-003-201-300-regular.snb in6b/gate-003-1-100-regular.snb
out=$(imp in6b 2>err6b)
expect_eq "renamed file" "$out" "in6b/gate-003-1-100-regular.snb: device gate-003 entries 201-300 new 100 duplicate 0"
expect_eq "renamed file warning" "$(cat err6b)" \
	"sentinel-bureau: import: in6b/gate-003-1-100-regular.snb: file name does not match the manifest (device gate-003 seq 201): entries merged by content"

# Control characters in a file name are printed escaped (\xNN): no forged line, no terminal escape.
mkdir in6d
evil=$(printf 'x\ngate-001-1-100-regular.snb: device gate-001 entries 1-999 new 999 duplicate 0\n\033[2Ky.snb')
cp stage/gate-001-1-100-regular.snb "in6d/$evil"
out=$(imp in6d 2>&1)
expect_eq "control characters in a file name" "$out" \
	'in6d/x\x0agate-001-1-100-regular.snb: device gate-001 entries 1-999 new 999 duplicate 0\x0a\x1b[2Ky.snb: device gate-001 entries 1-100 new 0 duplicate 100'
evil=$(printf 'a\rb\177.snb')
ln -s "$T/stage/gate-001-1-100-regular.snb" "in6d/$evil" && rm "in6d/x"*
expect_eq "control characters in a refused file name" "$(imp in6d 2>&1)" 'in6d/a\x0db\x7f.snb: rejected: a symbolic link: refused'

# Nothing of the above changed anything.
expect_eq "entries after the rejections" "$("$BB" --db "$DB" entries --device gate-001 --json | wc -l)" "200"

# The missing middle, then an old bundle re-sent after newer ones.
mkdir in7 && cp stage/gate-001-101-200-regular.snb in7/ && cp stage/gate-001-1-100-regular.snb in7/old.snb
out=$(imp in7)
expect_eq "gap filled, old re-sent" "$out" "in7/old.snb: device gate-001 entries 1-100 new 0 duplicate 100
in7/gate-001-101-200-regular.snb: device gate-001 entries 101-200 new 100 duplicate 0"
expect_eq "gap closed" "$("$BB" --db "$DB" devices --json | jq -c 'select(.device=="gate-001") | [.last, .gaps, .entries]')" \
	'[300,[],300]'

# ---- the bureau's entries equal the gate's, field by field, and the hashes ----
"$B/sentinelctl" entries --db logs/gate-001.db --json >gate.json || fail "sentinelctl entries"
"$BB" --db "$DB" entries --device gate-001 --json >bureau.json
sed 's/, "hash": "[0-9a-f]*"}$/}/' bureau.json >bureau-nohash.json
cmp -s gate.json bureau-nohash.json || fail "bureau entries differ from the gate's"
sqlite3 logs/gate-001.db "SELECT lower(hex(hash)) FROM entries ORDER BY seq" >gate.hash
jq -r .hash bureau.json >bureau.hash
cmp -s gate.hash bureau.hash || fail "bureau hashes differ from the gate's"
expect_eq "entries held once" "$(bureau_sql "$DB" "SELECT count(*), count(DISTINCT seq) FROM entries
	WHERE dev = (SELECT id FROM devices WHERE device = 'gate-001')")" "300|300"

# ---- priority copies before the regular stream, then the stream; a forged copy ----
mkdir in8 && cp stage/gate-002-5-95-priority.snb in8/
expect_eq "priority first" "$(imp in8)" "in8/gate-002-5-95-priority.snb: device gate-002 entries 5-95 new 10 duplicate 0 (priority)"
expect_eq "priority gap" "$("$BB" --db "$DB" devices --json | jq -c 'select(.device=="gate-002") | [.last, .gaps, .priority]')" \
	'[0,[[1,95]],10]'
mkdir in9 && cp stage/gate-002-1-100-regular.snb stage/gate-002-5-95-priority.snb in9/
expect_eq "stream after copies" "$(imp in9)" "in9/gate-002-1-100-regular.snb: device gate-002 entries 1-100 new 100 duplicate 0
in9/gate-002-5-95-priority.snb: device gate-002 entries 5-95 new 0 duplicate 10 (priority)"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs-fork2 --out fork2 --flat --devices 3 --entries 100 \
	--variant 2 --priority >/dev/null || fail "gen fork2"
mkdir in10 && cp fork2/gate-003-5-95-priority.snb in10/
imp in10 >/dev/null || fail "forged copies import"
mkdir in11 && cp stage/gate-003-1-100-regular.snb in11/
out=$(imp in11)
expect_eq "stream against forged copies exit" "$?" "1"
expect_eq "stream against forged copies" "$out" \
	"in11/gate-003-1-100-regular.snb: rejected: device gate-003 seq 5: differs from the entry held (forgery or fork); bundle refused"

# ---- the platform plug-in: verdicts, a contradiction, a timeout ----
cat >fake-platform.sh <<'EOF'
#!/bin/sh
case "$(cat)" in
*tok113) echo red ;;
*) echo green ;;
esac
EOF
chmod +x fake-platform.sh
mkdir in12 && cp stage/gate-002-101-200-regular.snb in12/
out=$(imp --platform-cmd "$T/fake-platform.sh" in12)
expect_eq "platform" "$out" \
	"in12/gate-002-101-200-regular.snb: device gate-002 entries 101-200 new 100 duplicate 0 verdicts 10 contradictions 1 unanswered 0"
expect_eq "alerts" "$("$BB" --db "$DB" alerts | cut -d' ' -f3-)" \
	"gate-002 seq 113 contradiction: platform fake-platform says red, the gate read green"
printf '#!/bin/sh\nsleep 5\necho green\n' >slow-platform.sh && chmod +x slow-platform.sh
mkdir in13 && cp stage/gate-002-201-300-regular.snb in13/
out=$(imp --platform-cmd "$T/slow-platform.sh" --platform-timeout 200 in13 2>err13)
expect_eq "platform timeout" "$out" \
	"in13/gate-002-201-300-regular.snb: device gate-002 entries 201-300 new 100 duplicate 0 verdicts 0 contradictions 0 unanswered 10"
expect_eq "platform timeout message" "$(cat err13)" \
	"sentinel-bureau: import: in13/gate-002-201-300-regular.snb: seq 203: platform command $T/slow-platform.sh: no answer within the timeout (killed)"
# A command that closes its stdout and lingers is killed at the timeout too (not 20 s per token).
printf '#!/bin/sh\nexec 1>&-\nexec sleep 20\n' >linger-platform.sh && chmod +x linger-platform.sh
out=$(timeout 100 "$BB" --db "$DB" import --key "$K" --platform-cmd "$T/linger-platform.sh" \
	--platform-timeout 300 in13 2>err13b)
expect_eq "platform lingering after closing its stdout" "$out" \
	"in13/gate-002-201-300-regular.snb: device gate-002 entries 201-300 new 0 duplicate 100 verdicts 0 contradictions 0 unanswered 10"
expect_eq "platform lingering message" "$(cat err13b)" \
	"sentinel-bureau: import: in13/gate-002-201-300-regular.snb: seq 203: platform command $T/linger-platform.sh: did not exit within the timeout (killed)"

# ---- ack and export into the stick layout, verified as the gate would ----
mkdir out1 out2
out=$("$BB" --db "$DB" ack --key "$K" --device gate-002 --output out1)
expect_eq "ack exit" "$?" "0"
expect_eq "ack output: one line per file" "$(printf '%s\n' "$out" | sed -E 's/[0-9]{13}/MS/g')" \
	"ack gate-002 seq 300: out1/sentinel/gate-002/in/ack-gate-002-300.cose
time gate-002 ms MS: out1/sentinel/gate-002/in/time-gate-002-MS.cose"
ackf=$(ls out1/sentinel/gate-002/in/ack-gate-002-*.cose)
ms=$(printf '%s\n' "$out" | sed -n 's/^time gate-002 ms \([0-9]*\): .*/\1/p')
[ -f "out1/sentinel/gate-002/in/time-gate-002-$ms.cose" ] || fail "ack output: the time file's name"
expect_eq "ack file" "$ackf" "out1/sentinel/gate-002/in/ack-gate-002-300.cose"
ls out1/sentinel/gate-002/in/time-gate-002-*.cose >/dev/null || fail "time file"
ack=$("$G" --bureau-pub "$K.pub" --check-ack "$ackf")
case $ack in "ack device=gate-002 seq=300 verdicts=10 103:green:fake-platform 113:red:fake-platform "*) ;;
*) fail "ack content: $ack" ;; esac
"$G" --bureau-pub "$K.pub" --check-time out1/sentinel/gate-002/in/time-gate-002-*.cose | grep -q '^time device=gate-002 ms=' ||
	fail "signed time"
ls -A out1/sentinel/gate-002/in | grep -q '^\.tmp' && fail "temporary file left"
out=$("$BB" --db "$DB" export --key "$K" out2)
expect_eq "export output: one line per file" "$(printf '%s\n' "$out" | sed -E 's/[0-9]{13}/MS/g')" \
	"ack gate-001 seq 300: out2/sentinel/gate-001/in/ack-gate-001-300.cose
time gate-001 ms MS: out2/sentinel/gate-001/in/time-gate-001-MS.cose
ack gate-002 seq 300: out2/sentinel/gate-002/in/ack-gate-002-300.cose
time gate-002 ms MS: out2/sentinel/gate-002/in/time-gate-002-MS.cose
ack gate-003 seq 0: out2/sentinel/gate-003/in/ack-gate-003-0.cose
time gate-003 ms MS: out2/sentinel/gate-003/in/time-gate-003-MS.cose"
expect_eq "export" "$(cd out2/sentinel && ls */in/ack-*)" "gate-001/in/ack-gate-001-300.cose
gate-002/in/ack-gate-002-300.cose
gate-003/in/ack-gate-003-0.cose"
mkdir out3 elsewhere && ln -s "$T/elsewhere" out3/sentinel
"$BB" --db "$DB" ack --key "$K" --device nobody --output out3 >/dev/null 2>&1
expect_eq "ack unknown device exit" "$?" "1"
out=$("$BB" --db "$DB" ack --key "$K" --device gate-001 --output out3 2>&1)
expect_eq "ack through a symlink exit" "$?" "2"
expect_eq "ack through a symlink" "$out" \
	"sentinel-bureau: ack: out3/sentinel: a symbolic link: refused"
expect_eq "nothing written through the symlink" "$(ls -A elsewhere)" ""

# ---- serve ----
"$BB" --db "$DB" register --device stranger-001 --pub keys/stranger-001.key.pub >/dev/null || fail "register stranger-001"
contact() { "$BB" --db "$DB" devices --json | jq -c "select(.device==\"$1\").last_contact"; }
serve_start serve --db "$DB" serve --key "$K" --listen 127.0.0.1:0
U="http://127.0.0.1:$port"
post() { curl -s -o "$2" -w '%{http_code}' -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$U/v1/bundle"; }
expect_eq "POST good" "$(post stage/gate-003-1-100-regular.snb r1)" "400"
expect_eq "POST good against forged copies" "$(cat r1)" \
	"device gate-003 seq 5: differs from the entry held (forgery or fork); bundle refused"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage2 --flat --devices 1 --entries 400 \
	--per-bundle 100 >/dev/null || fail "gen more"
expect_eq "POST new" "$(post stage2/gate-001-301-400-regular.snb r2)" "200"
expect_eq "POST new ack" "$("$G" --bureau-pub "$K.pub" --check-ack r2)" "ack device=gate-001 seq=400 verdicts=0"
expect_eq "POST duplicate" "$(post stage2/gate-001-301-400-regular.snb r3)" "200"
expect_eq "POST flipped" "$(post in3/flipped.snb r4)" "400"
expect_eq "POST flipped reason" "$(cat r4)" \
	"cannot unseal (not sealed to this bureau's key, truncated or altered): authentication failed (wrong key or altered data)"
expect_eq "GET time" "$(curl -s -o r5 -w '%{http_code}' "$U/v1/time?device=gate-001")" "200"
"$G" --bureau-pub "$K.pub" --check-time r5 | grep -q '^time device=gate-001 ms=' || fail "GET time content"
# An unknown id is answered as a known one (the answer tells nobody which ids exist).
expect_eq "GET time unknown" "$(curl -s -o r5u -w '%{http_code}' "$U/v1/time?device=nobody")" "200"
"$G" --bureau-pub "$K.pub" --check-time r5u | grep -q '^time device=nobody ms=' || fail "GET time unknown content"
expect_eq "GET time bad id" "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/time?device=..")" "400"
expect_eq "GET bundle" "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/bundle")" "405"
# Asking for the time (unauthenticated) is no contact; an accepted bundle is.
expect_eq "GET time of a new device" "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/time?device=stranger-001")" "200"
expect_eq "GET time is no contact" "$(contact stranger-001)" "null"
expect_eq "POST a new device's bundle" "$(post unknown/stranger-001-1-10-regular.snb r7)" "200"
case $(contact stranger-001) in '"'????-??-??T??:??:??Z'"') ;; *) fail "an accepted bundle is a contact: $(contact stranger-001)" ;; esac
# A replay (the same bundle again, validly signed, nothing new) is no contact.
c1=$("$BB" --db "$DB" devices --json | jq -c 'select(.device=="stranger-001").last_contact')
sleep 1.1
expect_eq "POST a replay" "$(post unknown/stranger-001-1-10-regular.snb r7b)" "200"
expect_eq "a replay is no contact" "$("$BB" --db "$DB" devices --json | jq -c 'select(.device=="stranger-001").last_contact')" "$c1"
expect_eq "POST empty" "$(post /dev/null r8)" "400"
expect_eq "POST empty reason" "$(cat r8)" "empty body: no bundle"
# Control characters in a request method are logged escaped.
python3 - "$port" >py-methods.out <<'EOF'
import socket, sys
for m in (b'GE\x1b[31mT', b'FAKE\rLINE'):
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
    s.sendall(m + b' /v1/time?device=gate-001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    print(s.recv(100).split(b'\r\n')[0].decode())
    s.close()
EOF
expect_eq "control characters in methods" "$(cat py-methods.out)" "HTTP/1.1 405 Method Not Allowed
HTTP/1.1 405 Method Not Allowed"
# Too large (declared), and a body cut off mid-way: never merged.
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage3 --flat --devices 1 --entries 500 \
	--per-bundle 100 >/dev/null || fail "gen more 2"
python3 - "$port" stage3/gate-001-401-500-regular.snb >py.out <<'EOF'
import socket, sys
port = int(sys.argv[1])
body = open(sys.argv[2], 'rb').read()
s = socket.create_connection(('127.0.0.1', port))
s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n')
print(s.recv(200).split(b'\r\n')[0].decode()[:12])
s.close()
import random
random.seed(7)
cuts = [1, len(body) // 2, len(body) - 1] + [random.randrange(1, len(body)) for _ in range(50)]
for cut in cuts:
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % len(body))
    s.sendall(body[:cut])
    s.close()
print('cut')
EOF
expect_eq "too large and cut" "$(cat py.out)" "HTTP/1.1 413
cut"
sleep 0.3
expect_eq "server alive after 53 cuts" "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/time?device=gate-001")" "200"
expect_eq "cut bodies not merged" "$("$BB" --db "$DB" devices --json | jq -c 'select(.device=="gate-001") | [.last, .entries]')" \
	'[400,400]'
# Idle connections cannot lock the gates out: 20 from one IP (a POST declaring 1000 bytes, sending
# 1): the 17th to the 20th are closed at once (16 per IP), another IP (127.0.0.2) is still served,
# the same IP again once they are closed, and an idle connection is closed after 15 s (45 allowed).
python3 - "$port" >py-limits.out <<'EOF'
import select, socket, sys, time
port = int(sys.argv[1])

def conn(src):
    return socket.create_connection(('127.0.0.1', port), 20, (src, 0))

def idle():
    s = conn('127.0.0.1')
    s.sendall(b'POST /v1/bundle HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx')
    return s

def closed_by_server(s):
    try:
        return s.recv(100) == b''
    except ConnectionResetError:
        return True

def get(src):
    s = conn(src)
    try:
        s.sendall(b'GET /v1/time?device=gate-001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = s.recv(100)
    except (ConnectionResetError, BrokenPipeError):
        data = b''
    s.close()
    return data.split(b'\r\n')[0].decode() if data else 'closed'

conns = [idle() for _ in range(20)]
closed = []

def wait_closed(timeout):
    r, _, _ = select.select([c for i, c in enumerate(conns) if i + 1 not in closed], [], [], timeout)
    closed.extend(conns.index(c) + 1 for c in r if closed_by_server(c))

deadline = time.time() + 10
while len(closed) < 4 and time.time() < deadline:
    wait_closed(0.2)
wait_closed(1)
print('refused:', ' '.join(str(i) for i in sorted(closed)))
print('same IP while held:', get('127.0.0.1'))
print('other IP while held:', get('127.0.0.2'))
for c in conns[1:]:
    c.close()
deadline = time.time() + 20
while True:
    r = get('127.0.0.1')
    if r != 'closed' or time.time() > deadline:
        break
    time.sleep(0.1)
print('same IP after closing:', r)
conns[0].settimeout(45)
try:
    gone = closed_by_server(conns[0])
except socket.timeout:
    gone = False
print('idle connection closed by the server:', 'yes' if gone else 'no')
EOF
expect_eq "connection limits" "$(cat py-limits.out)" "refused: 17 18 19 20
same IP while held: closed
other IP while held: HTTP/1.1 200 OK
same IP after closing: HTTP/1.1 200 OK
idle connection closed by the server: yes"
serve_stop TERM
expect_eq "serve exit on SIGTERM" "$?" "0"
expect_eq "serve log" "$(sed -E 's/^[0-9]{4}-[^ ]* //' serve.log)" "listening on 127.0.0.1:$port
POST /v1/bundle 400 in=$(wc -c <stage/gate-003-1-100-regular.snb) device=gate-003 rejected
POST /v1/bundle 200 in=$(wc -c <stage2/gate-001-301-400-regular.snb) device=gate-001 regular entries 301-400 new 100 duplicate 0 ack 400 verdicts 0
POST /v1/bundle 200 in=$(wc -c <stage2/gate-001-301-400-regular.snb) device=gate-001 regular entries 301-400 new 0 duplicate 100 ack 400 verdicts 0
POST /v1/bundle 400 in=$(wc -c <in3/flipped.snb) device=- rejected
GET /v1/time 200 in=0 device=gate-001 signed time
GET /v1/time 200 in=0 device=nobody signed time
GET /v1/time 400 in=0 device=- bad device id
GET /v1/bundle 405 in=0 device=- method not allowed
GET /v1/time 200 in=0 device=stranger-001 signed time
POST /v1/bundle 200 in=$(wc -c <unknown/stranger-001-1-10-regular.snb) device=stranger-001 regular entries 1-10 new 10 duplicate 0 ack 10 verdicts 0
POST /v1/bundle 200 in=$(wc -c <unknown/stranger-001-1-10-regular.snb) device=stranger-001 regular entries 1-10 new 0 duplicate 10 ack 10 verdicts 0
POST /v1/bundle 400 in=0 device=- empty body
GE\\x1b[31mT /v1/time 405 in=0 device=- method not allowed
FAKE\\x0dLINE /v1/time 405 in=0 device=- method not allowed
POST /v1/bundle 413 in=0 device=- too large (declared)
GET /v1/time 200 in=0 device=gate-001 signed time
GET /v1/time 200 in=0 device=gate-001 signed time
GET /v1/time 200 in=0 device=gate-001 signed time
stopping on SIGTERM"
expect_eq "serve stderr" "$(cat serve.err)" ""
# Nothing personal in the server's log: no payload token, no subject.
grep -q 'tok\|HC:' serve.log && fail "payload in the serve log"

# TLS (a self-signed P-256 certificate for 127.0.0.1), stopped with SIGINT.
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout tls.key \
		-out tls.crt -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
		fail "openssl req"
	serve_start tls --db "$DB" serve --key "$K" --listen 127.0.0.1:0 --tls-cert tls.crt --tls-key tls.key
	expect_eq "TLS listening" "$(head -n 1 tls.log)" "listening on 127.0.0.1:$port (TLS)"
	expect_eq "TLS GET time" "$(curl -s --cacert tls.crt -o r6 -w '%{http_code}' \
		"https://127.0.0.1:$port/v1/time?device=gate-002")" "200"
	expect_eq "plain HTTP to TLS" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/time?device=gate-002")" "000"
	serve_stop INT
	expect_eq "serve exit on SIGINT" "$?" "0"
	expect_eq "TLS serve stopped" "$(tail -n 1 tls.log)" "stopping on SIGINT"
	"$BB" --db "$DB" serve --key "$K" --listen 127.0.0.1:0 --tls-cert tls.crt >/dev/null 2>&1
	expect_eq "TLS cert without key" "$?" "2"
else
	echo "test-bureau: no openssl(1): TLS part skipped" >&2
fi

# Usage errors.
"$BB" --db "$DB" devices --pub x >/dev/null 2>&1
expect_eq "option not for the command" "$?" "2"
"$BB" --db "$DB" frobnicate >/dev/null 2>&1
expect_eq "unknown command" "$?" "2"
"$BB" --db "$DB" import --key "$K" "$T/missing" >/dev/null 2>&1
expect_eq "import missing dir" "$?" "2"
if bureau_pg; then
	other=$(bureau_db foreign)
	pg_sql "$other" "CREATE TABLE entries (seq bigint)" || fail "foreign table"
	shown=$(printf '%s' "$other")
	out=$("$BB" --db "$other" devices 2>&1)
	expect_eq "another application's database exit" "$?" "2"
	expect_eq "another application's database" "$out" \
		"sentinel-bureau: devices: cannot open $shown: not a sentinel-bureau database (or another version)"
	out=$("$BB" --db "$other" register --device gate-001 --pub keys/gate-001.key.pub 2>&1)
	expect_eq "register into another application's database exit" "$?" "2"
	expect_eq "its tables untouched" "$(pg_sql "$other" "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'")" "entries"
	# A password in the URI is never printed.
	out=$("$BB" --db "postgresql://sentinel:s3cret@/nodb?host=$SENTINEL_PG_DIR" devices 2>&1)
	expect_eq "a missing database exit" "$?" "2"
	case $out in
	*s3cret*) fail "password printed: $out" ;;
	"sentinel-bureau: devices: cannot open postgresql://sentinel:***@/nodb?host=$SENTINEL_PG_DIR: "*'"nodb"'*) ;;
	*) fail "a missing database: $out" ;;
	esac
else
out=$("$BB" --db logs/gate-001.db devices 2>&1)
expect_eq "a gate log as the bureau database exit" "$?" "2"
expect_eq "a gate log as the bureau database" "$out" \
	"sentinel-bureau: devices: cannot open logs/gate-001.db: not a sentinel-bureau database (or another version)"
fi
"$BB" --db "$DB" serve --key "$K" --listen 127.0.0.1:99999 >/dev/null 2>&1
expect_eq "bad port" "$?" "2"

# ---- a fresh user ----
# Only register and import create the database; the others name the missing file.
if bureau_pg; then
	empty=$(bureau_db empty)
	for c in devices "entries --device gate-001" alerts "ack --key $K --device gate-001 --output ." \
		"export --key $K ." "serve --key $K --listen 127.0.0.1:0"; do
		# shellcheck disable=SC2086
		out=$("$BB" --db "$empty" $c 2>&1)
		expect_eq "$c on an empty PostgreSQL database: exit" "$?" "1"
		expect_eq "$c on an empty PostgreSQL database" "$out" \
			"sentinel-bureau: no bureau database at $empty (register a gate or import first, or give --db)"
	done
	expect_eq "nothing created in it" "$(pg_sql "$empty" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "0"
	mkdir nothing
	out=$("$BB" --db "$empty" --key "$K" import nothing 2>&1)
	expect_eq "import of no bureau into PostgreSQL: exit" "$?" "0"
	expect_eq "import of no bundles into PostgreSQL" "$out" "no bundles in nothing"
	out=$("$BB" --db "$empty" devices 2>&1)
	expect_eq "devices after the import into PostgreSQL: exit" "$?" "0"
	expect_eq "devices after the import into PostgreSQL" "$out" ""
else
mkdir fresh && cd fresh || exit 1
for c in devices "entries --device gate-001" alerts "ack --key $K --device gate-001 --output ." \
	"export --key $K ." "serve --key $K --listen 127.0.0.1:0"; do
	# shellcheck disable=SC2086
	out=$("$BB" $c 2>&1)
	expect_eq "$c without a database: exit" "$?" "1"
	expect_eq "$c without a database" "$out" \
		"sentinel-bureau: no bureau database at bureau.db (register a gate or import first, or give --db)"
done
out=$("$BB" --db "$T/none.db" devices --json 2>&1)
expect_eq "--db missing" "$out" \
	"sentinel-bureau: no bureau database at $T/none.db (register a gate or import first, or give --db)"
[ ! -e "$T/none.db" ] || fail "devices created $T/none.db"
expect_eq "nothing created" "$(ls -A)" ""
# An import of a directory without bundles says so (and creates the database).
mkdir nothing
out=$("$BB" --key "$K" import nothing 2>&1)
expect_eq "import of no bundles: exit" "$?" "0"
expect_eq "import of no bundles" "$out" "no bundles in nothing"
[ -f bureau.db ] || fail "import did not create the database"
out=$("$BB" devices 2>&1)
expect_eq "devices after the import: exit" "$?" "0"
expect_eq "devices after the import" "$out" ""
cd "$T" || exit 1
fi

# The bureau's own key is no gate's: with --key, and ./bureau.key by default.
own=$(bureau_db own)
out=$("$BB" --db "$own" register --device gate-009 --pub "$K.pub" --key "$K" 2>&1)
expect_eq "register the bureau's key: exit" "$?" "2"
expect_eq "register the bureau's key" "$out" "sentinel-bureau: register: $K.pub: that is the bureau's own key ($K), not a gate's: register the key that 'sentinelctl keys init' made on the gate"
out=$("$BB" --db "$own" register --device gate-009 --pub "$K.pub" 2>&1)
expect_eq "register the default bureau key: exit" "$?" "2"
expect_eq "register the default bureau key" "$out" "sentinel-bureau: register: $K.pub: that is the bureau's own key (bureau.key), not a gate's: register the key that 'sentinelctl keys init' made on the gate"
if bureau_pg; then
	expect_eq "a refused registration made no schema" \
		"$(pg_sql "$own" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "0"
else
	[ ! -e "$own" ] || fail "a refused registration created the database"
fi
out=$("$BB" --db "$own" register --device gate-009 --pub keys/gate-001.key.pub --key "$K" 2>&1)
expect_eq "register a gate's key with --key" "$?" "0"
case $out in "registered gate-009 kid "????????????????) ;; *) fail "register with --key: $out" ;; esac

# COMMAND --help: that command's usage on stdout, exit 0.
for c in keys register import serve ack export devices entries alerts policy badge pass "pass issue"; do
	# shellcheck disable=SC2086
	out=$("$BB" $c --help 2>"help.err")
	expect_eq "$c --help: exit" "$?" "0"
	expect_eq "$c --help: stderr" "$(cat help.err)" ""
	first=${c%% *}
	case $(printf '%s\n' "$out" | head -n 1) in
	"Usage: sentinel-bureau"*" $first "*) ;;
	*) fail "$c --help: $(printf '%s\n' "$out" | head -n 1)" ;;
	esac
done
expect_eq "register --help" "$("$BB" register --help | head -n 1)" \
	"Usage: sentinel-bureau [--db PATH] register --device ID --pub FILE"
expect_eq "policy --help" "$("$BB" policy --help | head -n 1)" \
	"Usage: sentinel-bureau [--db PATH] --key KEY policy sign --in RULES.json --out RULES.cose"
expect_eq "--help" "$("$BB" --help | head -n 1)" "Usage: sentinel-bureau [--config FILE] [--db PATH] [--key PATH] COMMAND [OPTIONS] [ARGS]"
finish
