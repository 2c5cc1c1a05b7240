#!/usr/bin/env bash
# steady.sh NAME SECONDS_PER_RUN [VAR=value ...]: load without a reload (8 clients, 4 runs of SECONDS_PER_RUN, one a budget unit), /health every 10 s.
set -u
D=$(pwd); N=$1; S=$2; PORT=${PORT:-5090}; shift 2   # as soak.sh: a directory holding bin/ and mlp.zip
SERVING="dotnet $D/bin/Microsoft.ML.Dvn.Samples.Serving.dll"
cp $D/mlp.zip $D/served-$N.zip
(cd $D && exec env "$@" $SERVING --model served-$N.zip --port $PORT > $D/server-$N.log 2>&1) &
SERVER=$!
for i in $(seq 1 240); do curl -sf http://127.0.0.1:$PORT/health > /dev/null && break; sleep 1; done
( while kill -0 $SERVER 2>/dev/null; do echo "$(date -u +%T) $(curl -s http://127.0.0.1:$PORT/health)"; sleep 10; done ) > $D/health-$N.log 2>&1 &
$SERVING loadtest --url http://127.0.0.1:$PORT --seconds $S --clients 8 --out $D/soak-$N.json > $D/soak-$N.log 2>&1
sleep 5; kill $SERVER; wait $SERVER 2>/dev/null
