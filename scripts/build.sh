#!/usr/bin/env bash
# Builds the Worker (worker-build) and the SPA (trunk) in release mode.
# Each part is skipped when none of its inputs changed since its last build:
# wrangler runs this command twice on every `wrangler dev` start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# newer_than STAMP PATH...: true when any file under PATH is newer than STAMP.
newer_than() {
  local stamp=$1; shift
  [ -e "$stamp" ] || return 0
  [ -n "$(find "$@" -newer "$stamp" -type f -print -quit 2>/dev/null)" ]
}

common=(Cargo.toml Cargo.lock shared)

if newer_than backend/build/index.js "${common[@]}" backend/src backend/Cargo.toml; then
  step "building the Worker (worker-build --release)"
  (cd backend && worker-build --release) || die "the Worker did not build; see the output above."
  touch backend/build/index.js
fi

if newer_than frontend/dist/index.html "${common[@]}" frontend/src frontend/Cargo.toml frontend/index.html frontend/style.css frontend/Trunk.toml scripts/write-headers.mjs; then
  step "building the SPA (trunk build --release)"
  rm -rf frontend/dist/.stage
  # erase_components: Leptos type-erases components, which makes the wasm
  # about 7 % smaller (gzip) and the build faster.
  (cd frontend && RUSTFLAGS="--cfg erase_components" trunk build --release --offline) || {
    rm -rf frontend/dist/.stage
    die "the SPA did not build; see the output above."
  }
  node scripts/write-headers.mjs frontend/dist || die "could not write the security headers of the SPA."
  touch frontend/dist/index.html
fi
