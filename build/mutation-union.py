# Union of Stryker runs over the same files with different test filters (docs/testing.md): a mutant counts as
# detected when any run killed it or timed out on it; the first report defines the mutants, matched by file, line,
# column, mutator and replacement.
#   python3 build/mutation-union.py FIRST/mutation-report.json SECOND/mutation-report.json [...]
import json, sys, collections
reports = [json.load(open(p)) for p in sys.argv[1:]]
def key(path, m):
    return (path.split("src/Microsoft.ML.Dvn/")[-1], m["location"]["start"]["line"], m["location"]["start"]["column"], m["mutatorName"], m.get("replacement", ""))
runs = [{key(p, m): m["status"] for p, f in r["files"].items() for m in f["mutants"]} for r in reports]
counts = collections.Counter(); survivors = []
for k, s in runs[0].items():
    if s not in ("Killed", "Timeout", "Survived", "NoCoverage"):
        continue
    if any(r.get(k) == "Killed" for r in runs):
        counts["killed"] += 1
    elif any(r.get(k) == "Timeout" for r in runs):
        counts["timeout"] += 1
    else:
        counts["survived"] += 1; survivors.append(k)
d = counts["killed"] + counts["timeout"]
print(dict(counts), f"union score {100 * d / (d + counts['survived']):.2f}%, killed / (killed + survived) {100 * counts['killed'] / (counts['killed'] + counts['survived']):.2f}%")
for k in sorted(survivors):
    print(f"  Survived: {k[0]}:{k[1]} {k[3]}: {k[4][:110]}")
