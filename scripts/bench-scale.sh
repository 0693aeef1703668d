#!/usr/bin/env bash
# Scale benchmark: one `wrangler dev` (release build, fresh local D1 and
# Durable Objects) whose tenant directory grows through BENCH_SIZES
# ("10 1000 10000"); at each size scripts/bench-scale.mjs moves every other
# active tenant (at most BENCH_ACTIVE, 1 000) into its own object and times
# a request's life in both layouts side by side; at the last size also the
# audit appends per second (one tenant, 100 tenants) and the sweep. The
# server is stopped to add tenants and started again on the same data.
# Prints numbers; asserts nothing about speed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh
scripts/build.sh
dir=test-output/bench-scale
rm -rf "$dir" "$dir".*
mkdir -p test-output
prepare_db "$dir"
sizes=${BENCH_SIZES:-10 1000 10000}
last=${sizes##* }
done_upto=0
port=$(free_port)
trap stop_server EXIT
for size in $sizes; do
  step "the directory grows to $size tenants"
  sed "s/@FROM@/$((done_upto + 1))/g; s/@TO@/$size/g" scripts/bench-scale.sql >"$dir.sql"
  CI=true wrangler d1 execute lockbox --local --persist-to "$dir" --file "$dir.sql" >"$dir.seed.log" 2>&1 \
    || { cat "$dir.seed.log" >&2; die "the bench tenants did not load; see the output above."; }
  done_upto=$size
  start_server "$port" "$dir" test-output/bench-scale-wrangler.log
  seed_demo_requests "$port"
  extra=()
  if [ "$size" = "$last" ]; then
    extra=(BENCH_APPENDS="${BENCH_APPENDS:-400}" BENCH_SWEEP=1)
  fi
  env BENCH_TENANTS="$size" "${extra[@]}" LOCKBOX_URL="http://127.0.0.1:$port" node scripts/bench-scale.mjs
  stop_server
done
