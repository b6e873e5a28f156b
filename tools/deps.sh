#!/bin/sh
# SPDX-License-Identifier: MIT
# Install (as root) or name (otherwise) the Debian 12 packages sentinel needs
# to build, run the demo and run the tests.  Used by `make deps`.
set -eu

PKGS="gcc make pkg-config libc6-dev \
libsqlite3-dev sqlite3 libzbar-dev libpng-dev libjpeg62-turbo-dev \
libinih-dev libjansson-dev libssl-dev libcmocka-dev zlib1g-dev libgpiod-dev \
libcbor-dev qrencode imagemagick valgrind"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "deps: missing packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
