#!/bin/sh
# SPDX-License-Identifier: MIT
# The review commands on a log the real sentineld wrote on the simulated
# board (times in China's zone, TZ=CST-8): entries' filters and formats,
# the table at 80 columns with Chinese names aligned, a day in another
# time zone, stats (counts, exits, peak occupancy, an empty day), export
# (CSV read back with python3's csv module, formula cells inert, JSON
# lines equal to entries --json, the count, FILE untouched on failure),
# alerts and their acknowledgement, --help, invalid dates and unknown
# filters (exit 2), a log locked by a writer (reads go on under WAL) and a
# damaged log (an error pointing to verify-log).
. tests/scenario/lib.sh

export TZ=CST-8
ctl=$B/sentinelctl

# 08:00:00 local: green, admit.  08:00:12: red, deny.  08:00:26: no code,
# refer.  08:00:37: yellow with a confirmed fever, deny.  08:01:58, past the
# de-duplication window, the green code again: admit (a new entry); two
# exits; one exit too many.
cat >"$T/review.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
$(visit "$FIX/red.png" 36.6)
$(visit none 36.4)
$(visit "$FIX/yellow.png" "38.0 37.9" 12000 70000)
$(visit "$FIX/green.png" 36.2 10000 60000)
$(press exit-button)
wait 1000
$(press exit-button)
wait 1000
$(press exit-button)
SCN
write_conf "$T/gate.conf" review.scn gate.db out.log
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/sentineld.err"
expect_eq "sentineld exit status" "$?" "0"
db=$T/gate.db

# seq decision colour reasons, one line per entry, from JSON lines on stdin.
brief() {
	python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(e["seq"], e["decision"], e["colour"], ",".join(e["reasons"]))'
}

expect_eq "all entries" "$("$ctl" entries --db "$db" --json | brief)" \
"1 admit green code-green,temp-normal
2 deny red code-red,temp-normal
3 refer unknown no-code,temp-normal
4 deny yellow fever,code-yellow
5 admit green code-green,temp-normal"

# Filters, alone and together.
expect_eq "--decision deny" "$("$ctl" entries --db "$db" --json --decision deny | brief | cut -d' ' -f1 | tr '\n' ' ')" "2 4 "
expect_eq "--decision deny,refer" "$("$ctl" entries --db "$db" --json --decision deny,refer | brief | cut -d' ' -f1 | tr '\n' ' ')" "2 3 4 "
expect_eq "--fever" "$("$ctl" entries --db "$db" --json --fever | brief | cut -d' ' -f1)" "4"
expect_eq "--colour red,yellow" "$("$ctl" entries --db "$db" --json --colour red,yellow | brief | cut -d' ' -f1 | tr '\n' ' ')" "2 4 "
expect_eq "--staff" "$("$ctl" entries --db "$db" --json --staff)" ""
expect_eq "--visitors --limit 2" "$("$ctl" entries --db "$db" --json --visitors --limit 2 | brief | cut -d' ' -f1 | tr '\n' ' ')" "1 2 "
expect_eq "--since local time" "$("$ctl" entries --db "$db" --json --since '2026-11-29 08:00:24' | brief | cut -d' ' -f1 | tr '\n' ' ')" "3 4 5 "
expect_eq "--until local time" "$("$ctl" entries --db "$db" --json --until '2026-11-29 08:00:24' | brief | cut -d' ' -f1 | tr '\n' ' ')" "1 2 "
expect_eq "--since RFC 3339" "$("$ctl" entries --db "$db" --json --since 2026-11-29T00:00:25Z --until 2026-11-29T08:01:00+08:00 | brief | cut -d' ' -f1 | tr '\n' ' ')" "3 4 "
expect_eq "--since/--until one day" "$("$ctl" entries --db "$db" --json --since 2026-11-29 --until 2026-11-29 | wc -l)" "5"
expect_eq "--day" "$("$ctl" entries --db "$db" --json --day 2026-11-29 | wc -l)" "5"
expect_eq "--day before" "$("$ctl" entries --db "$db" --json --day 2026-11-28 | wc -l)" "0"
# The same instants are the evening before in New York: [station] timezone decides, never the
# process's TZ (issue 16).
sed 's|^\[station\]$|[station]\ntimezone = America/New_York|' "$T/gate.conf" >"$T/ny.conf"
expect_eq "--day in another time zone" "$("$ctl" entries --config "$T/ny.conf" --json --day 2026-11-28 | wc -l)" "5"
"$ctl" entries --config "$T/ny.conf" --day 2026-11-28 | sed -n 2,3p >"$T/ny"
expect_eq "table in New York time" "$(cat "$T/ny")" "2026-11-28
      1  19:00:00  green   36.5 admit  open              code-green,temp-normal"
