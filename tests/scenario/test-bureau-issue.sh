#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau policy sign / badge issue / pass issue: what the bureau signs
# the gate accepts (sentinelctl policy install, the scanner reads the QR), and
# bad input is refused naming the field.
. tests/scenario/lib.sh
BUR="$B/sentinel-bureau"
[ -x "$BUR" ] || { echo "SKIP: $BUR not built"; exit 77; }
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }

"$BUR" keys init --key "$T/bureau.key" >/dev/null || fail "keys init"
cat >"$T/rules.json" <<'JSON'
{"v": 2, "home": "阳光养老院", "version": 3, "mode": "open", "fever_threshold_mdc": 37300, "colours": ["green", "yellow"],
 "formats": ["healthcode"], "max_visitors": 4, "risk_regions": ["620100", "110105"],
 "staff": [{"ref": "S010", "name": "赵*", "last_test": "2026-11-26"}],
 "max_test_age_days": 7, "valid_from": "2026-11-28T00:00:00Z", "valid_until": 1796083200000,
 "hard_limit_ms": 86400000, "issued": "2026-11-27T08:00:00Z"}
JSON
out=$("$BUR" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose" 2>&1)
expect_eq "policy sign: exit" "$?" "0"
expect_eq "policy sign: output" "$out" "rule set version 3 signed: $T/rules.cose (433 bytes)"

printf 'show none\n' >"$T/empty.scn"
write_rules_conf "$T" empty.scn "$T/bureau.key.pub"
out=$("$B/sentinelctl" policy install --config "$T/gate.conf" --now 2026-11-29T00:00:00Z "$T/rules.cose" 2>&1)
expect_eq "the gate installs it" "$out" "installed rule set version 3 (was 0: none), fresh"
out=$("$B/sentinelctl" policy show --config "$T/gate.conf" --now 2026-11-29T00:00:00Z 2>&1 | \
	grep -E '^(mode|colours|valid until|hard limit|risk regions|staff) ')
expect_eq "the gate shows it" "$out" "mode              open
valid until       2026-12-01T00:00:00Z
hard limit        2026-12-02T00:00:00Z
colours           green yellow
risk regions      620100 110105
staff             1"

# Refused input names the field; nothing is written.
sed 's/"yellow"\]/"yellow", "red"]/' "$T/rules.json" >"$T/bad1.json"
out=$("$BUR" --key "$T/bureau.key" policy sign --in "$T/bad1.json" --out "$T/bad.cose" 2>&1)
expect_eq "red accepted: exit" "$?" "1"
expect_eq "red accepted: message" "$out" \
	"sentinel-bureau: policy: $T/bad1.json: field 'colours': only \"green\" and \"yellow\" may be accepted"
sed 's/"2026-11-26"/"2026-11-31"/' "$T/rules.json" >"$T/bad2.json"
out=$("$BUR" --key "$T/bureau.key" policy sign --in "$T/bad2.json" --out "$T/bad.cose" 2>&1)
expect_eq "bad date: message" "$out" \
	"sentinel-bureau: policy: $T/bad2.json: field 'staff[0].last_test': not a date YYYY-MM-DD"
sed 's/"mode"/"moda"/' "$T/rules.json" >"$T/bad3.json"
out=$("$BUR" --key "$T/bureau.key" policy sign --in "$T/bad3.json" --out "$T/bad.cose" 2>&1)
expect_eq "unknown key: message" "$out" "sentinel-bureau: policy: $T/bad3.json: field 'moda': unknown key"
[ ! -e "$T/bad.cose" ] || fail "a refused rule set was written"
"$BUR" policy sign --in "$T/rules.json" --out "$T/x.cose" 2>/dev/null
expect_eq "no --key: exit" "$?" "2"

# Badge and pass: PNG QR codes the gate's scanner reads as SNB1: text.
out=$("$BUR" --key "$T/bureau.key" badge issue --home 阳光养老院 --ref S010 --out "$T/badge.png" --text 2>&1)
expect_eq "badge issue: exit" "$?" "0"
case $out in SNB1:*) ;; *) fail "badge text: $out" ;; esac
got=$("$B/sentinelctl" scan --json "$T/badge.png" | jq -r '.codes[0].text')
expect_eq "badge scanned" "$got" "$out"
out=$("$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-7 --issued 2026-11-28T00:00:00Z --visitor '钱*' --from 2026-11-29T01:00:00Z \
	--until 2026-11-29T03:00:00Z --out "$T/pass.png" 2>&1)
expect_eq "pass issue: exit" "$?" "0"
case $out in "pass P-7: $T/pass.png ("*" characters)") ;; *) fail "pass output: $out" ;; esac
got=$("$B/sentinelctl" scan --json "$T/pass.png" | jq -r '.codes[0].text' | cut -c1-5)
expect_eq "pass scanned" "$got" "SNB1:"
# Printable cards (PNG, PDF) whose QR code the gate's scanner reads, and sentinelctl verify naming a
# badge or a pass and checking it with the bureau's key, not as a health code (issue 16).
text=$("$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-20 --visitor '钱多多' \
	--from "2026-11-29 09:00" --until "2026-11-29 11:00" --issued 2026-11-28T08:00:00Z --gate gate-1 \
	--card "$T/pass-card.png" --text 2>&1)
expect_eq "pass card: exit" "$?" "0"
expect_eq "pass card: the scanner reads the pass" \
	"$("$B/sentinelctl" scan --json "$T/pass-card.png" | jq -r '.codes[0].text')" "$text"
expect_eq "pass card: PNG, ID-1 at 300 dpi" "$(od -An -tx1 -j16 -N8 "$T/pass-card.png" | tr -d ' ')" \
	"000003f30000027e"
out=$("$B/sentinelctl" verify --json "$T/pass-card.png")
expect_eq "verify a pass without the key: exit" "$?" "1"
expect_eq "verify a pass without the key" "$(printf '%s' "$out" | jq -c 'del(.clock)')" \
	'{"format":"credential","result":"unverified","stage":"trust","colour":"black"}'
out=$("$B/sentinelctl" verify --bureau-key "$T/bureau.key.pub" --at 2026-11-29T02:00:00Z --json "$T/pass-card.png")
expect_eq "verify a pass: exit" "$?" "0"
expect_eq "verify a pass" "$out" '{"format": "pass", "result": "valid", "stage": null, "clock": "given", '\
'"home": "阳光养老院", "gates": ["gate-1"], "issued": "2026-11-28T08:00:00Z", "id": "P-20", '\
'"valid_from": "2026-11-29T01:00:00Z", "expires": "2026-11-29T03:00:00Z", "uses": 1, "subject": "钱*", '\
'"colour": "black"}'
out=$("$B/sentinelctl" verify --config "$T/gate.conf" --at 2026-11-29T03:00:00Z "$T/pass-card.png")
expect_eq "verify a pass after its window: exit" "$?" "1"
expect_eq "verify a pass after its window ([sync] bureau_key)" "$out" "format=pass result=invalid \
stage=expired clock=given home=阳光养老院 gates=gate-1 issued=2026-11-28T08:00:00Z id=P-20 \
valid_from=2026-11-29T01:00:00Z expires=2026-11-29T03:00:00Z uses=1 subject=钱* colour=black"
"$BUR" keys init --key "$T/other.key" >/dev/null || fail "keys init (another key)"
out=$("$B/sentinelctl" verify --bureau-key "$T/other.key.pub" --at 2026-11-29T02:00:00Z --json "$T/pass-card.png")
expect_eq "verify a pass with another key: exit" "$?" "1"
expect_eq "verify a pass with another key" "$(printf '%s' "$out" | jq -c '[.format, .result, .stage, .id]')" \
	'["credential","invalid","signature",null]'
out=$("$BUR" --key "$T/bureau.key" badge issue --home 阳光养老院 --ref S010 --issued 2026-11-28T08:00:00Z \
	--out "$T/badge2.png" --card "$T/badge-card.pdf" 2>&1)
expect_eq "badge card: summary" "$out" "badge S010: $T/badge2.png, card $T/badge-card.pdf (236 characters)"
expect_eq "badge card: a PDF" "$(head -c 5 "$T/badge-card.pdf")" "%PDF-"
out=$("$BUR" --key "$T/bureau.key" badge issue --home 阳光养老院 --ref S010 --issued 2026-11-28T08:00:00Z \
	--card "$T/badge-card.png" 2>&1)
expect_eq "badge card alone: summary" "$out" "badge S010: card $T/badge-card.png (236 characters)"
out=$("$B/sentinelctl" verify --bureau-key "$T/bureau.key.pub" "$T/badge-card.png")
expect_eq "verify a badge: exit" "$?" "0"
expect_eq "verify a badge" "$(printf '%s' "$out" | sed 's/ clock=[a-z]*//')" \
	"format=badge result=valid stage=- home=阳光养老院 issued=2026-11-28T08:00:00Z ref=S010 colour=black"
out=$("$BUR" --key "$T/bureau.key" badge issue --home 阳光养老院 --ref S010 2>&1)
expect_eq "badge: neither --out nor --card: exit" "$?" "2"
expect_eq "badge: neither --out nor --card" "$out" \
	"sentinel-bureau: badge: --out, --card or both are required (- for standard output)
Try 'sentinel-bureau --help'."
"$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-8 --visitor '钱*' --from 2026-11-29T03:00:00Z \
	--until 2026-11-29T01:00:00Z --out "$T/pass2.png" 2>/dev/null
expect_eq "pass ending before it starts: exit" "$?" "2"
[ ! -e "$T/pass2.png" ] || fail "a refused pass was written"
"$BUR" --key "$T/bureau.key" badge issue --home 阳光养老院 --out "$T/b2.png" 2>/dev/null
expect_eq "badge without --ref: exit" "$?" "2"
out=$("$BUR" --key "$T/bureau.key" badge issue --ref S010 --out "$T/b2.png" 2>&1)
expect_eq "badge without --home: exit" "$?" "2"
expect_eq "badge without --home: message" "$out" \
	"sentinel-bureau: badge: badge issue takes --home, --ref and --out or --card (and --gate, --issued, --text)
Try 'sentinel-bureau --help'."
out=$("$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-9 --issued 2026-11-28T00:00:00Z --visitor '钱*' --uses 0 \
	--from 2026-11-29T01:00:00Z --until 2026-11-29T03:00:00Z --out "$T/b2.png" 2>&1)
expect_eq "pass with --uses 0: message" "$out" "sentinel-bureau: pass: --uses: '0' is not a number 1-100
Try 'sentinel-bureau --help'."
out=$("$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-9 --issued 2026-11-28T00:00:00Z --visitor '钱*' --uses 3 \
	--gate gate-1 --gate gate-2 --from 2026-11-29T01:00:00Z --until 2026-11-29T03:00:00Z --out "$T/p3.png" 2>&1)
case $out in "pass P-9: $T/p3.png (visitor 钱*, 3 entries, "*" characters)") ;; *) fail "pass --uses 3: $out" ;; esac
[ ! -e "$T/b2.png" ] || fail "a refused badge or pass was written"
# One time syntax for every option (issue 16): local time as 'entries --since' takes it, in China
# Standard Time whatever TZ the process has.
out=$(TZ=UTC0 "$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-10 --issued 2026-11-28T00:00:00Z --visitor '钱*' \
	--from "2026-11-29 09:00" --until "2026-11-29 11:30" --out "$T/p4.png" 2>&1)
case $out in "pass P-10: $T/p4.png (visitor 钱*, 1 entry, 2026-11-29T01:00:00Z to 2026-11-29T03:30:00Z, "*" characters)") ;;
*) fail "pass --from local time: $out" ;; esac

