#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Messages a person reads that are not translated (run by `make check`).

  check-untranslated.py [--root DIR] [--po FILE] [--no-po] [FILE...]

The files are those the Makefile's `pot` target gives xgettext (the
sources of sentinelctl, sentinel-bureau, sentineld, the card and the
report), unless FILEs are given.  Three kinds of offender, one line each,
"FILE:LINE: what: text":

  unmarked  a string literal with words in it passed as the format, or as
            an argument, of a call that shows text: printf, fprintf,
            vfprintf, dprintf, puts, fputs, perror, snprintf (a format with
            a word and a space: a sentence, not a path) and every function
            the sources declare with SNT_PRINTF (ctl_err, bureau_err,
            log_warnx, snt_msg, ...), not inside _(), N_() or P_();
  plural    a marked message with a count before a plural noun ("%d
            readings") in _() instead of P_(one, many, n);
  po        a marked message with no Chinese in po/zh_CN.po (missing,
            empty or fuzzy; --no-po skips this).

A call with the comment "i18n-exempt: <why>" on one of its lines or on
the line above it is exempt: text that stays English on purpose
(machine-read lines, stored words, HTTP bodies).  Words that are not
language: the programs' names, --options, format directives and
escapes.  Ends with "untranslated: N" and exits 1 when N > 0.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

STD_FORMAT = {  # name: index of the format (or text) argument
    "printf": 0, "fprintf": 1, "vfprintf": 1, "dprintf": 1, "vprintf": 0,
    "puts": 0, "fputs": 0, "perror": 0, "snprintf": 2, "vsnprintf": 2,
    "SNT_FAIL": 3,  # common.h: a macro over snt_msg()
}
SENTENCE_ONLY = {"snprintf", "vsnprintf"}  # buffers: paths and keys are no message
NOT_WORDS = re.compile(r"sentinel-bureau|sentinelctl|sentineld|--?[A-Za-z][A-Za-z0-9-]*|\bms\b")
DIRECTIVE = re.compile(r"%[-+ #0']*(\*|\d+)?(\.(\*|\d+))?(hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn%]"
                       r"|%\"PRI[diouxX](8|16|32|64)\"")
ESCAPE = re.compile(r"\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)")
WORD = re.compile(r"\b(?![A-Z0-9]+\b)[A-Za-z][A-Za-z0-9]+")  # not an acronym (UTC, PEM)
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")  # already Chinese: the bilingual city report
# A count before a plural noun; not a range's bound ("1-%d days" is plural whatever the bound).
COUNT_PLURAL = re.compile(r"(?<!-)%[-0-9.]*(hh|h|ll|l|j|z)?[diu]\s+([a-z]+(?:ies|[^s\W]s))\b")
NOT_PLURAL = {"was", "is", "has", "does", "its", "this", "ms", "us", "ns", "as", "differs"}
EXEMPT = "i18n-exempt:"


def pot_files(root):
    """The files of the Makefile's pot target (make -n pot)."""
    out = subprocess.run(["make", "-s", "--no-print-directory", "-n", "-C", root, "pot"],
                         capture_output=True, text=True, check=True).stdout
    words = out.replace("\\\n", " ").split()
    return [w for w in words if w.endswith((".c", ".h")) and "/" in w]


def strip_comments(src):
    """@src with comments blanked (newlines kept); the lines with an exemption."""
    out = []
    exempt = set()
    i, n, line = 0, len(src), 1
    while i < n:
        c = src[i]
        if src.startswith("/*", i) or src.startswith("//", i):
            end = src.find("*/", i + 2) + 2 if src[i + 1] == "*" else src.find("\n", i)
            if end < 2 or end == -1:
                end = n
            text = src[i:end]
            if EXEMPT in text:
                exempt.add(line)
            out.append(re.sub(r"[^\n]", " ", text))
            line += text.count("\n")
            i = end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
            continue
        if c == "\n":
            line += 1
        out.append(c)
        i += 1
    return "".join(out), exempt


def printf_like(src):
    """{name: format index} of the functions @src declares with SNT_PRINTF(fmt, args)."""
    found = {}
    for m in re.finditer(r"SNT_PRINTF\((\d+),\s*\d+\)", src):
        # The declarator before the attribute (at a ';' or '{') or after it.
        if re.match(r"\s*[;{]", src[m.end():]):
            name = re.search(r"(\w+)\s*\([^()]*\)\s*$", src[max(0, m.start() - 300):m.start()])
        else:
            name = re.match(r"\s*(?:\w+\s+)*?\**\s*(\w+)\s*\(", src[m.end():])
        if name and name.group(1) != "SNT_PRINTF":
            found[name.group(1)] = int(m.group(1)) - 1
    return found


def split_args(src, start):
    """The arguments of the call whose '(' is at @start: [(text, offset)], end offset."""
    depth, i, args, arg_start = 0, start, [], start + 1
    n = len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append((src[arg_start:i], arg_start))
                return args, i
        elif c == "," and depth == 1:
            args.append((src[arg_start:i], arg_start))
            arg_start = i + 1
        i += 1
    return args, n


LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
LITERALS = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:\s*(?:PRI[diouxX](?:8|16|32|64|MAX|PTR)\b\s*)?"(?:[^"\\\n]|\\.)*")*')
MARKED = re.compile(r"\b(?:_|N_|P_)\s*\(")


