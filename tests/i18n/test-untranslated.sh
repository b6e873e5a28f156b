#!/bin/sh
# SPDX-License-Identifier: MIT
# Every message a person reads is translated (issue 16): check-untranslated.py
# finds no string literal with words shown through printf, fprintf, puts,
# snprintf or the project's SNT_PRINTF helpers (ctl_err, bureau_err,
# log_warnx, snt_msg, ...) outside _(), N_(), P_(), no count with a fixed
# plural in _(), and no marked message without Chinese in po/zh_CN.po, in
# the files of the Makefile's pot target (those that carry an
# "i18n-exempt: <why>" comment stay English on purpose).  On a fixture the
# check fails naming file and line: an unmarked message, a fixed plural, a
# message with no Chinese; an exempt line and pure data pass.
# usage: test-untranslated.sh BUILD_DIR (unused; as the other check scripts)
. tests/scenario/lib.sh

CHECK="python3 $ROOT/tests/i18n/check-untranslated.py"
command -v xgettext >/dev/null || { echo "test-untranslated: no xgettext (make deps): skipped"; exit 77; }

# The tree: every file of the Makefile's pot target.
out=$($CHECK 2>&1)
rc=$?
expect_eq "tree exit" "$rc" "0"
expect_eq "tree output" "$out" "untranslated: 0"
[ "$rc" -eq 0 ] || printf "%s\n" "$out" | tail -n 40 >&2

# The fixture: one source file and its catalogue.
mkdir -p "$T/fx/po"
cat >"$T/fx/po/zh_CN.po" <<'PO'
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "saved %s\n"
msgstr "已保存 %s\n"

msgid "%d entry"
msgid_plural "%d entries"
msgstr[0] "%d 条记录"
PO
fixture() { # C body lines
	printf '#include <stdio.h>\n#define _(s) s\n#define P_(a, b, n) ((n) == 1 ? (a) : (b))\n' >"$T/fx/a.c"
	printf 'void f(const char *p, int n);\nvoid f(const char *p, int n)\n{\n' >>"$T/fx/a.c"
	printf '%s\n' "$@" >>"$T/fx/a.c"
	printf '}\n' >>"$T/fx/a.c"
	(cd "$T/fx" && $CHECK --root . a.c 2>&1)
}
out=$(fixture '	printf(_("saved %s\n"), p);' '	printf(P_("%d entry", "%d entries", n), n);' \
	'	printf("%s\n", p);' '	fprintf(stderr, "--db %s\n", p);' \
	'	printf("seq=%d\n", n); /* i18n-exempt: a line scripts read */')
expect_eq "fixture clean" "$out" "untranslated: 0"
out=$(fixture '	printf(_("saved %s\n"), p);' '	fprintf(stderr, "cannot open %s\n", p);')
expect_eq "fixture unmarked" "$out" "a.c:8: unmarked: \"cannot open %s\\n\"
untranslated: 1"
out=$(fixture '	printf(_("%d readings\n"), n);')
expect_eq "fixture fixed plural" "$(printf "%s\n" "$out" | grep -v ': po:')" "a.c:7: plural: \"%d readings\\n\"
untranslated: 2"
out=$(fixture '	printf(_("removed %s\n"), p);')
expect_eq "fixture no Chinese" "$out" "a.c:7: po: \"removed %s\\n\"
untranslated: 1"
(cd "$T/fx" && $CHECK --root . a.c >/dev/null 2>&1)
expect_eq "fixture exit" "$?" "1"
finish
