#!/bin/sh
# SPDX-License-Identifier: MIT
# The modules' error texts (their strerror() tables, N_() in the table and
# translated at lookup by snt_table_msg()) in Chinese under
# LANG=zh_CN.UTF-8 and in English in the C locale, each exactly: the log
# database's (store), a trust file's (trust), an image's (image) and a
# configuration that is no regular file (common: snt_open_strerror()).
. tests/scenario/lib.sh

need_zh_locale test-i18n-strerror
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C
ctl=$B/sentinelctl
zh() { LANG=zh_CN.UTF-8 "$@"; }

# Neither a database, a certificate nor an image.
head -c 4096 /dev/zero | tr '\0' 'x' >"$T/junk"

expect_eq "store: English" "$("$ctl" entries --db "$T/junk" 2>&1)" \
	"sentinelctl: entries: cannot open $T/junk: the log is damaged (not a database, or the log database is corrupt); run 'sentinelctl verify-log --db $T/junk' to find where."
expect_eq "store: Chinese" "$(zh "$ctl" entries --db "$T/junk" 2>&1)" \
	"sentinelctl: entries: 无法打开 $T/junk：日志已损坏（不是数据库，或日志数据库已损坏）；请运行“sentinelctl verify-log --db $T/junk”找出损坏位置。"
expect_eq "trust: English" "$("$ctl" verify --trust "$T/junk" 'HC1:X' 2>&1)" \
	"sentinelctl: verify: --trust $T/junk: not a certificate, trust list, DID document or JWK set"
expect_eq "trust: Chinese" "$(zh "$ctl" verify --trust "$T/junk" 'HC1:X' 2>&1)" \
	"sentinelctl: verify: --trust $T/junk: 不是证书、信任列表、DID 文档或 JWK 集"
expect_eq "image: English" "$("$ctl" scan "$T/junk" 2>&1)" "sentinelctl: scan: $T/junk: not a PNG or JPEG image"
expect_eq "image: Chinese" "$(zh "$ctl" scan "$T/junk" 2>&1)" "sentinelctl: scan: $T/junk: 不是 PNG 或 JPEG 图像"
mkfifo "$T/fifo"
expect_eq "open: English" "$("$ctl" entries --config "$T/fifo" 2>&1)" "sentinelctl: entries: $T/fifo: not a regular file"
expect_eq "open: Chinese" "$(zh "$ctl" entries --config "$T/fifo" 2>&1)" "sentinelctl: entries: $T/fifo: 不是普通文件"
finish
