#!/usr/bin/env bash
# soak.sh NAME [VAR=value ...]: the 10-minute soak of issue 21 (8 clients, 4 runs of 150 s, one a budget unit),
# /health every 10 s. The server's build and port: SERVER_BIN=DIR (default bin) and PORT=N (default 5095) in soak.sh's
# own environment, so two soaks can run side by side (../soak-2026-12-05c/).
# The server runs with the given environment (e.g. MALLOC_ARENA_MAX=2). The model file is replaced at 300 s, with
# /proc/PID/smaps read at 30 s, 290 s, at the end of load and a minute later; with RELOADS=9 it is replaced every
# 60 s instead (mlp2/mlp in turn), without smaps. Run in a directory holding bin/ (the serving sample built in
# Release) and mlp.zip, mlp2.zip (samples' `train --epochs 3 --seed 1|2`); then `python3 summary.py NAME`.
set -u
D=$(pwd); N=$1; shift
SERVING="dotnet $D/bin/Microsoft.ML.Dvn.Samples.Serving.dll"
SERVER_CMD="dotnet $D/${SERVER_BIN:-bin}/Microsoft.ML.Dvn.Samples.Serving.dll"
PORT=${PORT:-5095}
cp $D/mlp.zip $D/served-$N.zip
(cd $D && exec env "$@" $SERVER_CMD --model $D/served-$N.zip --port $PORT > $D/server-$N.log 2>&1) &
SERVER=$!
for i in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 1; done
( for i in $(seq 0 75); do echo "$(date -u +%T) $(curl -s http://127.0.0.1:$PORT/health)"; sleep 10; done ) > $D/health-$N.log 2>&1 &
SAMPLER=$!
swap() { cp $D/$1.zip $D/served-$N.tmp && mv $D/served-$N.tmp $D/served-$N.zip; echo "$(date -u +%T) swapped to $1"; }
if [ "${RELOADS:-1}" = 1 ]; then
  ( sleep 30; cat /proc/$SERVER/smaps > $D/smaps-$N-030.txt; sleep 260; cat /proc/$SERVER/smaps > $D/smaps-$N-290.txt
    sleep 10; swap mlp2 ) > $D/swap-$N.log 2>&1 &
else
  ( for r in $(seq 1 $RELOADS); do sleep 60; if [ $((r % 2)) = 1 ]; then swap mlp2; else swap mlp; fi; done ) > $D/swap-$N.log 2>&1 &
fi
$SERVING loadtest --url http://127.0.0.1:$PORT --seconds 150 --clients 8 --out $D/soak-$N.json > $D/soak-$N.log 2>&1
echo "loadtest exit $?" >> $D/soak-$N.log
[ -e /proc/$SERVER/smaps ] && cat /proc/$SERVER/smaps > $D/smaps-$N-end.txt
curl -s http://127.0.0.1:$PORT/model > $D/model-after-$N.json
sleep 60; [ "${RELOADS:-1}" = 1 ] && cat /proc/$SERVER/smaps > $D/smaps-$N-idle.txt
kill $SAMPLER 2>/dev/null; kill $SERVER; wait $SERVER 2>/dev/null
