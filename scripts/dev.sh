#!/usr/bin/env bash
# `make dev`: installs what is missing, builds, prepares the local D1 with demo
# data, and serves the SPA and the API, with the sample provider service
# beside them, in one `wrangler dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

PORT=${PORT:-8787}
scripts/ensure-tools.sh
scripts/build.sh
mkdir -p .wrangler
prepare_db .wrangler/state

if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
  die "port $PORT is taken by another program; run again with PORT=<free port> make dev."
fi

step "starting wrangler dev on 127.0.0.1:$PORT"
log=.wrangler/dev.log
trap stop_server EXIT INT TERM
start_server "$PORT" .wrangler/state "$log"
seed_demo_requests "$PORT"
LOCKBOX_URL="http://127.0.0.1:$PORT" node scripts/demo-pending.mjs
echo "Lockbox is running at http://127.0.0.1:$PORT (with the sample provider service behind it)"
echo "(the scheduled job runs when you open http://127.0.0.1:$PORT/__scheduled?cron=*+*+*+*+*; server log: $log; Ctrl-C stops it)"
tail -n +1 -f "$log" --pid "$SERVER_PID" &
wait "$SERVER_PID"
