#!/usr/bin/env python3
"""The folder dependency matrix of src/Microsoft.ML.Dvn, read from the code, and a check that it has no cycle.

A folder is a top-level folder of the library (Sweep/Studies counts as Sweep). A folder declares the top-level types of
its files. A file uses another folder when its code names a type declared there: every identifier counts (type names,
`new X`, `X.Member`, generic arguments, attributes), not only `using` lines, and nothing inside a comment or a string
literal does (the code in an interpolated string's holes does). A type split over several folders as a partial class
ties each of them to the others both ways: its parts share their private members.

Prints the types of each folder, each file's references to other folders' types, the matrix, and every cycle between
folders with one reference (file: type) on each of its edges. With --readme, also checks the README's layout table
(`| `Folder/` | what it owns | the folders it may use, or nothing |`): a row for every folder, and no use of a folder
that its row does not list. Exits 1 on a cycle or a disagreement, 0 otherwise.
Usage: build/deps.sh [--readme README.md] [SOURCE_FOLDER]   (default: src/Microsoft.ML.Dvn)
"""
import os
import re
import sys
from collections import defaultdict, deque

IDENTIFIER = re.compile(r"@?[A-Za-z_][A-Za-z0-9_]*")
# A type declaration; modifiers and attributes may come before it, a type parameter list or a primary constructor after.
DECLARATION = re.compile(r"\b(?:class|struct|interface|enum|record(?:\s+(?:class|struct))?)\s+([A-Za-z_][A-Za-z0-9_]*)")
DELEGATE = re.compile(r"\bdelegate\s+[A-Za-z0-9_<>\[\],.?\s]+?\s([A-Za-z_][A-Za-z0-9_]*)\s*[<(]")
FILE_SCOPED_NAMESPACE = re.compile(r"^\s*namespace\s+[A-Za-z0-9_.]+\s*;", re.MULTILINE)


