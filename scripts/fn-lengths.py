#!/usr/bin/env python3
"""List the longest functions under src/ (lines from `fn` to its closing brace).

Usage: scripts/fn-lengths.py [--over N] [--top K] [DIR]

Counts physical lines of each `fn` body, skipping `#[cfg(test)]` modules and
files named tests.rs, so the figure is about the code that ships. A function
longer than N lines must carry a comment containing "long because" on one of
the three lines above it to be accepted (exit 1 otherwise).
"""
import os
import re
import sys

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+\"[^\"]*\"\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)")


def strip(line):
    """The line without string/char literals and // comments, for brace counting."""
    out = []
    i = 0
    in_str = False
    while i < len(line):
        c = line[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
        elif line.startswith("//", i):
            break
        elif c == "'" and i + 2 < len(line) and (line[i + 2] == "'" or (line[i + 1] == "\\" and "'" in line[i + 2:i + 5])):
            j = line.index("'", i + 2) if line[i + 1] != "\\" else line.index("'", i + 3)
            i = j + 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def functions(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    skip_depth = None
    depth = 0
    stack = []  # (name, start_line, depth_at_open)
    pending = None
    pending_cfg_test = False
    results = []
    for n, raw in enumerate(lines, 1):
        line = strip(raw)
        if raw.strip().startswith("#[cfg(test)]"):
            pending_cfg_test = True
        m = FN.match(raw)
        if m and skip_depth is None:
            pending = (m.group(7), n)
        if pending_cfg_test and re.match(r"^\s*(pub\s+)?mod\s+\w+\s*\{", raw) and skip_depth is None:
            skip_depth = depth
            pending_cfg_test = False
        elif raw.strip() and not raw.strip().startswith("#"):
            pending_cfg_test = pending_cfg_test and raw.strip().startswith("#")
        for c in line:
            if c == "{":
                if pending is not None and skip_depth is None:
                    stack.append((pending[0], pending[1], depth))
                    pending = None
                depth += 1
            elif c == "}":
                depth -= 1
                if stack and stack[-1][2] == depth:
                    name, start, _ = stack.pop()
                    results.append((n - start + 1, name, start, lines[max(0, start - 4):start - 1]))
                if skip_depth is not None and depth == skip_depth:
                    skip_depth = None
            elif c == ";" and pending is not None and not stack[-1:] == [pending]:
                # a declaration without a body (trait method)
                if depth == (stack[-1][2] + 1 if stack else depth):
                    pending = None
    return results


def main():
    args = sys.argv[1:]
    over, top, root = None, 15, "src"
    while args:
        a = args.pop(0)
        if a == "--over":
            over = int(args.pop(0))
        elif a == "--top":
            top = int(args.pop(0))
        else:
            root = a
    found = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".rs") and f != "tests.rs":
                p = os.path.join(d, f)
                for length, name, start, above in functions(p):
                    found.append((length, f"{p}:{start}", name, above))
    found.sort(reverse=True)
    if over is None:
        for length, where, name, _ in found[:top]:
            print(f"{length:5}  {name}  {where}")
        return 0
    bad = [x for x in found if x[0] > over and not any("long because" in l for l in x[3])]
    for length, where, name, _ in bad:
        print(f"{length:5}  {name}  {where}  (over {over} lines with no 'long because' comment)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
