#!/usr/bin/env bash
# The measurements of docs/sweeps.md "Many workers": CNN sweeps of fmnist-3tasks, 27 configurations, halving (9 epochs
# at most), 2,000 training images a task, by 1 process with 2 threads (SQLite), 2 workers with 1 thread each (PostgreSQL,
# each in its own directory), ASHA the same way, the same sweep in memory, and the MLP on all images by 2 workers.
# Run as root from the repository after `dotnet build -c Release src/Microsoft.ML.Dvn.Samples` and build/install-data.sh,
# build/install-postgres.sh; writes into the directory given (default ./sweep-workers). Takes about 40 minutes here.
set -u
D=$(realpath -m "${1:-sweep-workers}"); mkdir -p "$D"
DLL=$PWD/src/Microsoft.ML.Dvn.Samples/bin/Release/net10.0/Microsoft.ML.Dvn.Samples.dll
BIN=$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)
COMMON="--scenario fmnist-3tasks --architecture cnn --trials 27 --rows 2000 --seed 1"
stamp() { date +%s.%N; }
log() { echo "$(date -u +%T) $*" | tee -a $D/times.txt; }

# A private PostgreSQL server (separate machines are stood for by workers with their own working directories).
PG=$D/pg; rm -rf $PG; mkdir -p $PG; chown postgres $PG
runuser -u postgres -- $BIN/initdb -D $PG/data -U dvn --auth=trust -E UTF8 > $PG/initdb.log
runuser -u postgres -- $BIN/pg_ctl -D $PG/data -l $PG/server.log -w -o "-p 55432 -k $PG -c listen_addresses=127.0.0.1" start
for db in sync asha mlp; do $BIN/createdb -h 127.0.0.1 -p 55432 -U dvn $db; done
conn() { echo "Host=127.0.0.1;Port=55432;Username=dvn;Database=$1;Timeout=30"; }

# Workers: N processes, each in its own directory, joining the study.
workers() { # name strategy db extra...
  local name=$1 strategy=$2 db=$3; shift 3
  local pids=()
  for w in 1 2; do
    mkdir -p $D/$name-w$w
    (cd $D/$name-w$w && exec dotnet $DLL sweep $COMMON_X --strategy $strategy --study "$(conn $db)" --join "$@" > $D/$name-w$w/worker.log 2>&1) &
    pids+=($!)
  done
  wait "${pids[@]}"
}

log "A: sync halving, 1 worker x 2 threads (SQLite)"
t0=$(stamp)
(cd $D && dotnet $DLL sweep $COMMON --strategy halving --study $D/cnn-sync-1x2.db --threads 2 --out $D/cnn-sync-1x2.json > $D/cnn-sync-1x2.log 2>&1)
log "A done: $(echo "$(stamp) - $t0" | bc) s, exit $?"

COMMON_X=$COMMON
log "B: sync halving, 2 workers x 1 thread (PostgreSQL, separate directories)"
t0=$(stamp)
workers cnn-sync-2x1 halving sync
log "B done: $(echo "$(stamp) - $t0" | bc) s"
(cd $D && dotnet $DLL sweep $COMMON --strategy halving --study "$(conn sync)" --report-only --out $D/cnn-sync-2x1.json > $D/cnn-sync-2x1-report.log 2>&1)

log "C: ASHA, 2 workers x 1 thread (PostgreSQL, separate directories)"
t0=$(stamp)
workers cnn-asha-2x1 asha asha
log "C done: $(echo "$(stamp) - $t0" | bc) s"
(cd $D && dotnet $DLL sweep $COMMON --strategy asha --study "$(conn asha)" --report-only --out $D/cnn-asha-2x1.json > $D/cnn-asha-2x1-report.log 2>&1)

log "D: MLP sync halving, all training images, 2 workers x 1 thread (PostgreSQL)"
COMMON_X="--scenario fmnist-3tasks --architecture mlp --trials 27 --seed 1"
t0=$(stamp)
workers mlp-sync-2x1 halving mlp
log "D done: $(echo "$(stamp) - $t0" | bc) s"
(cd $D && dotnet $DLL sweep $COMMON_X --strategy halving --study "$(conn mlp)" --report-only --out $D/mlp-sync-2x1.json > $D/mlp-sync-2x1-report.log 2>&1)

runuser -u postgres -- $BIN/pg_ctl -D $PG/data -w stop

log "E: the sweep of A in memory (no study), 1 process x 2 threads"
t0=$(stamp)
(cd $D && dotnet $DLL sweep $COMMON --strategy halving --threads 2 --out $D/cnn-sync-memory.json > $D/cnn-sync-memory.log 2>&1)
log "E done: $(echo "$(stamp) - $t0" | bc) s"
log "all done"
