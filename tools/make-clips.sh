#!/bin/sh
# SPDX-License-Identifier: MIT
# Make the default voice prompts with espeak-ng: one WAVE file per line of
# PROMPTS ("<clip id> <voice> <text>", # comments), into OUTDIR.
# usage: make-clips.sh OUTDIR PROMPTS
set -eu
out=${1:?usage: make-clips.sh OUTDIR PROMPTS}
prompts=${2:?usage: make-clips.sh OUTDIR PROMPTS}
command -v espeak-ng >/dev/null || { echo "make-clips: espeak-ng is not installed (make deps)" >&2; exit 1; }
mkdir -p "$out"
grep -v '^#' "$prompts" | while read -r id voice text; do
	[ -n "$id" ] || continue
	espeak-ng -v "$voice" -s 150 -w "$out/$id.wav.tmp" "$text"
	mv "$out/$id.wav.tmp" "$out/$id.wav"
done
