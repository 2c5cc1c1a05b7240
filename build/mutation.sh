#!/usr/bin/env bash
# Mutation testing of one folder of the library with Stryker.NET (docs/testing.md):
#   build/mutation.sh pipeline|persistence|network|sweep [more dotnet-stryker options]
#   build/mutation.sh check     # the cheap run .ci/run makes: one small file, so that the configuration cannot rot
# Each folder has its configuration in build/stryker/<folder>.json: the files it mutates and the test classes that
# exercise them. The suite runs on Microsoft.Testing.Platform, so the runner is Stryker's 'mtp' with coverage analysis
# off (per-test coverage capture timed out): every mutant runs the folder's whole test filter. The report (JSON, HTML)
# goes to artifacts/mutation/<folder>/reports/; the last lines printed are the counts and the score.
# Slow: minutes for 'check', up to an hour or more for a folder (docs/testing.md has the measured times).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

folder=${1:-}
config="build/stryker/${folder,,}.json"
if [ -z "$folder" ] || [ ! -f "$config" ]; then
  echo "usage: build/mutation.sh <folder> [dotnet-stryker options]; folders:" \
    "$(cd build/stryker && ls -- *.json | sed 's/\.json$//' | tr '\n' ' ')" >&2
  exit 2
fi
shift
name=${folder,,}
output="$root/artifacts/mutation/$name"
rm -rf "$output"

dotnet tool restore >/dev/null
# Stryker compiles the mutants against the references its analysis finds before it builds; the publicized ML.NET
# assemblies (build/Microsoft.ML.Dvn.Publicize.targets) exist only after a build, so a tree never built before failed
# every mutant with CS0122 (seen on a fresh worktree, 2026-12-05). Build first, in the configuration Stryker uses.
mkdir -p "$output"
if ! dotnet build test/Microsoft.ML.Dvn.Tests/Microsoft.ML.Dvn.Tests.csproj -c Debug -v quiet -nologo >"$output/build.log" 2>&1; then
  cat "$output/build.log" >&2
  exit 1
fi
# Stryker runs from the test project and mutates the library it references (the configuration's "project").
(cd test/Microsoft.ML.Dvn.Tests && dotnet stryker --config-file "$root/$config" --output "$output" --skip-version-check "$@")

python3 - "$output/reports/mutation-report.json" "$name" <<'PY'
import collections, json, sys
report = json.load(open(sys.argv[1]))
counts = collections.Counter(m["status"] for f in report["files"].values() for m in f["mutants"])
killed, survived, timeout, nocoverage = (counts[s] for s in ("Killed", "Survived", "Timeout", "NoCoverage"))
detected, undetected = killed + timeout, survived + nocoverage
print(f"{sys.argv[2]}: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
if detected + undetected == 0:
    sys.exit(f"{sys.argv[2]}: no mutant was tested")
# The check's scope has survivors that no test can kill (docs/testing.md, the accepted ones of BudgetValue.cs): a run
# that kills them all did not test anything, its test runs failed as a whole (seen once on 2026-12-05).
if sys.argv[2] == "check" and survived == 0:
    sys.exit("check: every mutant was killed, including those docs/testing.md accepts as unkillable: the test runs "
             "failed whatever the mutant (a broken runner or build), so this score means nothing")
print(f"{sys.argv[2]}: score {100 * detected / (detected + undetected):.2f}% (killed and timed out / tested), "
      f"killed / (killed + survived) {100 * killed / max(1, killed + survived):.2f}%")
for path, f in sorted(report["files"].items()):
    for m in f["mutants"]:
        if m["status"] in ("Survived", "NoCoverage"):
            line = m["location"]["start"]["line"]
            print(f"  {m['status']}: {path.split('src/Microsoft.ML.Dvn/')[-1]}:{line} {m['mutatorName']}: {m.get('replacement', '')}")
PY