expect_eq "TZ is not the zone" "$(TZ=EST5EDT,M3.2.0,M11.1.0 "$ctl" entries --db "$db" --json --day 2026-11-28 | wc -l)" "0"
# --config finds the log.
expect_eq "--config" "$("$ctl" entries --config "$T/gate.conf" --json | wc -l)" "5"

# The table: local time, one line per day, a count, within 80 columns.
"$ctl" entries --db "$db" >"$T/table"
expect_eq "entries exit status" "$?" "0"
expect_eq "table" "$(cat "$T/table")" "    seq  time      colour  temp result door subject      reasons
2026-11-29
      1  08:00:00  green   36.5 admit  open              code-green,temp-normal
      2  08:00:12  red     36.6 deny   shut              code-red,temp-normal
      3  08:00:26  unknown 36.4 refer  shut              no-code,temp-normal
      4  08:00:37  yellow  37.9 deny   shut              fever,code-yellow
      5  08:01:58  green   36.2 admit  open              code-green,temp-normal
5 entries."
expect_eq "empty table" "$("$ctl" entries --db "$db" --day 2026-11-28 | tail -1)" "No entries."

# stats: counts, exits, occupancy (2 inside after entry 5, never below 0).
"$ctl" stats --db "$db" --day 2026-11-29 >"$T/stats"
expect_eq "stats exit status" "$?" "0"
expect_eq "stats head" "$(sed -n 1,7p "$T/stats")" "Period: 2026-11-29 00:00:00 to 2026-11-30 00:00:00 (local time)
Entries: 5 (admitted 2, denied 2, referred 1)
Fevers: 1
Staff: 0, visitors: 5
Code colours: green 2, yellow 1, red 1, black 0, unknown 1
Exits: 3
Peak occupancy: 2 at 2026-11-29 08:01:58"
expect_eq "stats hour 08" "$(grep '^08:00' "$T/stats")" "08:00            5      2      2      1      1      3"
expect_eq "stats day" "$(grep '^2026-11-29' "$T/stats")" "2026-11-29       5      2      2      1      1      3"
"$ctl" stats --db "$db" --day 2026-11-29 --json >"$T/stats.json"
expect_eq "stats --json" "$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["entries"], s["admit"], s["deny"], s["refer"], s["fever"], s["exits"], s["peak_occupancy"], s["peak_time"], s["colours"]["green"], len(s["hours"]), s["hours"][8]["entries"], s["days"][0]["day"])' "$T/stats.json")" \
	"5 2 2 1 1 3 2 2026-11-29T00:01:58Z 2 24 5 2026-11-29"
"$ctl" stats --db "$db" --day 2026-11-28 >"$T/empty"
expect_eq "stats of an empty day: exit" "$?" "0"
expect_eq "stats of an empty day" "$(sed -n '2p;6p;7p' "$T/empty"; tail -1 "$T/empty")" "Entries: 0 (admitted 0, denied 0, referred 0)
Exits: 0
Peak occupancy: 0
No entries on 2026-11-28."
expect_eq "stats of an empty day: no hour rows" "$(grep -c '^[0-9][0-9]:00 ' "$T/empty")" "0"
# No --day: today, which has no entries here; the line names the day of the log's last entry.
"$ctl" stats --db "$db" >"$T/today"
expect_eq "stats of today: exit" "$?" "0"
expect_eq "stats of today: no hour rows" "$(grep -c '^[0-9][0-9]:00 ' "$T/today")" "0"
grep -q "^No entries today ([0-9-]*); the log's last entry is of 2026-11-29: give --day 2026-11-29 (or --since,\$" \
	"$T/today" || fail "stats of today: no line naming the last entry's day: $(tail -2 "$T/today")"