CALL = re.compile(r"\b[A-Za-z_]\w*\s*\(")


def bare_literals(arg):
    """The string literals at the top of the argument @arg: [(text, offset)].
    Not inside _(), N_(), P_(), nor inside another call (json_object_get(o, "home"): a key)."""
    blank = list(arg)
    for m in CALL.finditer(arg):
        args, end = split_args(arg, m.end() - 1)
        for k in range(m.start(), min(end + 1, len(arg))):
            blank[k] = " "
    blanked = "".join(blank)
    # Adjacent literals are one string: "a" "b" (a macro such as PRId64 between them too).
    return [("".join(x.group(1) for x in LITERAL.finditer(m.group(0))), m.start())
            for m in LITERALS.finditer(blanked)]


MARKUP = re.compile(r"</?[!A-Za-z][^<>]*>?|\\?\"?\s*\b[a-z][\w:-]*=\\\"[^\"\\]*(\\\")?|&[a-z]+;|^[^<>]*>")


def words_of(text):
    """The words of language in the literal @text, and @text without what is not language."""
    if CJK.search(text):
        return [], text
    text = DIRECTIVE.sub(" ", text)
    if "<" in text or '=\\"' in text or "&" in text:
        text = MARKUP.sub(" ", text)
    text = ESCAPE.sub(" ", text)
    text = NOT_WORDS.sub(" ", text)
    return WORD.findall(text), text


def marked_plurals(src):
    """(offset, msgid) of _("...") whose text counts with a fixed plural."""
    for m in re.finditer(r"\b_\s*\(", src):
        args, _end = split_args(src, m.end() - 1)
        if not args:
            continue
        text = "".join(x.group(1) for x in LITERAL.finditer(args[0][0]))
        for p in COUNT_PLURAL.finditer(text):
            if p.group(2) not in NOT_PLURAL:
                yield m.start(), text
                break


def line_of(src, off):
    return src.count("\n", 0, off) + 1


def scan(path, rel, funcs, found):
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    src, exempt = strip_comments(raw)
    names = "|".join(sorted(funcs, key=len, reverse=True))
    call = re.compile(r"(?<![\w.>])(%s)\s*\(" % names)
    for m in call.finditer(src):
        name = m.group(1)
        # A definition or a declaration, not a call.
        before = src[max(0, m.start() - 40):m.start()]
        if re.search(r"(\bvoid|\bint|\benum \w+|\bchar|\*)\s*$", before) and "return" not in before[-8:]:
            continue
        args, end = split_args(src, m.end() - 1)
        fmt = funcs[name]
        first, last = line_of(src, m.start()), line_of(src, end)
        if any(ln in exempt for ln in range(first - 1, last + 1)):
            continue
        for k, (arg, off) in enumerate(args):
            if k < fmt:
                continue
            for text, loff in bare_literals(arg):
                words, plain = words_of(text)
                if not words:
                    continue
                if name in SENTENCE_ONLY and " " not in DIRECTIVE.sub("", text).strip():
                    continue
                found.append((rel, line_of(src, off + loff), "unmarked", text))
    for off, text in marked_plurals(src):
        if not {line_of(src, off), line_of(src, off) - 1} & exempt:
            found.append((rel, line_of(src, off), "plural", text))


def po_missing(root, files, po):
    """(file, line, msgid) of the marked messages without Chinese in @po."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "t.pot")
        merged = os.path.join(tmp, "m.po")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_", "--keyword=P_:1,2",
                        "-o", pot] + files, cwd=root, check=True)
        subprocess.run(["msgmerge", "-q", "--no-fuzzy-matching", "-o", merged, po, pot], check=True)
        out = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", merged],
                             capture_output=True, text=True, check=True).stdout
        out += subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", merged],
                              capture_output=True, text=True, check=True).stdout
    missing = []
    refs = []
    for block in out.split("\n\n"):
        refs = re.findall(r"^#: (.*)$", block, re.M)
        mid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not mid:
            continue
        text = "".join(re.findall(r'"(.*)"', mid.group(1)))
        if not text:
            continue
        ref = refs[0].split()[0] if refs else "?:0"
        f, _sep, ln = ref.rpartition(":")
        missing.append((f, int(ln) if ln.isdigit() else 0, "po", text))
    return missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--po", default=None)
    ap.add_argument("--no-po", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or pot_files(a.root)
    # The project's helpers declared in headers, then each file's own.
    shared = dict(STD_FORMAT)
    for d, _dirs, names in os.walk(a.root):
        for fn in names:
            if fn.endswith(".h") and "/tests" not in d:
                with open(os.path.join(d, fn), encoding="utf-8") as f:
                    shared.update(printf_like(strip_comments(f.read())[0]))
    found = []
    for rel in files:
        with open(os.path.join(a.root, rel), encoding="utf-8") as f:
            funcs = dict(shared)
            funcs.update(printf_like(strip_comments(f.read())[0]))
        scan(os.path.join(a.root, rel), rel, funcs, found)
    if not a.no_po:
        found += po_missing(a.root, files, a.po or os.path.join(a.root, "po/zh_CN.po"))
    found.sort(key=lambda x: (x[0], x[1], x[2]))
    for rel, ln, kind, text in found:
        print("%s:%d: %s: \"%s\"" % (rel, ln, kind, text))
    print("untranslated: %d" % len(found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
