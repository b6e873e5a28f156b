#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks of a `sentinelctl report` page for test-report.sh.

    report_check.py html PAGE EXPECT.json   the page's structure (html.parser)
    report_check.py png IMAGE EXPECT.json   a headless-Chromium screenshot of it

Prints one line per failed check and exits 1 when any failed.
EXPECT for html: {"lang", "hours": {"08": 3, ...}, "temps": {"36.5": 1, ...},
"decisions": {...}, "colours": {...} (keys not given must be 0), "fever_x",
"rows": [seq, ...], "subjects": [text, ...], "texts": [visible text, ...],
"empty": bool}.  EXPECT for png: {"width", "height", "colours": {"#rrggbb":
minimum pixels, ...}, "min_ink": fraction of non-white pixels}.
"""
import json
import re
import struct
import subprocess
import sys
from html.parser import HTMLParser

CHARTS = {"chart-hours": 24, "chart-temps": 90, "chart-decisions": 3, "chart-colours": 5}
FORBIDDEN_TAGS = {"script", "link", "img", "iframe", "object", "embed", "base", "frame", "form"}
URL_RE = re.compile(r"(https?:|//|javascript:|data:|file:|ftp:)", re.I)

failures = []


def fail(msg):
    failures.append(msg)


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.tags = []
        self.svg = None            # id of the chart being read
        self.bars = {}             # chart id -> [(key, count)]
        self.fever = []            # (chart id, x1)
        self.rows = []             # [cells]
        self.row = None
        self.cell = None
        self.style = []
        self.in_style = False
        self.text = []
        self.classes = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag in FORBIDDEN_TAGS:
            fail(f"forbidden element <{tag}>")
        for k, v in attrs:
            if k.startswith("on"):
                fail(f"event handler attribute {k} on <{tag}>")
            if v and k in ("href", "src", "xlink:href", "action", "srcset", "poster", "style") \
                    and URL_RE.search(v):
                fail(f"external reference {k}={v!r}")
            if k in ("href", "src", "xlink:href"):
                fail(f"reference attribute {k} on <{tag}>")
        if "class" in a:
            self.classes.append(a["class"])
        if tag == "br":
            self.handle_data(" ")
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "style":
            self.in_style = True
        elif tag == "svg":
            self.svg = a.get("id")
            self.bars.setdefault(self.svg, [])
        elif tag == "rect" and a.get("class") == "bar":
            self.bars.setdefault(self.svg, []).append((a.get("data-key"), int(a.get("data-count"))))
        elif tag == "line" and a.get("class") == "fever-line":
            self.fever.append((self.svg, a.get("x1")))
        elif tag == "tr" and (a.get("class") or "").startswith("row"):
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        elif tag == "svg":
            self.svg = None
        elif tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)
            return
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def check_html(path, exp):
    raw = open(path, "rb").read()
    try:
        doc = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"not UTF-8: {e}")
        return
    if not doc.startswith("<!DOCTYPE html>"):
        fail("no <!DOCTYPE html>")
    if '<meta charset="utf-8">' not in doc:
        fail("no <meta charset=\"utf-8\">")
    if re.search(r"<script", doc, re.I):
        fail("the text '<script' occurs in the page")
    p = Page()
    p.feed(doc)
    p.close()
    style = "".join(p.style)
    if "@media print" not in style:
        fail("no @media print in the style")
    if re.search(r"url\(|@import", style):
        fail("the style loads something (url( or @import)")
    if p.lang != exp["lang"]:
        fail(f"html lang {p.lang!r}, want {exp['lang']!r}")
    charts = [k for k in p.bars if k]
    if sorted(charts) != sorted(CHARTS):
        fail(f"charts {sorted(charts)}, want {sorted(CHARTS)}")
    for chart, n in CHARTS.items():
        bars = p.bars.get(chart, [])
        if len(bars) != n:
            fail(f"{chart}: {len(bars)} bars, want {n}")
        want = exp.get(chart.split("-", 1)[1], {})
        got = dict(bars)
        for key, count in got.items():
            if count != want.get(key, 0):
                fail(f"{chart} bar {key}: {count}, want {want.get(key, 0)}")
        for key in want:
            if key not in got:
                fail(f"{chart}: no bar {key}")
    if [c for c, _ in p.fever] != ["chart-temps"]:
        fail(f"fever lines {p.fever}, want one in chart-temps")
    elif str(exp["fever_x"]) != p.fever[0][1]:
        fail(f"fever line at x={p.fever[0][1]}, want {exp['fever_x']}")
    seqs = [int(r[0]) for r in p.rows]
    if seqs != exp["rows"]:
        fail(f"table rows {seqs}, want {exp['rows']}")
    subjects = [r[3] for r in p.rows]
    for s in exp.get("subjects", []):
        if s not in subjects:
            fail(f"subject {s!r} not shown as text in the table (cells: {subjects})")
    text = " ".join("".join(p.text).split())
    for t in exp.get("texts", []):
        if " ".join(t.split()) not in text:
            fail(f"text {t!r} not on the page")
    if exp["empty"] != ("empty" in p.classes):
        fail(f"'no entries' paragraph present: {'empty' in p.classes}, want {exp['empty']}")


def png_size(path):
    data = open(path, "rb").read(32)
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def histogram(path):
    """Colour -> pixel count, through ImageMagick (IM6 convert or IM7 magick)."""
    for tool in (["magick"], ["convert"]):
        try:
            out = subprocess.run(tool + [path, "-alpha", "off", "-format", "%c", "histogram:info:-"],
                                 capture_output=True, text=True, check=True).stdout
            break
        except (OSError, subprocess.CalledProcessError):
            out = None
    if out is None:
        return None
    hist = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+):.*?(#[0-9A-Fa-f]{6})", line)
        if m:
            hist[m.group(2).lower()] = hist.get(m.group(2).lower(), 0) + int(m.group(1))
    return hist


def check_png(path, exp):
    size = png_size(path)
    if size is None:
        fail(f"{path}: not a PNG")
        return
    if size != (exp["width"], exp["height"]):
        fail(f"{path}: {size[0]}x{size[1]}, want {exp['width']}x{exp['height']}")
    hist = histogram(path)
    if hist is None:
        fail("ImageMagick cannot read the PNG (convert/magick)")
        return
    total = sum(hist.values())
    ink = total - hist.get("#ffffff", 0)
    if total == 0 or ink / total < exp["min_ink"]:
        fail(f"{path}: blank: {ink} of {total} pixels not white")
    for colour, least in exp["colours"].items():
        if hist.get(colour, 0) < least:
            fail(f"{path}: {hist.get(colour, 0)} pixels of {colour}, want at least {least}")
    print(f"png {path}: {size[0]}x{size[1]}, {ink} of {total} pixels drawn, "
          + ", ".join(f"{c}={hist.get(c, 0)}" for c in exp["colours"]))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("html", "png"):
        print(__doc__, file=sys.stderr)
        return 2
    exp = json.load(open(sys.argv[3]))
    if sys.argv[1] == "html":
        check_html(sys.argv[2], exp)
    else:
        check_png(sys.argv[2], exp)
    for f in failures:
        print(f"FAIL: {sys.argv[2]}: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