# Hostile content as it could be in a log (as if a subject had been made
# by a certificate): Chinese names, formula cells, quotes and a line break,
# a terminal escape.  Added with SQL to a copy, linked to the chain (their
# hashes are not the store's: verify-log would name them).
cp "$db" "$T/h.db"
sqlite3 "$T/h.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
i=0
for subject in '欧阳*华' '=HYPERLINK("http://x","y")' '+1' '-2' '@SUM(A1)' 'a,"b"
c' "$(printf '\033[31mred')" '张三丰李四王五赵六钱七孙八' "$(printf 'txt\342\200\256gpj.exe')" \
	"$(printf 'c1\302\233m\342\201\246x')"; do
	i=$((i + 1))
	q=$(printf '%s' "$subject" | sed "s/'/''/g")
	sqlite3 "$T/h.db" "INSERT INTO entries (seq, boot_id, mono_ms, time_utc_ms, clock, kind, format,
		colour, verified, temp_dc, decision, reasons, door, subject, payload, prev_hash, hash)
		SELECT max(seq) + 1, 'b', 0, 1795910400000 + 600000 + $i * 1000, 'trusted', 'visitor',
		'healthcode', 'green', 'unverified', 365, 'admit', 'code-green,temp-normal', 'opened',
		'$q', NULL, (SELECT hash FROM entries ORDER BY seq DESC LIMIT 1), randomblob(32)
		FROM entries" || fail "insert $i"
done
"$ctl" entries --db "$T/h.db" --since '2026-11-29 08:10' >"$T/h.table"
expect_eq "hostile entries listed" "$?" "0"
# Every line within 80 columns, the reasons column at the same place on every
# row (East Asian wide characters count 2), no escape character.
python3 - "$T/h.table" >"$T/widths" <<'PY'
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if any(c in line for c in "\x1b\x9b\u202e\u2066"):
        print("control in", repr(line))
    if width(line) > 80:
        print("wider than 80:", line)
    if "code-green" in line:
        print("reasons at", width(line[:line.index("code-green")]))
