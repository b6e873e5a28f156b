#!/bin/sh
# SPDX-License-Identifier: MIT
# Make the demo visitors' phone screens: a health-code app screen (720x1280)
# with a coloured header and the QR drawn in the code's colour on a white
# card, as the apps of the period draw them.  Uses qrencode and ImageMagick;
# no fonts are needed.  The payloads are made-up tokens in the two shapes
# seen at gates ("HC:<region>:<token>" and a platform URL).
#
# usage: make-screens.sh OUTDIR
set -eu
out=${1:?usage: make-screens.sh OUTDIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name colour(hex) payload
while read -r name hex payload; do
	[ -n "$name" ] || continue
	if [ -s "$out/$name.png" ] && [ "$out/$name.png" -nt "$0" ]; then
		continue
	fi
	qrencode -t PNG -l M -s 12 -m 2 --foreground="$hex" --background=FFFFFF \
		-o "$tmp/qr.png" "$payload"
	header=$hex
	[ "$hex" = "000000" ] && header=3A6EA5
	convert -size 720x1280 xc:'#F4F4F4' \
		\( -size 720x260 "xc:#$header" \) -geometry +0+0 -composite \
		\( "$tmp/qr.png" -bordercolor white -border 60 \) -gravity north -geometry +0+320 -composite \
		\( -size 240x40 "xc:#$header" \) -gravity north -geometry +0+1080 -composite \
		-strip "PNG24:$out/$name.png"
done <<'LIST'
green-1   1AAD19 HC:620102:Qm9aXw3Lk8TzR1vY6sHcN2pJ5eGdU7fA
yellow-1  FFCC00 HC:620105:Zk3Vb8QwE1rT6yU0iO9pL4aS7dF2gH5j
red-1     F5222D https://hc.example.gov.cn/v2/scan?code=R7tYu2Io9PaS4dF6gH1jK3lZ8xC5vB0n&region=620103
green-2   07C160 https://jkm.example.cn/q/Wq4Er7Ty1Ui8Op3As6Df9Gh2Jk5Lz0Xc
green-3   2BA245 HC:620100:Nb6Mv1Cx4Zl7Kj0Hg3Fd8Sa5Qp2Wo9Ei
green-4   00B050 HC:620111:Ty5Re2Wq8Az3Sx6Dc9Fv1Gb4Hn7Jm0Kl
green-5   1AAD19 https://hc.example.gov.cn/v2/scan?code=Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa2Qz1Xs&region=620102
green-6   00A870 HC:620104:Mn3Bv6Cx9Za2Sd5Fg8Hj1Kl4Qw7Er0Ty
green-7   1AAD19 HC:620102:Xa4Sd7Fg0Hj3Kl6Zx9Cv2Bn5Mq8We1Rt
red-2     E60012 HC:620121:Uy7It4Or1Pe8Wq5As2Df9Gh6Jk3Lz0Xc
yellow-2  F7BA0B https://jkm.example.cn/q/Cv8Bn5Mq2Wl9Ek6Rj3Th0Yg7Uf4Id1Os
plain-1   000000 https://example.org/visitor-guide
LIST

# One gate-camera view (640x480 JPEG): a phone held at a slight angle,
# a little blur and sensor noise, so the demo also reads a camera capture.
if [ ! -s "$out/camera-green-3.jpg" ] || [ "$out/camera-green-3.jpg" -ot "$0" ]; then
	convert "$out/green-3.png" -resize 40% -background '#3A3530' -rotate 6 \
		-gravity center -extent 640x480 -blur 0x0.7 -attenuate 0.25 +noise Gaussian \
		-quality 88 "$out/camera-green-3.jpg"
fi
