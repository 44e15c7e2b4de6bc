#!/usr/bin/env python3
"""Finds import circles between the modules (files) of a crate.

Usage: import-cycles.py <crate>/src ...   Exit status 1 when a circle exists.

An edge A -> B means a `use` (or an inline `crate::…`/`super::…` path) in file A names an
item defined in file B. Paths through a module's re-exports (`pub use x::Item;`,
`pub use x::*;`) resolve to the file that defines the item; a parent's `mod`/`pub use` of
its own children are structure, not imports, and make no edge.
"""
import os
import re
import sys

USE_RE = re.compile(r"\buse\s+((?:crate|super|self)(?:::[^;]*?)?);", re.S)
INLINE_RE = re.compile(r"\b((?:crate|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def strip_comments(text):
    # Unit tests (`#[cfg(test)] mod tests { … }`, at the end of a file) are not the module.
    text = re.split(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)[0]
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def expand(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    tree = re.sub(r"\s+", "", tree)
    i = tree.find("{")
    if i < 0:
        return [re.sub(r"\bas\b.*$", "", tree)] if tree else []
    prefix, depth, parts, cur = tree[:i], 0, [], ""
    for ch in tree[i + 1 : tree.rfind("}")]:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        for e in expand(p):
            out.append(prefix + e if e != "self" else prefix.rstrip(":"))
    return out


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {}  # module path tuple -> file
        for root, _, names in os.walk(src):
            for n in names:
                if not n.endswith(".rs"):
                    continue
                f = os.path.join(root, n)
                rel = os.path.relpath(f, src)[:-3].split(os.sep)
                if rel[-1] in ("mod", "lib", "main"):
                    rel = rel[:-1]
                self.files[tuple(rel)] = f
        self.text = {m: strip_comments(open(f).read()) for m, f in self.files.items()}
        # pub use re-exports: module -> {name: target path}, and glob targets
        self.reexports, self.globs = {}, {}
        for m, t in self.text.items():
            names, globs = {}, []
            for tree in re.findall(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", t, re.S):
                for p in expand(tree):
                    segs = p.split("::")
                    if segs[-1] == "*":
                        globs.append(self.absolute(m, segs[:-1]))
                    else:
                        names[segs[-1]] = self.absolute(m, segs)
            self.reexports[m], self.globs[m] = names, globs

    def absolute(self, here, segs):
        segs = list(segs)
        if segs and segs[0] == "crate":
            return tuple(segs[1:])
        base = list(here)
        while segs and segs[0] in ("super", "self"):
            if segs.pop(0) == "super":
                base = base[:-1]
        return tuple(base + segs)

    def defines(self, m, name):
        return re.search(
            r"\b(?:struct|enum|trait|fn|type|const|static|mod|macro_rules!)\s+" + re.escape(name) + r"\b",
            self.text.get(m, ""),
        ) or re.search(r"define_id!\(\s*(?:///[^\n]*\n\s*)*" + re.escape(name) + r"\b", self.text.get(m, ""))

    def resolve(self, path, seen=()):
        """The file (module) defining `path`, following re-exports."""
        path = tuple(path)
        if path in self.files:
            return path
        for i in range(len(path) - 1, -1, -1):
            m = path[:i]
            if m not in self.files:
                continue
            rest = path[i:]
            name = rest[0]
            if (m, name) in seen:
                return m
            seen = seen + ((m, name),)
            if name in self.reexports[m]:
                return self.resolve(self.reexports[m][name] + rest[1:], seen)
            if self.defines(m, name):
                return m
            for g in self.globs[m]:
                target = self.resolve(g + rest, seen)
                if target and target != g:
                    return target
            return m
        return None

    def edges(self):
        out = {m: set() for m in self.files}
        for m, t in self.text.items():
            paths = []
            reexport_trees = set(re.findall(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", t, re.S))
            for tree in USE_RE.findall(t):
                own_child = tree in reexport_trees and not tree.startswith(("crate", "super"))
                if own_child:
                    continue
                paths += [p.split("::") for p in expand(tree)]
            paths += [p.split("::") for p in INLINE_RE.findall(t)]
            for segs in paths:
                segs = [s for s in segs if s != "*"]
                target = self.resolve(self.absolute(m, segs))
                if target is not None and target != m and target[: len(m)] != m and m[: len(target)] != target:
                    out[m].add(target)
                elif target is not None and target != m and m[: len(target)] == target:
                    # an import from an ancestor module's own items
                    out[m].add(target)
        return out


def cycles(graph):
    index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
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
                sccs.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return sccs


def main():
    bad = False
    for src in sys.argv[1:]:
        crate = Crate(src)
        graph = crate.edges()
        name = lambda m: os.path.relpath(crate.files[m], src)
        found = cycles(graph)
        for comp in found:
            bad = True
            members = set(comp)
            print(f"{src}: circle among " + ", ".join(sorted(name(m) for m in comp)))
            for m in sorted(comp):
                for t in sorted(graph[m] & members):
                    print(f"    {name(m)} -> {name(t)}")
        if not found:
            print(f"{src}: no import circles ({len(graph)} modules)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