PY
expect_eq "table widths" "$(sort -u "$T/widths")" "reasons at 57"
expect_eq "table rows" "$(sed -n '3p;9p;10p;11p;12p' "$T/h.table")" "      6  08:10:01  green   36.5 admit  open 欧阳*华      code-green,temp-normal
     12  08:10:07  green   36.5 admit  open ?[31mred     code-green,temp-normal
     13  08:10:08  green   36.5 admit  open 张三丰李四~  code-green,temp-normal
     14  08:10:09  green   36.5 admit  open txt?gpj.exe  code-green,temp-normal
     15  08:10:10  green   36.5 admit  open c1?m?x       code-green,temp-normal"
# LANG=C.UTF-8: widths from wcwidth, the same table.
if locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
	expect_eq "table in a UTF-8 locale" "$(LC_ALL=C.UTF-8 "$ctl" entries --db "$T/h.db" --since '2026-11-29 08:10')" "$(cat "$T/h.table")"
fi

# export CSV: BOM, CRLF, read back with python3's csv module; formula cells
# inert; every row.
"$ctl" export --db "$T/h.db" --format csv --output "$T/all.csv" >"$T/export.out"
expect_eq "export exit status" "$?" "0"
expect_eq "export message" "$(cat "$T/export.out")" "export: 15 entries to $T/all.csv"
"$ctl" entries --db "$T/h.db" --json >"$T/all.jsonl"
python3 - "$T/all.csv" "$T/all.jsonl" >"$T/csvcheck" <<'PY'
import csv, json, sys
raw = open(sys.argv[1], "rb").read()
if not raw.startswith(b"\xef\xbb\xbf"):
    print("no BOM")
if raw.replace(b"\r\n", b"").count(b"\n") != 0:	# a line break in a value is escaped
    print("bare LF")
if any(c in raw.decode("utf-8") for c in "\x1b\x9b\u202e\u2066"):
    print("control in the CSV")
if not raw.endswith(b"\r\n"):
    print("no CRLF at the end")
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
ents = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
if len(rows) != len(ents):
    print("rows", len(rows), "entries", len(ents))
for r, e in zip(rows, ents):
    want = "".join("\\x%02x" % ord(c) if ord(c) < 0x20 or ord(c) == 0x7f else
                   "\\u%04x" % ord(c) if 0x80 <= ord(c) <= 0x9f or ord(c) in (0x2028, 0x2029) or
                   0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069 else c
                   for c in e.get("subject", ""))
    if want[:1] in ("=", "+", "-", "@", "\t", "\r"):
        want = "'" + want
    got = (int(r["seq"]), r["time_utc"], r["decision"], r["reasons"], r["subject"],
           float(r["temp_c"]) if r["temp_c"] else None)
    exp = (e["seq"], e["time"], e["decision"], " ".join(e["reasons"]), want, e["temp_c"])
    if got != exp:
        print("row differs:", got, exp)
print("subjects:", [r["subject"] for r in rows[5:]])
PY
expect_eq "CSV round trip" "$(cat "$T/csvcheck")" \
"subjects: ['欧阳*华', '\\'=HYPERLINK(\"http://x\",\"y\")', \"'+1\", \"'-2\", \"'@SUM(A1)\", 'a,\"b\"\\\\x0ac', '\\\\x1b[31mred', '张三丰李四王五赵六钱七孙八', 'txt\\\\u202egpj.exe', 'c1\\\\u009bm\\\\u2066x']"
# JSON lines: the same as entries --json.
"$ctl" export --db "$T/h.db" --format json --output "$T/all.json" --decision admit >/dev/null
expect_eq "export json = entries --json" "$(cat "$T/all.json")" "$("$ctl" entries --db "$T/h.db" --json --decision admit)"
# An empty day: the header only.
expect_eq "export empty day" "$("$ctl" export --db "$db" --format csv --output "$T/empty.csv" --day 2026-11-28)" "export: 0 entries to $T/empty.csv"
expect_eq "export empty day content" "$(python3 -c 'import sys; print(repr(open(sys.argv[1], "rb").read()))' "$T/empty.csv")" \
	"b'\\xef\\xbb\\xbfseq,time,time_utc,clock,kind,format,colour,verified,temp_c,decision,reasons,door,subject,staff,override_by,override_original,pass,idcard_last4,birth_year\\r\\n'"
[ -z "$(find "$T" -name '*.tmp-*')" ] || fail "temporary files left: $(find "$T" -name '*.tmp-*')"
# Progress: a counter on standard error only when it is a terminal (script(1) gives one).
"$ctl" export --db "$T/h.db" --format csv --output "$T/quiet.csv" 2>"$T/quiet.err" >/dev/null
expect_eq "export: no progress off a terminal" "$(cat "$T/quiet.err")" ""
script -qec "'$ctl' export --db '$T/h.db' --format csv --output '$T/tty.csv' >/dev/null" /dev/null >"$T/tty.out" </dev/null
# The first and the last figures always, others at most every 100 ms; the line cleared at the end.
expect_eq "export: progress on a terminal" "$(python3 -c '
import re, sys
t = open(sys.argv[1], "rb").read().decode()
ok = re.fullmatch(r"\rexport: 1/15 \(6%\)\x1b\[K(\rexport: \d+/15 \(\d+%\)\x1b\[K)*\rexport: 15/15 \(100%\)\x1b\[K\r\x1b\[K", t)
print("ok" if ok else repr(t))' "$T/tty.out")" "ok"
# -o - is standard output (the count on stderr); a target that is no regular file is refused,
# naming it, and left as it was (issue 16: -o /dev/stdout as root replaced the device).
"$ctl" export --db "$T/h.db" --format json -o - --decision admit >"$T/stdout.json" 2>"$T/stdout.err"
expect_eq "export -o - exit" "$?" "0"
expect_eq "export -o - = entries --json" "$(cat "$T/stdout.json")" "$("$ctl" entries --db "$T/h.db" --json --decision admit)"
expect_eq "export -o - count on stderr" "$(cat "$T/stdout.err")" "export: $(wc -l <"$T/stdout.json") entries to standard output"
[ -e ./- ] && fail "export -o - made a file named -"
mkfifo "$T/fifo"
for target in "$T/fifo" /dev/null "$T"; do
	what="not a regular file"
	[ -d "$target" ] && what="Is a directory"
	out=$("$ctl" export --db "$T/h.db" --format csv -o "$target" 2>&1)
	expect_eq "export -o $target exit" "$?" "1"
	expect_eq "export -o $target" "$out" "sentinelctl: export: cannot write $target: $what; give a regular file, or - for standard output"
	out=$("$ctl" report --day 2026-11-29 --db "$T/h.db" --output "$target" 2>&1)
	expect_eq "report --output $target exit" "$?" "1"
	expect_eq "report --output $target" "$out" "sentinelctl: report: cannot write $target: $what; give a regular file, or - for standard output"
done
[ -p "$T/fifo" ] || fail "the FIFO was replaced"
# A symbolic link is refused whatever it points to (-o /dev/stdout with standard output a
# file: the rename replaced the link /dev/stdout with a regular file), and left as it is.
: >"$T/real.csv"
ln -s real.csv "$T/link.csv"
ln -s missing.csv "$T/dangling.csv"
for target in "$T/link.csv" "$T/dangling.csv"; do
	out=$("$ctl" export --db "$T/h.db" --format csv -o "$target" 2>&1)
	expect_eq "export -o $target exit" "$?" "1"
	expect_eq "export -o $target" "$out" "sentinelctl: export: cannot write $target: a symbolic link; give a regular file, or - for standard output"
	out=$("$ctl" report --day 2026-11-29 --db "$T/h.db" --output "$target" 2>&1)
	expect_eq "report --output $target exit" "$?" "1"
	expect_eq "report --output $target" "$out" "sentinelctl: report: cannot write $target: a symbolic link; give a regular file, or - for standard output"
	[ -L "$target" ] || fail "$target was replaced"
done
[ -s "$T/real.csv" ] && fail "written through the link"
"$ctl" report --day 2026-11-29 --db "$T/h.db" -o - >"$T/page.html" 2>"$T/page.err"
expect_eq "report -o - exit" "$?" "0"
expect_eq "report -o - is the page" "$(head -c 15 "$T/page.html")" "<!DOCTYPE html>"
case $(cat "$T/page.err") in "standard output: "*" entries, "*) ;; *) fail "report -o - summary: $(cat "$T/page.err")" ;; esac
# Staff overrides in the detail records (struct snt_entry.detail), added
# with SQL to a copy as above: 6 admitted by S001 (was deny) with a pass
# that looks like a formula, 7 admitted with the staff button (was refer),
# 8 denied by a staff reference too long for the table, 9 a record written
# over several lines (not as sentineld writes it: shown compact).
cp "$db" "$T/d.db"
sqlite3 "$T/d.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
i=0
add_detail() {	# DECISION REASONS DOOR DETAIL-SQL
	i=$((i + 1))
	sqlite3 "$T/d.db" "INSERT INTO entries (seq, boot_id, mono_ms, time_utc_ms, clock, kind, format,
		colour, verified, temp_dc, decision, reasons, door, subject, payload, detail, prev_hash, hash)
		SELECT max(seq) + 1, 'b', 0, 1795910400000 + 600000 + $i * 1000, 'trusted', 'visitor',
		'healthcode', 'green', 'unverified', 365, '$1', '$2', '$3', NULL, NULL, $4,
		(SELECT hash FROM entries ORDER BY seq DESC LIMIT 1), randomblob(32)
		FROM entries" || fail "insert detail $i"
}
add_detail admit code-yellow,override-admit,temp-normal opened \
	"'{\"staff\":\"S001\",\"override\":{\"by\":\"S001\",\"original\":\"deny\"},\"pass\":\"=P-7\"}'"
