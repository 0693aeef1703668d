#!/usr/bin/env bash
# API benchmark: starts its own `wrangler dev` (release build, fresh local D1)
# on a free loopback port, runs scripts/bench-api.mjs against it, stops it.
# Prints numbers; asserts nothing about speed. BENCH_N sets the size (200).
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
LOCKBOX_URL="http://127.0.0.1:$port" node scripts/bench-api.mjs
