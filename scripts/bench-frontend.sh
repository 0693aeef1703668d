#!/usr/bin/env bash
# Front-end benchmark: builds the SPA, an empty Leptos app and a list-only
# Leptos app (bench/list-floor) with the same release profile, starts its own
# `wrangler dev` on a free loopback port, prints transfer sizes and the
# throttled first-render time, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh --browser
scripts/build.sh
# bench_app NAME: one yardstick app, built as the parts are, with a page.
bench_app() {
  local name=$1
  step "building bench/$name (same profile as the app)"
  RUSTFLAGS="--cfg erase_components" build_wasm_app "$name" "$name" "bench/$name/dist" >/dev/null ||
    die "bench/$name did not build."
  local js
  js=$(cd "bench/$name/dist" && ls "$name"-*.js)
  sed "s|<!-- app -->|<script type=\"module\">import init from '/$js'; init({ module_or_path: '/${js%.js}_bg.wasm' });</script>|" \
    "bench/$name/index.html" >"bench/$name/dist/index.html"
}
bench_app empty-leptos
bench_app list-floor
dir=test-output/bench-frontend
rm -rf "$dir"
mkdir -p test-output
prepare_db "$dir"
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$dir" test-output/bench-frontend-wrangler.log
seed_demo_requests "$port"
LOCKBOX_URL="http://127.0.0.1:$port" node scripts/bench-frontend.mjs
