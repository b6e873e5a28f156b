#!/bin/sh
# SPDX-License-Identifier: MIT
# Human messages in Chinese (LANG=zh_CN.UTF-8, the build's catalogue) and
# counts by ngettext plurals in English ("1 entry" / "2 entries"): the sync
# summary, policy install and show, verify-log, the headers of the
# entries, alerts and stats tables (aligned by display width), status,
# sentineld's log and -n line, verify-log's findings, stats of an empty
# day, and sentinel-bureau's summaries (key, export, trust sign, revoke)
# and help, each exactly.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-i18n: $B/sentinel-bureau not built: skipped"; exit 77; }
need_zh_locale test-i18n
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C TZ=CST-8
ctl=$B/sentinelctl
bur=$B/sentinel-bureau
zh() { LANG=zh_CN.UTF-8 "$@"; }
# verify-log's timing, which varies
secs() { sed 's/[0-9]*\.[0-9]* s$/T s/; s/[0-9]*\.[0-9]* 秒$/T 秒/'; }

cat >"$T/one.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
SCN
cat >"$T/two.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
$(visit "$FIX/red.png" 36.6)
SCN
write_conf "$T/one.conf" one.scn one.db one.log
write_conf "$T/gate.conf" two.scn gate.db out.log
append_sync_conf "$T/gate.conf"
"$B/sentineld" -f -c "$T/one.conf" 2>"$T/err" || fail "sentineld (one visitor): $(cat "$T/err")"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/err" || fail "sentineld (two visitors): $(cat "$T/err")"

# verify-log: one entry and two, in English and in Chinese.
expect_eq "verify-log: 1 entry" "$("$ctl" verify-log --db "$T/one.db" | secs)" \
	"clean: 1 entry checked (seq 1-1), purged through seq 0, ack 0, T s"
expect_eq "verify-log: 2 entries" "$("$ctl" verify-log --db "$T/gate.db" | secs)" \
	"clean: 2 entries checked (seq 1-2), purged through seq 0, ack 0, T s"
expect_eq "verify-log in Chinese" "$(zh "$ctl" verify-log --db "$T/gate.db" | secs)" \
	"完好：已检查 2 条记录（序号 1-2），已清除至序号 0，确认至 0，T 秒"

# The tables' headers, as wide as the English ones' columns.
expect_eq "entries header" "$("$ctl" entries --db "$T/gate.db" | head -n 1)" \
	"    seq  time      colour  temp result door subject      reasons"
expect_eq "entries header in Chinese" "$(zh "$ctl" entries --db "$T/gate.db" | head -n 1)" \
	"   序号  时间      颜色    体温 结果   门   人员         原因"
expect_eq "alerts header in Chinese" "$(zh "$ctl" alerts --db "$T/gate.db" | head -n 1)" \
	"   编号 时间                类别             序号 详情"
expect_eq "stats header in Chinese" "$(zh "$ctl" stats --db "$T/gate.db" --day 2026-11-29 | grep -m1 '^小时')" \
	"小时          记录   通过   拒绝 转人工   发热   离开"

# Sync by stick: the summary in English (one bundle each) and in Chinese.
"$ctl" keys init --config "$T/gate.conf" >/dev/null || fail "keys init"
"$bur" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
"$bur" --db "$T/bureau.db" register --device test-gate --pub "$T/keys/device.pub" >/dev/null ||
	fail "bureau register"
. "$ROOT/tests/sync/stick.sh"
make_stick "$T/stick"
cp "$T/gate.db" "$T/zh.db"
[ -e "$T/gate.db-wal" ] && cp "$T/gate.db-wal" "$T/zh.db-wal"
sed 's/^db = gate.db/db = zh.db/' "$T/gate.conf" >"$T/zh.conf"
sync_usb() { # CONFIG
	"$ctl" sync usb --config "$1" --sysfs-root "$T/stick/sys" --mountinfo "$T/stick/mountinfo" "$T/stick/mnt"
}
out=$(sync_usb "$T/gate.conf")
expect_eq "sync usb: exit" "$?" "0"
expect_eq "sync usb: counts" "$(echo "$out" | grep -E 'entries sent|priority copies|verdicts')" \
	"  entries sent:      1-2 (2) in 1 bundle
  priority copies:   1 in 1 bundle
  verdicts:          0 recorded, 0 contradictions"
