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
step "building the empty Leptos app (same profile)"
(cd bench/empty-leptos && RUSTFLAGS="--cfg erase_components" trunk build --release --offline >/dev/null) || die "the empty app did not build."
step "building the list-only Leptos app (same profile)"
(cd bench/list-floor && RUSTFLAGS="--cfg erase_components" trunk build --release --offline >/dev/null) || die "the list-only app did not build."
dir=test-output/bench-frontend
rm -rf "$dir"
mkdir -p test-output
prepare_db "$dir"
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$dir" test-output/bench-frontend-wrangler.log
seed_demo_requests "$port"
LOCKBOX_URL="http://127.0.0.1:$port" node scripts/bench-frontend.mjs
