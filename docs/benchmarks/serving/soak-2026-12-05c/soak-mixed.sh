#!/usr/bin/env bash
# soak-mixed.sh NAME BIN PORT [VAR=value ...]: the 10-minute soak of issue 21 as one steady load: 8 clients for 600 s,
# every request taking the next budget unit in turn (loadtest --mixed --service-only), the model file replaced at 300 s,
# /health every 10 s, /proc/PID/smaps at 30 s, 290 s, the end of load and a minute later. The server is BIN's (a
# build of the serving sample: `dotnet publish -c Release src/Microsoft.ML.Dvn.Samples.Serving -o DIR/BIN`) with the
# given environment (e.g. MALLOC_ARENA_MAX=2), the load test bin/'s (the current build). Two soaks may run side by
# side on two ports. Run in a directory DIR holding bin/, mlp.zip and mlp2.zip (samples' `train --epochs 3 --seed 1|2`);
# then `python3 ../soak-2026-12-05b/summary.py NAME ...` there.
set -u
D=$(pwd); N=$1; BIN=$2; PORT=$3; shift 3
cp $D/mlp.zip $D/served-$N.zip
(cd $D && exec env "$@" dotnet $D/$BIN/Microsoft.ML.Dvn.Samples.Serving.dll --model $D/served-$N.zip --port $PORT > $D/server-$N.log 2>&1) &
SERVER=$!
for i in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 1; done
( for i in $(seq 0 67); do echo "$(date -u +%T) $(curl -s http://127.0.0.1:$PORT/health)"; sleep 10; done ) > $D/health-$N.log 2>&1 &
SAMPLER=$!
swap() { cp $D/$1.zip $D/served-$N.tmp && mv $D/served-$N.tmp $D/served-$N.zip; echo "$(date -u +%T) swapped to $1"; }
( sleep 30; cat /proc/$SERVER/smaps > $D/smaps-$N-030.txt; sleep 260; cat /proc/$SERVER/smaps > $D/smaps-$N-290.txt
  sleep 10; swap mlp2 ) > $D/swap-$N.log 2>&1 &
dotnet $D/bin/Microsoft.ML.Dvn.Samples.Serving.dll loadtest --url http://127.0.0.1:$PORT --seconds 600 --clients 8 --mixed --service-only \
  --out $D/soak-$N.json > $D/soak-$N.log 2>&1
echo "loadtest exit $?" >> $D/soak-$N.log
[ -e /proc/$SERVER/smaps ] && cat /proc/$SERVER/smaps > $D/smaps-$N-end.txt
curl -s http://127.0.0.1:$PORT/model > $D/model-after-$N.json
sleep 60; cat /proc/$SERVER/smaps > $D/smaps-$N-idle.txt
kill $SAMPLER 2>/dev/null; kill $SERVER; wait $SERVER 2>/dev/null