rm -rf "$T/stick/mnt/sentinel"
out=$(zh sync_usb "$T/zh.conf")
expect_eq "sync usb in Chinese: exit" "$?" "0"
expect_eq "sync usb in Chinese" "$(echo "$out" | grep -v '已写文件')" \
	"同步 usb：$T/stick/mnt，闸机 test-gate
  已发送记录：       1-2（2 条），共 1 个数据包
  优先副本：         1 条，共 1 个数据包
  已确认：           至 0（原为 0）
  核验结论：         已记录 0 条，矛盾 0 条
  时间：             未收到
  错误：             无"

# Rule sets: the bureau's summaries, the gate's install and show.
cat >"$T/rules.json" <<'JSON'
{"v": 2, "home": "阳光养老院", "version": 3, "mode": "open", "fever_threshold_mdc": 37300, "colours": ["green"],
 "formats": ["healthcode"], "max_visitors": 0, "risk_regions": ["620100"],
 "staff": [{"ref": "S010", "name": "赵*", "last_test": "2026-11-26"}],
 "max_test_age_days": 1, "valid_from": "2026-11-28T00:00:00Z", "valid_until": 1796083200000,
 "hard_limit_ms": 86400000, "issued": "2026-11-27T08:00:00Z"}
JSON
expect_eq "policy sign --check: 1 risk region" "$("$bur" policy sign --check --in "$T/rules.json")" \
	"$T/rules.json: rule set version 3 for home 阳光养老院 (open, 1 staff, 1 risk region): every field valid"
expect_eq "policy sign --check in Chinese" "$(zh "$bur" policy sign --check --in "$T/rules.json")" \
	"$T/rules.json：养老院 阳光养老院 的规则集第 3 版（open，员工 1 名，风险地区 1 个）：所有字段有效"
expect_eq "policy sign in Chinese" \
	"$(zh "$bur" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose")" \
	"规则集第 3 版已签名：$T/rules.cose（$(stat -c %s "$T/rules.cose") 字节）"
write_rules_conf "$T/r" one.scn "$T/bureau.key.pub"
expect_eq "policy install in Chinese" \
	"$(zh "$ctl" policy install --config "$T/r/gate.conf" --now 2026-11-29T00:00:00Z "$T/rules.cose")" \
	"已安装规则集第 3 版（原为第 0 版：无），fresh"
expect_eq "policy show: 1 day" "$("$ctl" policy show --config "$T/r/gate.conf" --now 2026-11-29T00:00:00Z |
	grep '^max test age')" "max test age      1 day"
expect_eq "policy show in Chinese" "$(zh "$ctl" policy show --config "$T/r/gate.conf" \
	--now 2026-11-29T00:00:00Z | grep -v -e '^签发' -e '^已过')" \
	"版本              3
养老院            阳光养老院
闸机              本院全部闸机
模式              open
生效              2026-11-28T00:00:00Z
有效至            2026-12-01T00:00:00Z
最终期限          2026-12-02T00:00:00Z
时效              fresh
发热阈值          37.3
颜色              green
格式              healthcode
访客上限          0（不限）
风险地区          620100
检测有效期        1 天
工作人员          1
  S010            赵*  上次检测 2026-11-26，到期 2026-11-27"

