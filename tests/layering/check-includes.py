#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Layering check over #include lines (run by `make check`).

  check-includes.py [--root DIR] [--rules FILE] [--makefile FILE] [--readme FILE]

Reads the rules (tests/layering/rules, format described there) and checks
every .c and .h under firmware/, board/ and tools/ of the tree at DIR:
  - a file includes project headers only of its own module and of the
    modules its module's rule lists;
  - a header named *_internal.h is included only from its own directory;
  - a module marked noio includes none of the io-header system headers;
  - no module rule lists what a forbid line excludes for it, and no module
    outside board/ lists a board backend (board code only through hal.h);
  - every code directory under firmware/ and board/ is a module with a
    rule, and each rule names a directory that exists;
  - the Makefile's per-program module lists (<PROG>_MODULES) are closed:
    a listed module's rule names only listed modules, a program's own rule
    (program lines) only listed modules; every module is listed by some
    program (--makefile; skipped when not given);
  - the README's Layout section names every module directory (--readme).
With --graph, prints the module includes the tree has instead, in the
rules' "module" form.  Prints one line per violation, "FILE:LINE: what", and exits 1 when there
is any, 0 otherwise; 2 for a rules file it cannot read.
"""
import argparse
import os
import re
import sys

SCANNED = ("firmware", "board", "tools")


def module_of(path):
    """The module a file (relative to the root) belongs to, or None."""
    parts = path.split("/")
    if parts[0] == "firmware":
        # A program's files directly in firmware/: sentineld.c, sentineld_*.c.
        return parts[1] if len(parts) > 2 else os.path.splitext(parts[1])[0].split("_")[0]
    if parts[0] == "board":
        return "board" if len(parts) == 2 else "board/" + parts[1]
    if parts[0] == "tools":
        return "tools/" + parts[1] if len(parts) > 2 else "tools"
    return None


def module_dir(name):
    if name == "board" or name.startswith("board/") or name.startswith("tools"):
        return name
    return "firmware/" + name


def load_rules(path):
    rules, forbid, noio, io_headers, programs = {}, {}, set(), set(), {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "module" and len(words) >= 2:
                if words[1] in rules:
                    raise ValueError("%s:%d: module %s given twice" % (path, n, words[1]))
                rules[words[1]] = set(words[2:])
            elif words[0] == "forbid" and len(words) >= 2:
                forbid.setdefault(words[1], set()).update(words[2:])
            elif words[0] == "program" and len(words) == 3:
                programs[words[1]] = words[2]
            elif words[0] == "noio":
                noio.update(words[1:])
            elif words[0] == "io-header":
                io_headers.update(words[1:])
            else:
                raise ValueError("%s:%d: unknown rule '%s'" % (path, n, words[0]))
    return rules, forbid, noio, io_headers, programs


def resolve(root, src, inc):
    """Path (relative to root) of a quoted include, as the compiler's -I. -Ifirmware -Iboard finds it."""
    for base in (os.path.dirname(src), "", "firmware", "board"):
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def code_dirs(root):
    """Directories under firmware/ and board/ holding .c or .h files."""
    out = set()
    for top in ("firmware", "board"):
        for d, _, files in os.walk(os.path.join(root, top)):
            if any(f.endswith((".c", ".h")) for f in files):
                rel = os.path.relpath(d, root)
                if rel != "firmware":
                    out.add(rel)
    return out


