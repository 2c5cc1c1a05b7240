#!/usr/bin/env bash
# Fuzzes the DVN model reader (src/Microsoft.ML.Dvn/Persistence) with AFL++ through SharpFuzz for a fixed time, from
# small valid models (test/Microsoft.ML.Dvn.Fuzz writes them). Not part of `dotnet test`.
#
#   build/fuzz.sh [SECONDS=600] [OUTPUT=artifacts/fuzz]
#
# A finding is an input for which the reader throws anything but InvalidDataException, runs longer than 2 s, allocates
# more than 100 MB or grows the peak resident memory by more than 200 MB (ReaderCheck.cs), or that AFL sees crash or
# hang. Findings land in OUTPUT/findings/default/crashes and .../hangs; keep each as a regression fixture in
# test/Microsoft.ML.Dvn.Tests/Fixtures/fuzz/ (FuzzRegressionTests replays that folder), then fix the reader.
# Needs afl++ (Debian's package; installed here when missing if run as root) and the SharpFuzz command-line tool
# (installed into OUTPUT/tools). CPU-heavy: on a shared machine run it under the shared lock.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
out=${2:-artifacts/fuzz}

if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y afl++ >/dev/null; else echo "afl-fuzz not found: sudo apt-get install afl++" >&2; exit 1; fi
fi
mkdir -p "$out"
[ -x "$out/tools/sharpfuzz" ] || dotnet tool install --tool-path "$out/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null

# A fresh publish each time: sharpfuzz instruments the library in place, for coverage feedback (the harness and
# ML.NET, TorchSharp stay as they are). Instrumented code runs only under AFL, so the seeds are written before.
rm -rf "$out/bin" "$out/seeds" "$out/findings"
dotnet publish test/Microsoft.ML.Dvn.Fuzz -c Release -o "$out/bin" --nologo -v quiet
dotnet "$out/bin/Microsoft.ML.Dvn.Fuzz.dll" seeds "$out/seeds"
"$out/tools/sharpfuzz" "$out/bin/Microsoft.ML.Dvn.dll"

# dotnet is not an AFL-instrumented binary (SharpFuzz reports coverage itself); loading libtorch takes seconds.
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
AFL_FORKSRV_INIT_TMOUT=120000 \
  afl-fuzz -V "$seconds" -i "$out/seeds" -o "$out/findings" -t 5000 -m none -- dotnet "$out/bin/Microsoft.ML.Dvn.Fuzz.dll" afl \
  > "$out/afl.log" 2>&1 || { tail -40 "$out/afl.log" >&2; exit 1; }

stats="$out/findings/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats"
crashes=$(find "$out/findings/default/crashes" "$out/findings/default/hangs" -type f -name 'id:*' | wc -l)
echo "findings: $crashes (in $out/findings/default/crashes and hangs)"
[ "$crashes" = 0 ]
