#!/bin/sh
# SPDX-License-Identifier: MIT
# make deb: build the Debian packages with dpkg-buildpackage in a staging
# tree OUT/src/sentinel-VERSION whose source folders are links to this
# tree's and whose debian/ is a copy of board/debian/ (debhelper writes
# into debian/), then move the .deb files to OUT/.
#   sh board/debian/build-deb.sh OUT VERSION [CROSS]
# CROSS=aarch64-linux-gnu-: dpkg-buildpackage -a arm64 with the profile
# pkg.sentinel.nopg (both packages; the bureau without its PostgreSQL
# backend, make BUREAU_PG=no: libpq-dev:arm64 cannot be installed beside
# libpq-dev:amd64; build dependencies as `make deps CROSS=...` installs
# them, so not checked by dpkg-checkbuilddeps: -d).
set -eu
out=${1:?usage: build-deb.sh OUT VERSION [CROSS]}
version=${2:?usage: build-deb.sh OUT VERSION [CROSS]}
cross=${3:-}
root=$(pwd)

changelog_version=$(dpkg-parsechangelog -l board/debian/changelog -S Version)
if [ "$changelog_version" != "$version" ]; then
	echo "deb: board/debian/changelog is at $changelog_version, the Makefile at $version" >&2
	exit 1
fi
case $cross in
'') args="-b" ;;
aarch64-linux-gnu-) args="-b -a arm64 -d -Ppkg.sentinel.nopg" ;;
*) echo "deb: only CROSS=aarch64-linux-gnu- is supported" >&2; exit 2 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src/sentinel-$version
rm -rf "$out/src"
mkdir -p "$src"
for f in Makefile README.md firmware board tools po; do
	ln -s "$root/$f" "$src/$f"
done
cp -R board/debian "$src/debian"
rm -f "$src/debian/build-deb.sh"
# shellcheck disable=SC2086
(cd "$src" && dpkg-buildpackage $args -us -uc -j2 >"$out/build.log" 2>&1) || {
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log: $out/build.log" >&2
	exit 1
}
for f in "$out"/src/*.deb; do
	mv "$f" "$out/"
	echo "deb: $out/$(basename "$f")"
done