# sentineld's log in Chinese: the rule set taken at start, the start.
cp "$T/one.scn" "$T/r/one.scn"
zh "$B/sentineld" -f -c "$T/r/gate.conf" 2>"$T/r/stderr" || fail "sentineld in Chinese: $(cat "$T/r/stderr")"
expect_eq "sentineld in Chinese" "$(grep -E '启动' "$T/r/stderr")" "sentineld: 启动：规则集第 3 版（open，fresh）
sentineld: 已启动：主板 sim，日志 $T/r/gate.db，闸机 test-gate"

# status: the labels aligned by display width.
expect_eq "status in Chinese" "$(zh "$ctl" status --config "$T/r/gate.conf" --now 2026-11-29T00:00:00Z |
	sed -n '1,4p')" \
	"已入网         是
养老院         阳光养老院
闸机           test-gate
民政局         仅用U盘"

# sentinel-bureau: a pass's summary (1 entry, 2 entries), its help.
out=$("$bur" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-1 --issued 2026-11-28T00:00:00Z --visitor '钱多多' \
	--from "2026-11-29 09:00" --until "2026-11-29 11:00" --card "$T/p1.png" 2>&1)
case $out in "pass P-1: card $T/p1.png (visitor 钱*, 1 entry, 2026-11-29T01:00:00Z to 2026-11-29T03:00:00Z, "*) ;;
*) fail "pass issue: 1 entry: $out" ;; esac
out=$(zh "$bur" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-2 --issued 2026-11-28T00:00:00Z --visitor '钱多多' --uses 2 \
	--from "2026-11-29 09:00" --until "2026-11-29 11:00" --card "$T/p2.png" 2>&1)
case $out in "通行证 P-2：卡片 $T/p2.png（访客 钱*，可进入 2 次，2026-11-29T01:00:00Z 至 2026-11-29T03:00:00Z，"*) ;;
*) fail "pass issue in Chinese: $out" ;; esac
expect_eq "sentinel-bureau --help in Chinese" "$(zh "$bur" --help | head -n 1)" \
	"用法：sentinel-bureau [--config FILE] [--db PATH] [--key PATH] 命令 [选项] [参数]"

# sentinelctl: an export's count (1 entry, 2 entries; ngettext) and a usage error of verify, in Chinese.
"$ctl" export --db "$T/one.db" --format json -o - >/dev/null 2>"$T/export.err"
expect_eq "export: 1 entry" "$(cat "$T/export.err")" "export: 1 entry to standard output"
"$ctl" export --db "$T/gate.db" --format json -o - >/dev/null 2>"$T/export.err"
expect_eq "export: 2 entries" "$(cat "$T/export.err")" "export: 2 entries to standard output"
zh "$ctl" export --db "$T/one.db" --format json -o - >/dev/null 2>"$T/export.err"
expect_eq "export in Chinese" "$(cat "$T/export.err")" "导出：1 条记录写入标准输出"
expect_eq "verify --at in Chinese" "$(zh "$ctl" verify --at yesterday x 2>&1 | head -n 1)" \
	"sentinelctl: verify: --at：不是 RFC 3339 时间：“yesterday”"

# sentinel-bureau: a bad --listen of serve, in English and in Chinese.
expect_eq "bureau serve --listen" "$("$bur" --key "$T/bureau.key" --db "$T/none.db" serve --listen nonsense 2>&1 |
	head -n 1)" "sentinel-bureau: serve: --listen: 'nonsense' is not ADDR:PORT"
expect_eq "bureau serve --listen in Chinese" "$(zh "$bur" --key "$T/bureau.key" --db "$T/none.db" serve \
	--listen nonsense 2>&1 | head -n 1)" "sentinel-bureau: serve: --listen：“nonsense”不是 ADDR:PORT"

# sentineld's help and a usage error, in Chinese (LC_MESSAGES asked for too: lib.sh sets it to C).
expect_eq "sentineld --help in Chinese" "$(zh "$B/sentineld" --help | head -n 1)" "用法：sentineld [-n] [-f] [-v] [-c FILE]"
expect_eq "sentineld unknown option in Chinese" \
	"$(LANG=zh_CN.UTF-8 LC_MESSAGES=zh_CN.UTF-8 "$B/sentineld" -x 2>&1)" "sentineld: 未知选项 -x
