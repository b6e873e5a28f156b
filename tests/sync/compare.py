#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compare.py GATE_JSON GATE_HASHES BUREAU_JSON

The synctest's comparison: GATE_JSON is `sentinelctl entries --json` (one
object per line), GATE_HASHES `filler --hashes` ("seq hash" lines),
BUREAU_JSON `sentinel-bureau entries --device ID --json` (the same fields
plus "hash").  Every field of every entry must be equal, hash included.
Prints the differences (at most 10), then the line
  gate=N bureau=M equal=yes|no duplicates=D
(duplicates: seqs the bureau lists more than once) and exits 0 only when
equal."""
import json
import sys


def load(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def main():
    gate = load(sys.argv[1])
    hashes = {}
    with open(sys.argv[2]) as f:
        for line in f:
            seq, h = line.split()
            hashes[int(seq)] = h.lower()
    bureau = load(sys.argv[3])
    for e in gate:
        e["hash"] = hashes.get(e["seq"])
    g = {e["seq"]: e for e in gate}
    b = {}
    dups = 0
    for e in bureau:
        if e["seq"] in b:
            dups += 1
        b[e["seq"]] = e
    diffs = []
    for seq in sorted(set(g) | set(b)):
        if seq not in b:
            diffs.append("seq %d: missing at the bureau" % seq)
        elif seq not in g:
            diffs.append("seq %d: at the bureau only" % seq)
        elif g[seq] != b[seq]:
            keys = sorted(k for k in set(g[seq]) | set(b[seq]) if g[seq].get(k) != b[seq].get(k))
            diffs.append("seq %d: differs in %s" % (seq, ", ".join(keys)))
    for d in diffs[:10]:
        print("compare: " + d)
    if len(diffs) > 10:
        print("compare: ... %d differences in all" % len(diffs))
    equal = not diffs and dups == 0 and len(gate) == len(bureau)
    print("gate=%d bureau=%d equal=%s duplicates=%d" % (len(gate), len(bureau), "yes" if equal else "no", dups))
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
