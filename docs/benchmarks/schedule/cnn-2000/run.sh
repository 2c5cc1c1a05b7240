#!/usr/bin/env bash
# Issue 22, CNN part on 2,000 training images a task (--quick --epochs E): 3 schedules x 5/10 epochs x seeds 1-3.
# Run from the repository after `dotnet build -c Release src/Microsoft.ML.Dvn.Benchmarks` and build/install-data.sh; writes into the
# directory given (default ./cnn-2000); then `python3 docs/benchmarks/schedule/analyze.py DIR fmnist-3tasks-cnn`. Two runs side
# by side, one libtorch thread each; it ran at nice 19 beside other work (accuracies do not depend on the load).
set -u
D=$(realpath -m "${1:-cnn-2000}"); mkdir -p "$D"
DLL=$PWD/src/Microsoft.ML.Dvn.Benchmarks/bin/Release/net10.0/Microsoft.ML.Dvn.Benchmarks.dll
export OMP_NUM_THREADS=1
run() { local e=$1 lr=$2; out=$D/fmnist-3tasks-cnn-$e-$lr.json; [ -f $out ] && return
  echo "$(date -u +%T) start $e $lr" >> $D/times.txt
  (cd $D && dotnet $DLL benchmark --scenario fmnist-3tasks --architecture cnn --quick --epochs $e --seeds 1,2,3 --skip shared,mlnet,timing --lr-schedule $lr --out $out > $D/cnn-$e-$lr.log 2>&1)
  echo "$(date -u +%T) done $e $lr exit $?" >> $D/times.txt; }
( run 5 constant-then-cosine; run 10 constant-then-cosine; run 5 constant ) &
( run 5 cosine; run 10 cosine; run 10 constant ) &
wait; echo "$(date -u +%T) all done" >> $D/times.txt