def strip(code):
    """The code with comments and the text of string and character literals blanked (newlines kept)."""
    out, i = [], 0
    n = len(code)

    def blank(text):
        return "".join(c if c == "\n" else " " for c in text)

    while i < n:
        c = code[i]
        if code.startswith("//", i):
            end = code.find("\n", i)
            end = n if end < 0 else end
            out.append(blank(code[i:end]))
            i = end
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(blank(code[i:end]))
            i = end
        elif c in "$@\"" and re.match(r'(\$+@?|@\$*)?"', code[i:i + 4]):
            end, kept = string_literal(code, i)
            out.append(kept)
            i = end
        elif c == "'":
            m = re.match(r"'(?:\\.|\\u[0-9A-Fa-f]{4}|[^'\\\n])[^'\n]{0,8}'", code[i:])
            if m:
                out.append(blank(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def string_literal(code, i):
    """Reads the string literal at i: returns where it ends and the literal with its text blanked and its holes kept."""
    m = re.match(r'(\$*)(@?)(\$*)("+)', code[i:])
    dollars = len(m.group(1)) + len(m.group(3))
    verbatim = bool(m.group(2))
    quotes = len(m.group(4))
    start = i
    i += len(m.group(0))
    kept = [" " * (i - start)]
    raw = quotes >= 3
    if not raw and quotes == 2:  # the empty string ""
        return i, " " * (i - start)
    closing = '"' * quotes if raw else '"'
    open_braces = "{" * max(dollars, 1) if raw else "{"
    while i < len(code):
        if not raw and not verbatim and code[i] == "\\":
            kept.append("  ")
            i += 2
        elif not raw and verbatim and code.startswith('""', i):
            kept.append("  ")
            i += 2
        elif code.startswith(closing, i):
            kept.append(" " * len(closing))
            return i + len(closing), "".join(kept)
        elif dollars and code.startswith(open_braces, i) and not (not raw and code.startswith("{{", i)):
            kept.append(" " * len(open_braces))
            i += len(open_braces)
            end, hole = interpolation_hole(code, i)
            kept.append(hole)
            i = end
        elif dollars and not raw and code.startswith("{{", i):
            kept.append("  ")
            i += 2
        else:
            kept.append("\n" if code[i] == "\n" else " ")
            i += 1
    return i, "".join(kept)


def interpolation_hole(code, i):
    """The code of an interpolation hole starting at i, up to its closing brace; a format after a top-level ':' is
    text."""
    out, depth = [], 0
    while i < len(code):
        c = code[i]
        if c in "$@\"" and re.match(r'(\$+@?|@\$*)?"', code[i:i + 4]):
            end, kept = string_literal(code, i)
            out.append(kept)
            i = end
        elif c in "([{":
            depth += 1
            out.append(c)
            i += 1
        elif c in ")]" or (c == "}" and depth > 0):
            depth -= 1
            out.append(c)
            i += 1
        elif c == "}":
            return i + 1, "".join(out) + " "
        elif c == ":" and depth == 0 and not code.startswith("::", i):
            end = code.find("}", i)
            out.append(" " * (end - i))
            i = end
        else:
            out.append(c)
            i += 1
    return i, "".join(out)


def brace_depths(code):
    depths, depth = [], 0
    for c in code:
        depths.append(depth)
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
    return depths


def main():
    arguments = sys.argv[1:]
    readme = None
    if arguments[:1] == ["--readme"] and len(arguments) >= 2:
        readme, arguments = arguments[1], arguments[2:]
    root = os.path.normpath(arguments[0] if arguments else "src/Microsoft.ML.Dvn")
    files = {}
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in ("bin", "obj"))
        for name in sorted(names):
            if name.endswith(".cs"):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                folder = relative.split(os.sep)[0] if os.sep in relative else "(root)"
                with open(path, encoding="utf-8-sig") as source:
                    files[relative] = (folder, strip(source.read()))

    declared = defaultdict(set)  # type -> folders
    types_of = defaultdict(set)  # folder -> types
    partial_parts = defaultdict(list)  # type -> [(folder, file)]
    for relative, (folder, code) in files.items():
        top = 0 if FILE_SCOPED_NAMESPACE.search(code) else 1
        depths = brace_depths(code)
        for pattern in (DECLARATION, DELEGATE):
            for m in pattern.finditer(code):
                if depths[m.start()] != top:
                    continue
                name = m.group(1)
                declared[name].add(folder)
                types_of[folder].add(name)
                line_start = code.rfind("\n", 0, m.start()) + 1
                if re.search(r"\bpartial\s+$", code[line_start:m.start()]):
                    partial_parts[name].append((folder, relative))

    # edges[(a, b)] -> [(file, type)]: a file of folder a names a type declared in folder b.
    edges = defaultdict(list)
    references = {}
    for relative, (folder, code) in files.items():
        used = defaultdict(set)  # other folder -> types
        for m in IDENTIFIER.finditer(code):
            name = m.group(0).lstrip("@")
            homes = declared.get(name)
            if not homes or folder in homes:
                continue
            for home in homes:
                used[home].add(name)
        references[relative] = used
        for home, names in used.items():
            for name in sorted(names):
                edges[(folder, home)].append((relative, name))
    for name, parts in partial_parts.items():
        for a, file_a in parts:
            for b, _ in parts:
                if a != b and (file_a, f"partial {name}") not in edges[(a, b)]:
                    edges[(a, b)].append((file_a, f"partial {name}"))

    folders = sorted(set(folder for folder, _ in files.values()))
    print(f"Folders of {root} and the types declared in each:")
    for folder in folders:
        print(f"  {folder} ({len(types_of[folder])}): {', '.join(sorted(types_of[folder]))}")
    print()
    print("Each file's references to types declared in other folders:")
    for relative in sorted(files):
        used = references[relative]
        if used:
            listed = "; ".join(f"{home}: {', '.join(sorted(names))}" for home, names in sorted(used.items()))
            print(f"  {relative} -> {listed}")
    print()
    print("Folder dependency matrix (the row's files name this many distinct types of the column's folder; "
          "a partial class over both folders counts as one):")
    width = max(len(f) for f in folders) + 1
    print(" " * width + " ".join(f"{f[:11]:>11}" for f in folders))
    for a in folders:
        cells = []
        for b in folders:
            count = len({name for _, name in edges.get((a, b), [])})
            cells.append(f"{'-' if a == b else (count or '.'):>11}")
        print(f"{a:<{width}}" + " ".join(cells))
    print()

    graph = defaultdict(set)
    for (a, b), found in edges.items():
        if found:
            graph[a].add(b)
    cycles = find_cycles(folders, graph)
    if not cycles:
        print("No cycle between folders.")
    else:
        print(f"{len(cycles)} cycle(s) between folders:")
        for cycle in cycles:
            print("  " + " -> ".join(cycle + [cycle[0]]))
            for a, b in zip(cycle, cycle[1:] + [cycle[0]]):
                file, name = sorted(edges[(a, b)])[0]
                print(f"    {a} -> {b}: {file}: {name}")
    untrue = check_readme(readme, folders, graph, edges) if readme else 0
    return 1 if cycles or untrue else 0


def check_readme(readme, folders, graph, edges):
    """Compares the README's layout table (rows `| `Folder/` | owns | may use |`) with the code: every folder has a row,
    and uses only folders its row names. Returns the number of disagreements, each printed."""
    rows = {}
    with open(readme, encoding="utf-8") as text:
        for line in text:
            m = re.match(r"^\|\s*`([A-Za-z]+)/`\s*\|.*\|\s*([^|]*?)\s*\|\s*$", line)
            if m:
                allowed = m.group(2)
                rows[m.group(1)] = set() if allowed == "nothing" else {f.strip() for f in allowed.split(",")}
    untrue = [f"{folder}/ has no row in {readme}'s layout table" for folder in folders if folder not in rows]
    untrue += [f"{readme}'s layout table has a row for {folder}/, which is not a folder of the library" for folder in rows if folder not in folders]
    for folder in folders:
        for used in sorted(graph[folder] - rows.get(folder, set(graph[folder]))):
            file, name = sorted(edges[(folder, used)])[0]
            untrue.append(f"{folder}/ uses {used}/ ({file}: {name}), which its row in {readme} does not list")
    print()
    if untrue:
        print(f"{len(untrue)} disagreement(s) with {readme}'s layout table:")
        for line in untrue:
            print("  " + line)
    else:
        print(f"{readme}'s layout table says what each folder may use, and the code uses no other.")
    return len(untrue)


def find_cycles(folders, graph):
    """For every edge inside a strongly connected set of folders, the shortest cycle through it; each cycle once."""
    cycles, seen = [], set()
    for a in folders:
        for b in sorted(graph[a]):
            path = shortest_path(graph, b, a)
            if path is None:
                continue
            cycle = [a] + path[:-1]
            smallest = cycle.index(min(cycle))
            cycle = cycle[smallest:] + cycle[:smallest]
            if tuple(cycle) not in seen:
                seen.add(tuple(cycle))
                cycles.append(cycle)
    return cycles


def shortest_path(graph, start, goal):
    previous, queue = {start: None}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = []
            while node is not None:
                path.append(node)
                node = previous[node]
            return path[::-1]
        for following in sorted(graph[node]):
            if following not in previous:
                previous[following] = node
                queue.append(following)
    return None


if __name__ == "__main__":
    sys.exit(main())
