#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch Debian's current stable libgpiod-dev (libgpiod 2.x: headers, static
# library, pkg-config file) into DIR without touching the machine's apt
# configuration: the archive address is read from the machine's own
# /etc/apt/sources.list.d/debian.sources (or /etc/apt/sources.list), a
# one-line sources.list for suite "stable" is written into a temporary
# directory, and apt-get runs with its lists and cache there.  The package is
# unpacked with dpkg -x into DIR and its .pc file rewritten to point there.
# usage: fetch-gpiod2.sh DIR      (used by `make gpiod2-check`)
set -eu
dir=${1:?usage: fetch-gpiod2.sh DIR}

uri=""
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "fetch-gpiod2: no Debian archive address in the apt sources" >&2; exit 1; }

tmp=$(mktemp -d /tmp/sentinel-gpiod2-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $uri stable main" >"$tmp/sources.list"
apt_opts="-o Dir::Etc::SourceList=$tmp/sources.list -o Dir::Etc::SourceParts=/dev/null \
-o Dir::State::Lists=$tmp/lists -o Dir::Cache=$tmp/cache -o Debug::NoLocking=1 \
-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -qq $apt_opts update
# shellcheck disable=SC2086
(cd "$tmp" && apt-get -qq $apt_opts download libgpiod-dev)
deb=$(ls "$tmp"/libgpiod-dev_*.deb)
rm -rf "$dir"
mkdir -p "$dir"
dpkg -x "$deb" "$dir"
pc=$(find "$dir" -name libgpiod.pc | head -n 1)
[ -n "$pc" ] || { echo "fetch-gpiod2: no libgpiod.pc in $deb" >&2; exit 1; }
sed -i "s#^prefix=.*#prefix=$(cd "$dir" && pwd)/usr#" "$pc"
# Link the static library: the 2.x shared library is not installed here.
find "$dir" -name 'libgpiod*.so*' -exec rm -f {} +
mkdir -p "$dir/pkgconfig"
cp "$pc" "$dir/pkgconfig/"
echo "fetch-gpiod2: $(basename "$deb") in $dir (PKG_CONFIG_PATH=$dir/pkgconfig)"