add_detail admit no-code,override-admit,temp-normal opened \
	"'{\"override\":{\"by\":\"button\",\"original\":\"refer\"}}'"
add_detail deny override-deny,code-green,temp-normal shut \
	"'{\"override\":{\"by\":\"staff-member-with-a-long-ref-0001\",\"original\":\"admit\"}}'"
add_detail admit code-green,temp-normal opened \
	"'{' || char(10) || '  \"staff\": \"S-2\",  \"rules\": {\"version\": 3, \"stale\": false}' || char(10) || '}'"
expect_eq "entries --json --detail" "$("$ctl" entries --db "$T/d.db" --json --detail --since '2026-11-29 08:10' | sed -E 's/"time": "[^"]*", //')" \
'{"seq": 6, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.5, "decision": "admit", "reasons": ["code-yellow", "override-admit", "temp-normal"], "door": "opened", "detail": {"staff":"S001","override":{"by":"S001","original":"deny"},"pass":"=P-7"}}
{"seq": 7, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.5, "decision": "admit", "reasons": ["no-code", "override-admit", "temp-normal"], "door": "opened", "detail": {"override":{"by":"button","original":"refer"}}}
{"seq": 8, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.5, "decision": "deny", "reasons": ["override-deny", "code-green", "temp-normal"], "door": "shut", "detail": {"override":{"by":"staff-member-with-a-long-ref-0001","original":"admit"}}}
{"seq": 9, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.5, "decision": "admit", "reasons": ["code-green", "temp-normal"], "door": "opened", "detail": {"staff":"S-2","rules":{"version":3,"stale":false}}}'
# Without --detail the lines are interfaces.md's fields only; sentineld's
# entries carry the measurement.
expect_eq "entries --json without --detail" "$("$ctl" entries --db "$T/d.db" --json | grep -c detail)" "0"
expect_eq "sentineld's detail record" "$("$ctl" entries --db "$T/d.db" --json --detail --limit 1 | python3 -c '
import json, sys
print(sorted(json.loads(sys.stdin.readline())["detail"]["measure"]))')" \
	"['ambient_coeff_pm', 'ambient_mdc', 'ambient_ref_mdc', 'body_mdc', 'emissivity_pm', 'faults', 'offset_mdc', 'readings', 'rejected', 'samples', 'skin_mdc', 'used']"
"$ctl" export --db "$T/d.db" --format json --detail --output "$T/d.json" >/dev/null
expect_eq "export --format json --detail = entries --json --detail" "$(cat "$T/d.json")" \
	"$("$ctl" entries --db "$T/d.db" --json --detail)"
expect_eq "entries --csv: staff and override columns" \
	"$("$ctl" entries --db "$T/d.db" --csv --since '2026-11-29 08:10' | cut -d, -f1,10- | tr -d '\r')" \
"seq,decision,reasons,door,subject,staff,override_by,override_original,pass,idcard_last4,birth_year
6,admit,code-yellow override-admit temp-normal,opened,,S001,S001,deny,'=P-7,,
7,admit,no-code override-admit temp-normal,opened,,,button,refer,,,
8,deny,override-deny code-green temp-normal,shut,,,staff-member-with-a-long-ref-0001,admit,,,
9,admit,code-green temp-normal,opened,,S-2,,,,,"
"$ctl" export --db "$T/d.db" --format csv --output "$T/d.csv" --since '2026-11-29 08:10' >/dev/null
expect_eq "export csv = entries --csv" "$(tail -c +4 "$T/d.csv")" \
	"$("$ctl" entries --db "$T/d.db" --csv --since '2026-11-29 08:10')"
# The table: "override-admit by S001" when it fits the reasons column.
expect_eq "table with overrides" "$("$ctl" entries --db "$T/d.db" --since '2026-11-29 08:10' | sed 1,2d)" \
"      6  08:10:01  green   36.5 admit  open              code-yellow
                                                         override-admit by S001
                                                         temp-normal pass =P-7
      7  08:10:02  green   36.5 admit  open              no-code,override-admit
                                                         temp-normal
      8  08:10:03  green   36.5 deny   shut              override-deny
                                                         code-green,temp-normal
      9  08:10:04  green   36.5 admit  open              code-green,temp-normal
4 entries."
"$ctl" entries --db "$T/d.db" --csv --detail >/dev/null 2>"$T/detail.err"
expect_eq "--detail without --json: exit" "$?" "2"
expect_eq "--detail without --json: message" "$(head -n 1 "$T/detail.err")" \
	"sentinelctl: entries: --detail needs --json."
# A staff member's entry names the reference in the table, a pass its id (issue 16).
cp "$T/d.db" "$T/s.db"
sqlite3 "$T/s.db" "INSERT INTO entries (seq, boot_id, mono_ms, time_utc_ms, clock, kind, format,
	colour, verified, temp_dc, decision, reasons, door, subject, payload, detail, prev_hash, hash)
	SELECT max(seq) + 1, 'b', 0, 1795910400000 + 700000, 'trusted', 'staff', 'healthcode', 'green',
	'unverified', 364, 'admit', 'code-green,temp-normal', 'opened', NULL, NULL, '{\"staff\":\"S010\"}',
	(SELECT hash FROM entries ORDER BY seq DESC LIMIT 1), randomblob(32) FROM entries" || fail "insert staff"
