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
  # worker-build optimises for speed (-O); every isolate that starts loads
  # this file, so optimise it again for size, without names or producers.
  step "optimising the Worker for size (wasm-opt -Oz)"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-debug --strip-producers backend/build/index_bg.wasm -o backend/build/index_bg.wasm \
    || die "wasm-opt could not optimise the Worker; see the output above."
  touch backend/build/index.js
fi

if newer_than frontend/dist/index.html "${common[@]}" frontend/src frontend/Cargo.toml frontend/index.html frontend/style.css frontend/Trunk.toml frontend/bundles.json backend/openapi.json scripts/write-headers.mjs scripts/assemble-spa.mjs; then
  # One build per part of the app (frontend/bundles.json), so that each
  # audience downloads only its own pages; then one index.html that loads
  # the part of its address.
  rm -rf frontend/parts
  for part in $(node -p 'require("./frontend/bundles.json").parts.join(" ")'); do
    step "building the SPA's $part part (trunk build --release)"
    # erase_components: Leptos type-erases components, which makes the wasm
    # about 7 % smaller (gzip) and the build faster.
    (cd frontend && RUSTFLAGS="--cfg erase_components" trunk build --release --offline \
      --no-default-features --features "$part" --dist "parts/$part") ||
      die "the SPA's $part part did not build; see the output above."
  done
  node scripts/assemble-spa.mjs frontend/parts frontend/dist || die "could not put the SPA's parts together."
  node scripts/write-headers.mjs frontend/dist || die "could not write the security headers of the SPA."
  touch frontend/dist/index.html
fi
