#!/usr/bin/env bash
# Audit log benchmark: starts its own `wrangler dev` (release build, fresh
# local D1) on a free loopback port, fills one tenant's log with
# BENCH_RECORDS made-up records (1 000 000), then prints the time of
# filtered search pages through the Worker next to the same SQL run on the
# same SQLite file directly, and the CSV export's throughput. Prints
# numbers; asserts nothing about speed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh
scripts/build.sh
dir=test-output/bench-audit
rm -rf "$dir" "$dir.migrate.log" "$dir.seed.log"
mkdir -p test-output
prepare_db "$dir"
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$dir" test-output/bench-audit-wrangler.log
LOCKBOX_URL="http://127.0.0.1:$port" LOCKBOX_D1_DIR="$dir" python3 scripts/bench-audit.py
