#!/usr/bin/env bash
# Sweep benchmark: a fresh local D1 with BENCH_DUE (10 000) requests whose
# 12 hours are over and as many grants that have ended, none swept; then the
# scheduled job, run again and again as the cron trigger would, until a run
# leaves nothing due. Prints, per run: what it moved, its time inside the
# Worker (scheduled_at to finished_at, an upper bound of its CPU time, which
# the Workers limit caps at 30 s) and as the caller saw it. Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh
scripts/build.sh
n=${BENCH_DUE:-10000}
dir=test-output/bench-sweep
rm -rf "$dir" "$dir".*
mkdir -p test-output
prepare_db "$dir"
step "making $n due requests and $n ended grants"
sed "s/@N@/$n/g" scripts/bench-sweep.sql >"$dir.sql"
CI=true wrangler d1 execute lockbox --local --persist-to "$dir" --file "$dir.sql" >"$dir.bulk.log" 2>&1 \
  || { cat "$dir.bulk.log" >&2; die "the due rows did not load; see the output above."; }
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$dir" test-output/bench-sweep-wrangler.log

last_run() {
  CI=true wrangler d1 execute lockbox --local --persist-to "$dir" --json --command \
    "SELECT expired, completed, more_due, finished_at - scheduled_at AS ms, \
       (SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS outbox_pending \
     FROM cron_runs ORDER BY rowid DESC LIMIT 1" 2>/dev/null \
    | node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"))[0].results[0]; console.log([r.expired, r.completed, r.more_due, r.ms, r.outbox_pending].join(" "))'
}

printf '%-5s %9s %10s %9s %12s %14s\n' run expired completed "ms (in)" "ms (caller)" "outbox waiting"
total_ms=0
runs=0
max_ms=0
for run in $(seq 1 ${BENCH_MAX_RUNS:-60}); do
  started=$(date +%s%N)
  curl -fsS "http://127.0.0.1:$port/__scheduled?cron=*+*+*+*+*" >/dev/null \
    || die "the scheduled job failed; see test-output/bench-sweep-wrangler.log."
  caller_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  read -r expired completed more ms waiting < <(last_run)
  printf '%-5s %9s %10s %9s %12s %14s\n' "$run" "$expired" "$completed" "$ms" "$caller_ms" "$waiting"
  runs=$run
  total_ms=$((total_ms + ms))
  [ "$ms" -gt "$max_ms" ] && max_ms=$ms
  [ "$more" = "0" ] && break
done
echo "swept $n due requests and $n ended grants in $runs runs; longest run ${max_ms} ms (Workers limit: 30 000 ms of CPU), ${total_ms} ms in all"
