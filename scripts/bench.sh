#!/usr/bin/env bash
# API benchmark: starts its own `wrangler dev` (release build, fresh local D1)
# on a free loopback port, runs scripts/bench-api.mjs against it (ratios to a
# trivial route), then scripts/bench-sustained.mjs (a fixed rate for ten
# minutes, p99 per minute, on top of a 100 000-record audit log), stops it.
# Prints numbers; asserts nothing about speed. BENCH_N sets the size (200);
# BENCH_SUSTAIN_SECONDS the sustained run's length (600; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh
scripts/build.sh
dir=test-output/bench
rm -rf "$dir" "$dir.migrate.log" "$dir.seed.log"
mkdir -p test-output
prepare_db "$dir"
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$dir" test-output/bench-wrangler.log
# Registers the sample provider service (the operator calls go through it).
seed_demo_requests "$port"
LOCKBOX_URL="http://127.0.0.1:$port" node scripts/bench-api.mjs
if [ "${BENCH_SUSTAIN_SECONDS:-600}" != 0 ]; then
  step "a large audit log for the sustained run (100 000 records)"
  curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d '{"tenant_id":"7c0a8f4e-5a1b-4c3d-9e2f-000000000001","count":100000}' \
    "http://127.0.0.1:$port/api/v1/dev/seed-audit" || die "could not fill the audit log."
  LOCKBOX_URL="http://127.0.0.1:$port" node scripts/bench-sustained.mjs
fi