expect_eq "table: the staff reference" "$("$ctl" entries --db "$T/s.db" --staff | sed 1,2d)" \
"     10* 08:11:40  green   36.4 admit  open              code-green,temp-normal
                                                         staff S010
1 entry."
"$ctl" export --db "$T/d.db" --format csv --detail --output "$T/x.csv" >/dev/null 2>"$T/detail.err"
expect_eq "export --detail without json: exit" "$?" "2"
expect_eq "export --detail without json: message" "$(head -n 1 "$T/detail.err")" \
	"sentinelctl: export: --detail needs --format json."

# alerts: the store raised a fever (seq 4) and a referral (seq 3).
"$ctl" alerts --db "$db" --json >"$T/alerts"
expect_eq "alerts" "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    print(a["id"], a["kind"], a["seq"], a["ack_by"])' "$T/alerts")" "2 fever 4 None
1 referral 3 None"
expect_eq "alerts table" "$("$ctl" alerts --db "$db")" "     id time                kind              seq detail
      2 2026-11-29 08:00:37 fever               4 37.9 C
      1 2026-11-29 08:00:26 referral            3 no-code,temp-normal"
expect_eq "ack" "$("$ctl" alerts --db "$db" --ack 2 --staff S-0012)" "Alert 2 acknowledged by S-0012."
"$ctl" alerts --db "$db" --ack 2 --staff S-0012 >/dev/null 2>"$T/ack2.err"
expect_eq "ack again: exit" "$?" "1"
expect_eq "ack again: message" "$(cat "$T/ack2.err")" "sentinelctl: alerts: alert 2 was acknowledged already."
"$ctl" alerts --db "$db" --ack 99 --staff S-0012 >/dev/null 2>"$T/ack99.err"
expect_eq "ack unknown: exit" "$?" "1"
expect_eq "ack unknown: message" "$(cat "$T/ack99.err")" "sentinelctl: alerts: there is no alert 99."
"$ctl" alerts --db "$db" --ack 1 >/dev/null 2>&1
expect_eq "ack without --staff: exit" "$?" "2"
expect_eq "open alerts after ack" "$("$ctl" alerts --db "$db" --json | wc -l)" "1"
expect_eq "all alerts" "$("$ctl" alerts --db "$db" --all | grep -c 'acknowledged by S-0012 at ')" "1"

