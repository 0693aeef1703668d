#!/usr/bin/env bash
# Where a first visit's time goes: builds, starts its own `wrangler dev` on a
# free loopback port with the demo data, records DevTools traces of an
# approver's first visits to the requests list under phone throttling
# (scripts/trace-first-visit.mjs), prints the breakdown, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh --browser
scripts/build.sh
dir=test-output/trace-first-visit
rm -rf "$dir"
mkdir -p test-output
prepare_db "$dir"
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$dir" test-output/trace-first-visit-wrangler.log
seed_demo_requests "$port"
LOCKBOX_URL="http://127.0.0.1:$port" node scripts/trace-first-visit.mjs
