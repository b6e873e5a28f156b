#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the fuzz targets' seed inputs into DIR/<target>/ (DIR defaults to
build/fuzz/seeds): CBOR payloads for rules, credentials and
acknowledgements (the formats of firmware/rules/rules.h and
firmware/sync/bundle.h), the project's configurations and demo scenario,
and small PNG/JPEG images (ImageMagick's convert, when present).

    python3 tests/fuzz/make-seeds.py [DIR]
"""
import os
import shutil
import struct
import subprocess
import sys


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError(n)


def cbor(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


T = 1780000000000
SEEDS = {
    "rules": {
        "open.cbor": {"type": "rules", "v": 1, "version": 3, "mode": "open", "fever_threshold_mdc": 37300,
                      "colours": ["green"], "formats": ["healthcode", "hcert"], "max_visitors": 0,
                      "risk_regions": [], "staff": [], "max_test_age_days": 7, "valid_from": T,
                      "valid_until": T + 86400000, "hard_limit_ms": 86400000, "issued": T},
        "closed.cbor": {"type": "rules", "v": 1, "version": 9, "mode": "closed", "fever_threshold_mdc": 37500,
                        "colours": ["green", "yellow"], "formats": ["healthcode", "hcert", "lt1", "nzcp", "shc"],
                        "max_visitors": 12, "risk_regions": ["110000", "310100", "440305"],
                        "staff": [{"ref": "S-001", "name": "张*", "last_test": "2026-05-01"},
                                  {"ref": "S-002", "name": "G* M*", "last_test": "2026-04-28"}],
                        "max_test_age_days": 7, "valid_from": T, "valid_until": T + 7 * 86400000,
                        "hard_limit_ms": 3 * 86400000, "issued": T - 1000},
    },
    "credential": {
        "badge.cbor": {"type": "badge", "v": 1, "ref": "S-001", "issued": T},
        "pass.cbor": {"type": "pass", "v": 1, "id": "P-20260601-1", "visitor": "张*", "from": T,
                      "until": T + 3600000, "issued": T - 60000},
    },
    "ack": {
        "ack.cbor": {"type": "ack", "v": 1, "device": "gate-01", "seq": 5000, "head": bytes(range(32)),
                     "time": T, "verdicts": [{"seq": 12, "colour": "green", "platform": "beijing"},
                                             {"seq": 40, "colour": "red", "platform": "gd-health"}]},
        "time.cbor": {"type": "time", "v": 1, "device": "gate-01", "time": T},
    },
}
FILES = {
    "config": ["board/sim/sentinel-sim.conf", "board/rpi/sentinel-pi4.conf", "board/rpi/sentinel-pi5.conf"],
    "scenario": ["board/sim/demo/demo.scenario"],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build/fuzz/seeds"
    for target, seeds in SEEDS.items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for name, value in seeds.items():
            with open(os.path.join(out, target, name), "wb") as f:
                f.write(cbor(value))
    for target, paths in FILES.items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for p in paths:
            shutil.copy(p, os.path.join(out, target, os.path.basename(p)))
    img = os.path.join(out, "image")
    os.makedirs(img, exist_ok=True)
    if shutil.which("convert"):
        for name, args in (("grey.png", ["-size", "16x12", "gradient:", "-depth", "8"]),
                           ("rgb.png", ["-size", "9x7", "plasma:", "-depth", "8"]),
                           ("base.jpg", ["-size", "16x16", "gradient:red-blue"]),
                           ("prog.jpg", ["-size", "16x16", "gradient:", "-interlace", "Plane"]),
                           ("cmyk.jpg", ["-size", "8x8", "gradient:", "-colorspace", "CMYK"])):
            subprocess.run(["convert", *args, os.path.join(img, name)], check=True)


if __name__ == "__main__":
    main()