请尝试“sentineld --help”。"

# A configuration error (the config module's messages), in Chinese.
printf '[station]\nfoo = 1\n' >"$T/badkey.conf"
expect_eq "config error in Chinese" "$(zh "$B/sentineld" -n -c "$T/badkey.conf" 2>&1)" \
	"sentineld: $T/badkey.conf:2: [station] 节中的未知键“foo”"

# sentineld -n on a gate not enrolled yet: the line the installer reads, in Chinese.
sed 's/^device_id = test-gate$/enrolment = enrolment.conf/; /^home = /d' "$T/one.conf" >"$T/ne.conf"
expect_eq "sentineld -n not enrolled in Chinese" "$(zh "$B/sentineld" -n -c "$T/ne.conf" 2>&1 | head -n 1)" \
	"$T/ne.conf：未入网（没有 $T/enrolment.conf）：在“sentinelctl enrol”之前闸门不为任何人打开"

# verify-log's finding in Chinese: an entry's temperature changed behind the chain's back.
cp "$T/one.db" "$T/bad.db"
sqlite3 "$T/bad.db" "DROP TRIGGER IF EXISTS entries_no_update; UPDATE entries SET temp_dc = 399 WHERE seq = 1" \
	2>"$T/sql.err" || fail "tamper: $(cat "$T/sql.err")"
expect_eq "verify-log damaged in Chinese" "$(zh "$ctl" verify-log --db "$T/bad.db" | secs | sed 's/（.*//')" \
	"已损坏：序号 1：散列不符"

# stats of a day without entries, in Chinese.
expect_eq "stats of an empty day in Chinese" "$(zh "$ctl" stats --db "$T/gate.db" --day 2026-11-28 | tail -n 1)" \
	"2026-11-28 没有记录。"

# sentinel-bureau: its key, a revocation, the stick's files and a trust list, in Chinese.
expect_eq "bureau keys init in Chinese" "$(zh "$bur" keys init --key "$T/zh.key" | sed 's/kid [0-9a-f]*$/kid K/')" \
	"民政局密钥 $T/zh.key（公钥 $T/zh.key.pub）kid K"
expect_eq "bureau key exists in Chinese" "$(zh "$bur" keys init --key "$T/zh.key" 2>&1)" \
	"sentinel-bureau: keys: $T/zh.key.pub 已存在：拒绝覆盖"
rm -rf "$T/stick/mnt/sentinel"
expect_eq "bureau export in Chinese" "$(zh "$bur" --db "$T/bureau.db" --key "$T/bureau.key" export "$T/stick/mnt" |
	sed 's/[0-9]*\.cose$/N.cose/; s/毫秒 [0-9]*/毫秒 MS/')" \
	"确认 test-gate 序号 0：$T/stick/mnt/sentinel/test-gate/in/ack-test-gate-N.cose
时间 test-gate 毫秒 MS：$T/stick/mnt/sentinel/test-gate/in/time-test-gate-N.cose"
cp "$ROOT/tests/fixtures/shc/spec-examples-issuer.jwks.json" "$T/issuers.json"
expect_eq "trust sign in Chinese" "$(zh "$bur" --key "$T/bureau.key" trust sign --home 阳光养老院 --version 1 \
	--in "$T/issuers.json" --out "$T/trust.cose")" \
	"养老院 阳光养老院 的信任列表第 1 版：$T/trust.cose（1 个文件，$(stat -c %s "$T/trust.cose") 字节）"
expect_eq "bureau revoke in Chinese" "$(zh "$bur" --db "$T/bureau.db" devices revoke --device test-gate --reason 丢失)" \
	"已吊销 test-gate：拒收其此后的数据包（丢失）"

finish
