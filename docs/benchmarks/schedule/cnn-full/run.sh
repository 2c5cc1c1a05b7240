#!/usr/bin/env bash
# Issue 22, the CNN headline on all images (20,000 training images a task): the default schedule (constant-then-cosine)
# at the default length (10 epochs), DVN and independent CNNs, one seed a process: `run.sh DIR 1 2` runs seeds 1 and 2
# side by side (one libtorch thread each, nice 19; accuracies do not depend on the load), `run.sh DIR 3` the third.
# SCHEDULE=constant|cosine|constant-then-cosine (default) and EPOCHS=N (default 10) in the environment run the others.
# Run from the repository after `dotnet build -c Release src/Microsoft.ML.Dvn.Benchmarks` and build/install-data.sh.
# Then: dotnet src/Microsoft.ML.Dvn.Benchmarks/bin/Release/net10.0/Microsoft.ML.Dvn.Benchmarks.dll benchmark \
#   --from DIR/fmnist-3tasks-cnn-10-constant-then-cosine-seed1.json,...seed2.json,...seed3.json --out DIR/fmnist-3tasks-cnn-10-constant-then-cosine.json
#   (fmnist-3tasks-cnn-EPOCHS-SCHEDULE-seedS.json for the others)
D=$(realpath -m "${1:-cnn-full}"); shift; mkdir -p "$D"
DLL=$PWD/src/Microsoft.ML.Dvn.Benchmarks/bin/Release/net10.0/Microsoft.ML.Dvn.Benchmarks.dll
export OMP_NUM_THREADS=1
SCHEDULE=${SCHEDULE:-constant-then-cosine}; EPOCHS=${EPOCHS:-10}
for s in "$@"; do
  ( echo "$(date -u +%T) start $EPOCHS-$SCHEDULE seed $s" >> "$D/times.txt"
    cd "$D" && nice -n 19 dotnet "$DLL" benchmark --scenario fmnist-3tasks --architecture cnn --epochs $EPOCHS --seeds "$s" --skip shared,mlnet,timing \
      --lr-schedule $SCHEDULE --out "$D/fmnist-3tasks-cnn-$EPOCHS-$SCHEDULE-seed$s.json" > "$D/$EPOCHS-$SCHEDULE-seed$s.log" 2>&1
    echo "$(date -u +%T) done $EPOCHS-$SCHEDULE seed $s exit $?" >> "$D/times.txt" ) &
done
wait
