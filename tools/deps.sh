#!/bin/sh
# SPDX-License-Identifier: MIT
# Install (as root) or name (otherwise) the Debian 12 packages sentinel needs
# to build, run the demo and run the tests.  Used by `make deps`.
set -eu

PKGS="gcc make pkg-config libc6-dev \
libsqlite3-dev sqlite3 libzbar-dev libpng-dev libjpeg62-turbo-dev \
libinih-dev libjansson-dev libssl-dev libcmocka-dev zlib1g-dev libgpiod-dev \
libcbor-dev libcurl4-openssl-dev libmicrohttpd-dev libpq-dev postgresql libqrencode-dev qrencode imagemagick valgrind python3 curl jq clang \
gettext locales fonts-noto-cjk chromium openssl \
libcairo2-dev libpango1.0-dev libdrm-dev libasound2-dev espeak-ng \
tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng"
# `make deb` (board/debian/): debhelper, dpkg-dev, fakeroot; lintian checks the packages.
PKGS="$PKGS debhelper dpkg-dev fakeroot lintian"
# zxing-cpp (C++): the scanner benchmark's figures for comparison (tests/bench/bench-scan.sh).
PKGS="$PKGS g++ libzxing-dev"
# gdb: test-bureau-personal stops the bureau half-way through an import (a crash).
PKGS="$PKGS gdb"

# `make deps CROSS=aarch64-linux-gnu-`: the cross toolchain, the arm64
# libraries (zbar: libzbar0 only, see the Makefile; the bureau's
# libmicrohttpd, but no libpq: a cross-built bureau is SQLite only,
# BUREAU_PG=no) and qemu for the tests.
if [ -n "${CROSS:-}" ]; then
	[ "$CROSS" = aarch64-linux-gnu- ] ||
		{ echo "deps: only CROSS=aarch64-linux-gnu- is supported" >&2; exit 2; }
	PKGS="$PKGS gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static \
libsqlite3-dev:arm64 libpng-dev:arm64 libjpeg62-turbo-dev:arm64 libinih-dev:arm64 \
libjansson-dev:arm64 libssl-dev:arm64 libcmocka-dev:arm64 zlib1g-dev:arm64 \
libgpiod-dev:arm64 libcbor-dev:arm64 libcurl4-openssl-dev:arm64 libzbar0:arm64 \
libcairo2-dev:arm64 libpango1.0-dev:arm64 libdrm-dev:arm64 libasound2-dev:arm64 \
libqrencode-dev:arm64 libmicrohttpd-dev:arm64"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "deps: run as root: dpkg --add-architecture arm64 && apt-get update" >&2
			exit 1
		fi
		dpkg --add-architecture arm64
	fi
fi

missing=""
# With a foreign architecture added (arm64) dpkg-query lists one line per
# architecture: a plain name counts when installed for the native one (or
# "all"), a name:arch for that architecture.
native=$(dpkg --print-architecture)
for p in $PKGS; do
	case $p in
	*:*) want="installed ${p#*:}" ;;
	*) want="installed $native|installed all" ;;
	esac
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "${p%%:*}" 2>/dev/null |
		grep -Eqx "$want" || missing="$missing $p"
done

if [ -n "$missing" ]; then
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
fi

# The Chinese messages (gettext) are chosen only under a generated
# zh_CN.UTF-8 locale (the locales package ships none generated).
if ! locale -a 2>/dev/null | grep -qx 'zh_CN\.utf8'; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "deps: generating the zh_CN.UTF-8 locale"
		if ! grep -qx 'zh_CN\.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
			sed -i 's/^# *\(zh_CN\.UTF-8 UTF-8\)$/\1/' /etc/locale.gen 2>/dev/null || true
			grep -qx 'zh_CN\.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null ||
				echo 'zh_CN.UTF-8 UTF-8' >>/etc/locale.gen
		fi
		locale-gen >/dev/null
	else
		echo "deps: the zh_CN.UTF-8 locale is missing; run as root:" >&2
		echo "  sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen && locale-gen" >&2
		exit 1
	fi
fi