# --help: usage on stdout, exit 0.
for cmd in entries stats export alerts; do
	out=$("$ctl" $cmd --help)
	expect_eq "$cmd --help exit" "$?" "0"
	case $out in "Usage: sentinelctl $cmd"*) ;; *) fail "$cmd --help: $out" ;; esac
done

# Invalid dates and unknown filters: one clear line, exit 2.
usage_err() {	# WHAT WANT_MESSAGE CMD...
	what=$1 want=$2
	shift 2
	"$@" >"$T/u.out" 2>"$T/u.err"
	expect_eq "$what: exit" "$?" "2"
	expect_eq "$what: message" "$(head -1 "$T/u.err")" "$want"
	expect_eq "$what: no output" "$(cat "$T/u.out")" ""
}
usage_err "30 February" "sentinelctl: entries: --since: '2026-02-30': no such date or time." \
	"$ctl" entries --db "$db" --since 2026-02-30
usage_err "not a date" "sentinelctl: entries: --until: 'yesterday': not a date (YYYY-MM-DD), a local time (YYYY-MM-DD HH:MM[:SS]) or an RFC 3339 time." \
	"$ctl" entries --db "$db" --until yesterday
usage_err "stats --day with a time" "sentinelctl: stats: --day: '2026-11-29 08:00': not a day (YYYY-MM-DD)." \
	"$ctl" stats --db "$db" --day '2026-11-29 08:00'
usage_err "unknown decision" "sentinelctl: entries: --decision: unknown value 'maybe'." \
	"$ctl" entries --db "$db" --decision admit,maybe
usage_err "unknown colour" "sentinelctl: export: --colour: unknown value 'blue'." \
	"$ctl" export --db "$db" --format csv --output "$T/x.csv" --colour blue
usage_err "unknown filter" "sentinelctl: entries: unknown option '--temperature=38'" \
	"$ctl" entries --db "$db" --temperature=38
usage_err "empty period" "sentinelctl: entries: the period is empty: --since is not before --until." \
	"$ctl" entries --db "$db" --since 2026-11-29 --until '2026-11-28 12:00'
usage_err "bad limit" "sentinelctl: entries: --limit: '0' is not a positive whole number." \
	"$ctl" entries --db "$db" --limit 0
[ ! -e "$T/x.csv" ] || fail "a usage error wrote the export"

# A writer holds the log (an open write transaction, as sentineld's): reads
# go on under WAL, at once.
mkfifo "$T/lockfifo"
sqlite3 -cmd ".timeout 5000" "$db" <"$T/lockfifo" >"$T/lock.out" 2>&1 &
lockpid=$!
exec 3>"$T/lockfifo"
echo "BEGIN IMMEDIATE; INSERT INTO events (boot_id, mono_ms, time_utc_ms, clock, kind) VALUES ('b', 0, 1, 'trusted', 'sync');" >&3
n=0
while sqlite3 -cmd '.timeout 0' "$db" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; do
	n=$((n + 1))
	[ "$n" -lt 100 ] || { fail "the writer never took the lock: $(cat "$T/lock.out")"; break; }
	sleep 0.05
