#!/usr/bin/env bash
# Issue 22: constant, cosine and constant-then-cosine, MLP, both scenarios, 3 seeds, 1/10/3/5 epochs and the quick run;
# one libtorch thread a run, the two scenarios side by side. Accuracies do not depend on the load. Run from the
# repository after `dotnet build -c Release src/Microsoft.ML.Dvn.Benchmarks` and build/install-data.sh; writes into the
# directory given (default ./schedule); then `python3 docs/benchmarks/schedule/analyze.py DIR` prints the tables.
set -u
D=$(realpath -m "${1:-schedule}"); mkdir -p "$D"
DLL=$PWD/src/Microsoft.ML.Dvn.Benchmarks/bin/Release/net10.0/Microsoft.ML.Dvn.Benchmarks.dll
export OMP_NUM_THREADS=1
lane() { # scenario
  local s=$1
  for e in 1 10 3 5 quick; do
    for lr in constant-then-cosine cosine constant; do
      out=$D/$s-$e-$lr.json
      [ -f $out ] && continue
      if [ $e = quick ]; then args="--quick"; else args="--epochs $e"; fi
      echo "$(date -u +%T) start $s $e $lr" >> $D/times.txt
      (cd $D && dotnet $DLL benchmark --scenario $s --architecture mlp $args --seeds 1,2,3 --skip shared,mlnet,timing --lr-schedule $lr --out $out > $D/$s-$e-$lr.log 2>&1)
      echo "$(date -u +%T) done $s $e $lr exit $?" >> $D/times.txt
    done
  done
}
lane fmnist-3tasks &
lane fmnist-4tasks &
wait
echo "$(date -u +%T) all done" >> $D/times.txt
