#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test: formatting and
# lints, Rust unit tests, integration tests against a real `wrangler dev`
# (started here on a free port, stopped by PID), and browser tests in
# headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh --browser

step "checking formatting (cargo fmt --check)"
cargo fmt --all -- --check || die "code is not formatted; run cargo fmt."

step "linting (cargo clippy -D warnings)"
cargo clippy --locked -p lockbox-shared -p lockbox-backend -p lockbox-tests -p lockbox-cli -p lockbox-provider -p lockbox-sample-provider --all-targets -- -D warnings
cargo clippy --locked -p lockbox-backend -p lockbox-frontend -p lockbox-provider -p lockbox-sample-provider --target wasm32-unknown-unknown -- -D warnings

step "unit tests"
cargo test --locked -p lockbox-shared -p lockbox-backend -p lockbox-frontend -p lockbox-cli -p lockbox-provider -p lockbox-sample-provider

scripts/build.sh

out=test-output
rm -rf "$out"
mkdir -p "$out"
db="$out/d1"
prepare_db "$db"
port=$(free_port)
step "starting wrangler dev for the tests on 127.0.0.1:$port"
prod_pid=
stop_prod_like() {
  if [ -n "$prod_pid" ] && kill -0 "$prod_pid" 2>/dev/null; then
    kill "$prod_pid"
    wait "$prod_pid" 2>/dev/null || true
  fi
}
trap 'stop_server; stop_prod_like' EXIT
start_server "$port" "$db" "$out/wrangler.log"
server_pid=$SERVER_PID
seed_demo_requests "$port"

# A second server as a deployment would run: no dev-only variables.
prod_port=$(free_port)
step "starting a second wrangler dev without the dev sign-in on 127.0.0.1:$prod_port"
prepare_db "$out/d1-prod-like"
start_server "$prod_port" "$out/d1-prod-like" "$out/wrangler-prod-like.log" --no-dev-auth
prod_pid=$SERVER_PID
SERVER_PID=$server_pid

export LOCKBOX_URL="http://127.0.0.1:$port"
export LOCKBOX_TEST_OUTPUT="$PWD/$out"
export LOCKBOX_PROD_LIKE_URL="http://127.0.0.1:$prod_port"

step "integration tests against $LOCKBOX_URL"
cargo test --locked -p lockbox-tests -- --show-output

step "browser tests (headless Chromium)"
# One file at a time: some flip the tenant's switch that others rely on.
node --test --test-concurrency=1 --test-reporter=spec tests/e2e/

stop_server
stop_prod_like
step "all tests passed; screenshots are in $out/screenshots"