done
# The writer's transaction stays open until fd 3 is closed below: a read
# that waited for it would fail after the busy timeout instead of answering.
expect_eq "locked: entries" "$("$ctl" entries --db "$db" --json | wc -l)" "5"
expect_eq "locked: stats" "$("$ctl" stats --db "$db" --day 2026-11-29 | sed -n 2p)" "Entries: 5 (admitted 2, denied 2, referred 1)"
expect_eq "locked: export" "$("$ctl" export --db "$db" --format csv --output "$T/locked.csv")" "export: 5 entries to $T/locked.csv"
expect_eq "locked: alerts" "$("$ctl" alerts --db "$db" --all --json | wc -l)" "2"
echo "ROLLBACK;" >&3
exec 3>&-
wait "$lockpid"

# verify-log and purge take --config like the other commands (the log of its [station] db).
expect_eq "verify-log --config = --db" "$("$ctl" verify-log --config "$T/gate.conf" --json | sed 's/"seconds": [0-9.]*//')" \
	"$("$ctl" verify-log --db "$db" --json | sed 's/"seconds": [0-9.]*//')"
out=$("$ctl" verify-log --config "$T/gate.conf" --db "$db" 2>&1)
expect_eq "verify-log --config and --db: exit" "$?" "2"
expect_eq "verify-log --config and --db" "$(echo "$out" | head -n 1)" \
	"sentinelctl: verify-log: give --db or --config, not both"
cp "$db" "$T/p.db"
sed "s|^db = .*|db = $T/p.db|" "$T/gate.conf" >"$T/p.conf"
expect_eq "purge --config" "$("$ctl" purge --config "$T/p.conf" --older-than 7 --now 2026-11-29T12:00:00Z 2>&1 | head -n 1)" \
	"$("$ctl" purge --db "$db" --older-than 7 --now 2026-11-29T12:00:00Z 2>&1 | head -n 1 | sed "s|$db|$T/p.db|g")"
# A damaged log: a clear error pointing to verify-log, nothing written.
cp "$db" "$T/bad.db"
sqlite3 "$T/bad.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
rm -f "$T/bad.db-wal" "$T/bad.db-shm"
pages=$(sqlite3 "$T/bad.db" 'PRAGMA page_count')
psize=$(sqlite3 "$T/bad.db" 'PRAGMA page_size')
root=$(sqlite3 "$T/bad.db" "SELECT rootpage FROM sqlite_schema WHERE name = 'entries'")
# Garbage over the entries table's root page.
dd if=/dev/zero bs="$psize" seek=$((root - 1)) count=1 conv=notrunc of="$T/bad.db" 2>/dev/null
printf 'not a page' | dd bs=1 seek=$(((root - 1) * psize)) conv=notrunc of="$T/bad.db" 2>/dev/null
echo keep >"$T/keep.csv"
for cmd in "entries" "stats --day 2026-11-29" "export --format csv --output $T/keep.csv"; do
	# shellcheck disable=SC2086
	"$ctl" $cmd --db "$T/bad.db" >/dev/null 2>"$T/bad.err"
	rc=$?
	[ "$rc" -ne 0 ] || fail "damaged log: $cmd exit 0"
	grep -q "the log is damaged.*run 'sentinelctl verify-log --db $T/bad.db'" "$T/bad.err" ||
		fail "damaged log: $cmd: $(cat "$T/bad.err")"
done
expect_eq "damaged log: export left FILE" "$(cat "$T/keep.csv")" "keep"
[ -z "$(find "$T" -name '*.tmp-*')" ] || fail "temporary files left: $(find "$T" -name '*.tmp-*')"
# Not a database at all.
head -c 8192 /dev/urandom >"$T/noise.db"
"$ctl" entries --db "$T/noise.db" >/dev/null 2>"$T/noise.err"
expect_eq "noise: exit" "$?" "2"
grep -q "verify-log" "$T/noise.err" || fail "noise: $(cat "$T/noise.err")"
[ "$pages" -gt 1 ] || fail "page count $pages"

# Nothing personal on stderr.
! grep -q '欧阳\|HYPERLINK' "$T"/*.err || fail "a subject reached stderr"
finish