# --out - is standard output (the summary on stderr); a target that is no regular file is refused.
"$BUR" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out - >"$T/stdout.cose" 2>"$T/stdout.err"
expect_eq "policy sign --out - exit" "$?" "0"
expect_eq "policy sign --out - summary" "$(cat "$T/stdout.err")" \
	"rule set version 3 signed: standard output ($(wc -c <"$T/stdout.cose") bytes)"
"$BUR" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-11 --issued 2026-11-28T00:00:00Z --visitor '钱*' --from "2026-11-29 09:00" \
	--until "2026-11-29 10:00" --out - >"$T/stdout.png" 2>/dev/null || fail "pass issue --out -"
expect_eq "pass --out - is the QR" "$("$B/sentinelctl" scan --json "$T/stdout.png" | jq -r '.codes[0].text' | cut -c1-5)" "SNB1:"
mkfifo "$T/fifo"
out=$("$BUR" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/fifo" 2>&1)
expect_eq "policy sign to a FIFO: exit" "$?" "2"
expect_eq "policy sign to a FIFO" "$out" \
	"sentinel-bureau: policy: cannot write $T/fifo: not a regular file; give a regular file, or - for standard output"
out=$("$BUR" --key "$T/bureau.key" badge issue --home 阳光养老院 --ref S010 --out /dev/null 2>&1)
expect_eq "badge to /dev/null: exit" "$?" "2"
[ -p "$T/fifo" ] || fail "the FIFO was replaced"
ln -s rules-link-target.cose "$T/link.cose"
out=$("$BUR" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/link.cose" 2>&1)
expect_eq "policy sign to a symbolic link: exit" "$?" "2"
expect_eq "policy sign to a symbolic link" "$out" \
	"sentinel-bureau: policy: cannot write $T/link.cose: a symbolic link; give a regular file, or - for standard output"
[ -L "$T/link.cose" ] || fail "the symbolic link was replaced"

# sentinel-rules(5)'s example is a complete, valid rule set; --check names a bad field and signs
# nothing (issue 16).
sed -n '/^\.SH EXAMPLE/,/^\.EE/p' firmware/rules/sentinel-rules.5 | sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' \
	>"$T/example.json"
out=$("$BUR" policy sign --check --in "$T/example.json" 2>&1)
expect_eq "the man page's example checks" "$out" \
	"$T/example.json: rule set version 4 for home 阳光养老院 (open, 2 staff, 2 risk regions): every field valid"
sed 's/"max_test_age_days": 7/"max_test_age_days": 400/' "$T/example.json" >"$T/example-bad.json"
out=$("$BUR" policy sign --check --in "$T/example-bad.json" 2>&1)
expect_eq "--check: a bad field: exit" "$?" "1"
expect_eq "--check: a bad field" "$out" \
	"sentinel-bureau: policy: $T/example-bad.json: field 'max_test_age_days': $(
		"$BUR" --key "$T/bureau.key" policy sign --in "$T/example-bad.json" --out "$T/x.cose" 2>&1 | sed 's/.*max_test_age_days.: //')"
[ ! -e "$T/x.cose" ] || fail "a refused set was written"

finish
