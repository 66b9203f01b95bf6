#!/usr/bin/env python3
"""Check that no import cycle runs between the crate's top-level modules.

Usage: scripts/module-cycles.py [--graph] [--depth 2] [SRC]

Every `crate::a::b` path in a file under SRC (default src/) is an edge from
the file's own module to module `a` (with --depth 2, to `a::b`, and files are
grouped the same way). Test code (`#[cfg(test)]` modules, tests.rs files) is
left out: tests may reach across. Prints each cycle (strongly connected set of
two or more modules) and exits 1 if there is one; --graph prints every edge.
"""
import os
import re
import sys

PATH = re.compile(r"\bcrate::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)")
GROUP = re.compile(r"\bcrate::\{([^}]*)\}")


def module_of(rel, depth):
    parts = rel[:-3].split(os.sep)
    if parts[-1] in ("lib", "main") and len(parts) == 1:
        return None
    return "::".join(parts[:depth])


def code_lines(text):
    """Lines outside #[cfg(test)] modules."""
    out, skip, depth, armed = [], None, 0, False
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("#[cfg(test)]"):
            armed = True
            continue
        if armed and re.match(r"(pub\s+)?mod\s+\w+\s*;", s):
            armed = False
            continue
        if armed and re.match(r"(pub\s+)?mod\s+\w+\s*\{", s) and skip is None:
            skip = depth
        armed = armed and not s
        if skip is None and not s.startswith("//"):
            out.append(line)
        depth += line.count("{") - line.count("}")
        if skip is not None and depth <= skip:
            skip = None
    return out


def main():
    args = sys.argv[1:]
    graph, depth, root = False, 1, "src"
    while args:
        a = args.pop(0)
        if a == "--graph":
            graph = True
        elif a == "--depth":
            depth = int(args.pop(0))
        else:
            root = a
    edges = {}
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs") or f == "tests.rs":
                continue
            path = os.path.join(d, f)
            me = module_of(os.path.relpath(path, root), depth)
            if me is None:
                continue
            text = "\n".join(code_lines(open(path, encoding="utf-8").read()))
            targets = [m.group(1) for m in PATH.finditer(text)]
            for g in GROUP.finditer(text):
                targets += [t.strip().split("::")[0] for t in g.group(1).split(",") if t.strip()]
            for t in targets:
                other = "::".join(t.split("::")[:depth])
                top = t.split("::")[0]
                if depth > 1 and other == top and not os.path.exists(os.path.join(root, top)):
                    pass
                if other != me and other.split("::")[0] != "":
                    edges.setdefault(me, set()).add(other)
    nodes = set(edges) | {t for ts in edges.values() for t in ts}
    if graph:
        for n in sorted(nodes):
            print(f"{n} -> {', '.join(sorted(edges.get(n, ())))}")
    # Tarjan's strongly connected components.
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for n in sorted(nodes):
        if n not in index:
            visit(n)
    for comp in sccs:
        print("cycle among: " + ", ".join(comp))
    if not sccs:
        print(f"no import cycle among {len(nodes)} modules")
    return 1 if sccs else 0


if __name__ == "__main__":
    sys.exit(main())
