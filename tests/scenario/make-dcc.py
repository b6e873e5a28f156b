#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A signed EU DCC (HC1:, DCC v1.3: CWT in a COSE_Sign1 ES256, zlib, base45)
with the issuer and family name given, for tests that need hostile text
inside a validly signed certificate.  Signs with openssl(1); the kid is the
first 8 bytes of the SHA-256 of the DER certificate.

    make-dcc.py KEY.pem CERT.der ISSUER FAMILY-NAME IAT EXP >payload.txt
"""
import hashlib
import struct
import subprocess
import sys
import zlib

def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
def cbor(v):
    if isinstance(v, int): return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode(); return head(3, len(b)) + b
    if isinstance(v, list): return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict): return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
def b45(b):
    A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    out = ""
    for i in range(0, len(b) - 1, 2):
        n = b[i] * 256 + b[i + 1]
        c, n = n % 45, n // 45; d, e = n % 45, n // 45
        out += A[c] + A[d] + A[e]
    if len(b) % 2:
        n = b[-1]; out += A[n % 45] + A[n // 45]
    return out
def der_ints(sig):
    assert sig[0] == 0x30
    i = 2 if sig[1] < 0x80 else 3
    out = []
    for _ in range(2):
        assert sig[i] == 2
        l = sig[i + 1]; v = int.from_bytes(sig[i + 2:i + 2 + l], "big"); out.append(v); i += 2 + l
    return out[0].to_bytes(32, "big") + out[1].to_bytes(32, "big")
key, cert, iss, fn, iat, exp = sys.argv[1:7]
der = open(cert, "rb").read()
kid = hashlib.sha256(der).digest()[:8]
prot = cbor({1: -7})
payload = cbor({1: iss, 6: int(iat), 4: int(exp), -260: {1: {"ver": "1.3.0", "nam": {"fn": fn, "gn": "Anna", "fnt": "X", "gnt": "ANNA"}, "dob": "1950-01-01", "v": [{"co": "AT", "dn": 2, "sd": 2}]}}})
tbs = cbor(["Signature1", prot, b"", payload])
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=tbs, capture_output=True, check=True).stdout
cose = b"\xd2" + cbor([prot, {4: kid}, payload, der_ints(sig)])
sys.stdout.write("HC1:" + b45(zlib.compress(cose, 9)))