def makefile_lists(path):
    """{PROGRAM: [modules]} from lines 'PROG_MODULES := a b \\' (continuations joined)."""
    text = open(path, encoding="utf-8").read().replace("\\\n", " ")
    lists = {}
    for m in re.finditer(r"^([A-Z0-9_]+)_MODULES\s*:?=(.*)$", text, re.M):
        lists[m.group(1)] = m.group(2).split()
    return lists


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--rules", default=None)
    ap.add_argument("--makefile", default=None)
    ap.add_argument("--readme", default=None)
    ap.add_argument("--graph", action="store_true",
                    help="print the module includes the tree has, as module lines, and exit")
    a = ap.parse_args()
    root = a.root
    rules_path = a.rules or os.path.join(root, "tests/layering/rules")
    try:
        rules, forbid, noio, io_headers, programs = load_rules(rules_path)
    except (OSError, ValueError) as e:
        print("check-includes: %s" % e, file=sys.stderr)
        return 2
    bad = []
    graph = {}

    for top in SCANNED:
        for d, _, files in os.walk(os.path.join(root, top)):
            for fn in sorted(files):
                if not fn.endswith((".c", ".h")):
                    continue
                src = os.path.relpath(os.path.join(d, fn), root)
                mod = module_of(src)
                known = mod in rules
                if not known:
                    bad.append("%s:1: module %s has no rule in %s" % (src, mod, rules_path))
                with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                        if not m:
                            continue
                        if m.group(1) == "<":
                            if known and mod in noio and "<%s>" % m.group(2) in io_headers:
                                bad.append("%s:%d: %s does no I/O but includes <%s>" % (src, n, mod, m.group(2)))
                            continue
                        tgt = resolve(root, src, m.group(2))
                        if tgt is None:
                            bad.append("%s:%d: \"%s\" is no header of the tree" % (src, n, m.group(2)))
                            continue
                        tmod = module_of(tgt)
                        if tmod != mod:
                            graph.setdefault(mod, set()).add(tmod)
                        if not known:
                            continue
                        if os.path.basename(tgt).endswith("_internal.h") and \
                                os.path.dirname(tgt) != os.path.dirname(src):
                            bad.append("%s:%d: includes %s, internal to %s/" % (src, n, tgt, os.path.dirname(tgt)))
                        elif tmod != mod and tmod not in rules[mod]:
                            bad.append("%s:%d: %s may not include %s (%s)" % (src, n, mod, tgt, tmod))

    if a.graph:
        for mod in sorted(set(graph) | set(rules)):
            print(("module %-14s %s" % (mod, " ".join(sorted(graph.get(mod, set()))))).rstrip())
        return 0

    for d in sorted(code_dirs(root)):
        if module_of(d + "/x.c") not in rules:
            bad.append("%s/: a code directory without a rule" % d)
    for mod in sorted(rules):
        if not os.path.isdir(os.path.join(root, module_dir(mod))) and \
                not os.path.isfile(os.path.join(root, module_dir(mod) + ".c")):
            bad.append("%s:1: rule for %s, which is no directory" % (rules_path, mod))
        for dep in sorted(rules[mod] - set(rules)):
            bad.append("%s:1: %s lists %s, which has no rule" % (rules_path, mod, dep))
        for dep in sorted(rules[mod] & forbid.get(mod, set())):
            bad.append("%s:1: %s lists %s, which it must never include" % (rules_path, mod, dep))
        if not mod.startswith("board"):
            for dep in sorted(d for d in rules[mod] if d.startswith("board/")):
                bad.append("%s:1: %s lists %s: outside board/ only board/hal.h (board)" % (rules_path, mod, dep))
    for mod in sorted(set(forbid) - set(rules)):
        bad.append("%s:1: forbid for %s, which has no module line" % (rules_path, mod))

    if a.makefile:
        lists = makefile_lists(a.makefile)
        listed = set()
        for prog, rule in sorted(programs.items()):
            if prog not in lists:
                bad.append("%s:1: no %s_MODULES list" % (a.makefile, prog))
            elif rule not in rules:
                bad.append("%s:1: program %s: %s has no module line" % (rules_path, prog, rule))
            else:
                for dep in sorted(rules[rule] - set(lists[prog])):
                    bad.append("%s:1: %s_MODULES lacks %s, which %s includes" % (a.makefile, prog, dep, rule))
        for prog, mods in sorted(lists.items()):
            listed.update(mods)
            for mod in mods:
                if mod not in rules:
                    bad.append("%s:1: %s_MODULES lists %s, which has no rule" % (a.makefile, prog, mod))
                    continue
                for dep in sorted(rules[mod] - set(mods)):
                    bad.append("%s:1: %s_MODULES lists %s but not %s, which it may include" %
                               (a.makefile, prog, mod, dep))
        for mod in sorted(set(rules) - listed):
            if not mod.startswith("tools") and mod != "sentineld":
                bad.append("%s:1: module %s is in no program's _MODULES" % (a.makefile, mod))

    if a.readme:
        text = open(a.readme, encoding="utf-8").read()
        m = re.search(r"^## Layout\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        layout = m.group(1) if m else ""
        for d in sorted(code_dirs(root)):
            if not re.search(r"(^|\s)%s/(\s|$)" % re.escape(d), layout, re.M):
                bad.append("%s:1: the Layout section does not name %s/" % (a.readme, d))

    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
