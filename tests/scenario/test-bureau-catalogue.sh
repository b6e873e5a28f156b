#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau speaks Chinese from its own package (issue 16): the
# Debian package of the bureau holds its copy of the catalogue under
# /usr/share/sentinel-bureau/locale (the gate's package holds
# /usr/share/locale's, and dpkg refuses two packages holding one file), and
# an installed sentinel-bureau finds it there beside its executable, with no
# catalogue in share/locale.  The layout `make install-bureau` writes is
# laid out here by hand (the build's binary and catalogue); the packages
# themselves are checked by test-install.sh (CI).
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "skip: no sentinel-bureau in $B"; exit 77; }
need_zh_locale test-bureau-catalogue
[ -e "$B/locale/zh_CN/LC_MESSAGES/sentinel.mo" ] || { fail "no catalogue in $B/locale"; finish; }
unset LANGUAGE LC_ALL LC_MESSAGES SENTINEL_LOCALEDIR

P=$T/usr
mkdir -p "$P/bin" "$P/share/sentinel-bureau/locale/zh_CN/LC_MESSAGES"
cp "$B/sentinel-bureau" "$P/bin/"
cp "$B/locale/zh_CN/LC_MESSAGES/sentinel.mo" "$P/share/sentinel-bureau/locale/zh_CN/LC_MESSAGES/"
# Make's install rule puts it in that place.
grep -q 'share/sentinel-bureau/locale/$$l/LC_MESSAGES/sentinel.mo' Makefile ||
	fail "install-bureau does not install the catalogue under share/sentinel-bureau/locale"

en=$(LANG=C "$P/bin/sentinel-bureau" --db "$T/none.db" audit 2>&1)
zh=$(LANG=zh_CN.UTF-8 "$P/bin/sentinel-bureau" --db "$T/none.db" audit 2>&1)
want=$(LANG=zh_CN.UTF-8 SENTINEL_LOCALEDIR="$B/locale" "$B/sentinel-bureau" --db "$T/none.db" audit 2>&1)
expect_eq "installed bureau in Chinese" "$zh" "$want"
[ "$zh" = "$en" ] && fail "the installed bureau speaks English under zh_CN.UTF-8: $zh"
finish
