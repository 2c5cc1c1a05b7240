#!/usr/bin/env bash
# firstreq.sh BIN PORT: start BIN's server on mlp.zip, then time the first two requests in each budget unit.
D=$(pwd); BIN=$1; PORT=$2
cp $D/mlp.zip $D/first-$PORT.zip
(MALLOC_ARENA_MAX=2 exec dotnet $D/$BIN/Microsoft.ML.Dvn.Samples.Serving.dll --model $D/first-$PORT.zip --port $PORT > $D/first-$PORT.log 2>&1) &
S=$!
for i in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
L=$(curl -s http://127.0.0.1:$PORT/levels)
P=$(echo "$L" | python3 -c 'import json,sys; l=[x for x in json.load(sys.stdin)["levels"] if x["task"]=="fine"][1]; print(l["parameterCount"], l["bytes"], l["latencyMicroseconds"])')
read PC BY US <<< "$P"
body() { python3 -c "import json; r={'task':'fine','features':[0.5]*784}; r.update($1); print(json.dumps({'rows':[r]}))" > /tmp/body-$PORT.json; }
for u in "{}" "{'memoryBudget':$PC}" "{'memoryBudgetBytes':$BY}" "{'latencyBudget':$US}"; do
  body "$u"; for k in 1 2; do printf "%s %s " "$BIN" "$u"; curl -s -o /dev/null -w "%{time_total}\n" -X POST -H 'Content-Type: application/json' --data-binary @/tmp/body-$PORT.json http://127.0.0.1:$PORT/predict; done
done
kill $S
