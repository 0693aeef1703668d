#!/usr/bin/env bash
# Builds the Lockbox Worker (worker-build), the SPA (build_wasm_app) and the sample
# provider service's Worker in release mode; `build.sh sample` builds only
# the sample service (its wrangler.toml's build command). Each part is
# skipped when none of its inputs changed since its last build: wrangler
# runs these commands on every `wrangler dev` start, one per Worker, so
# one build waits for another (a lock) instead of racing it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mkdir -p .wrangler
exec 9>.wrangler/build.lock
flock 9
only=${1:-}

# newer_than STAMP PATH...: true when any file under PATH is newer than STAMP.
newer_than() {
  local stamp=$1; shift
  [ -e "$stamp" ] || return 0
  [ -n "$(find "$@" -newer "$stamp" -type f -print -quit 2>/dev/null)" ]
}

common=(Cargo.toml Cargo.lock shared provider)

# optimise_for_size WASM: worker-build optimises for speed (-O); every
# isolate that starts loads this file, so optimise it again for size,
# without names or producers.
optimise_for_size() {
  wasm-opt -Oz "${WASM_OPT_FEATURES[@]}" --strip-debug --strip-producers "$1" -o "$1" \
    || die "wasm-opt could not optimise $1; see the output above."
}

if newer_than sample-provider/build/index.js Cargo.toml Cargo.lock provider sample-provider/src sample-provider/Cargo.toml; then
  step "building the sample provider service's Worker (worker-build --release)"
  (cd sample-provider && worker-build --release) || die "the sample provider service did not build; see the output above."
  step "optimising the sample provider service for size (wasm-opt -Oz)"
  optimise_for_size sample-provider/build/index_bg.wasm
  touch sample-provider/build/index.js
fi
[ "$only" = sample ] && exit 0

if newer_than backend/build/index.js "${common[@]}" backend/src backend/Cargo.toml backend/build.rs migrations wrangler.toml; then
  step "building the Worker (worker-build --release)"
  (cd backend && worker-build --release) || die "the Worker did not build; see the output above."
  step "optimising the Worker for size (wasm-opt -Oz)"
  optimise_for_size backend/build/index_bg.wasm
  touch backend/build/index.js
fi

if newer_than frontend/parts/.built "${common[@]}" frontend/src frontend/Cargo.toml frontend/bundles.json; then
  # One build per part of the app and language (frontend/bundles.json), so
  # that each audience downloads only its own pages, in its own language;
  # then one index.html that loads the part of its address in the reader's
  # language.
  rm -rf frontend/parts
  for part in $(node -p 'require("./frontend/bundles.json").parts.join(" ")'); do
    for lang in $(node -p 'require("./frontend/bundles.json").languages.join(" ")'); do
      step "building the SPA's $part part in $lang"
      # erase_components: Leptos type-erases components, which makes the wasm
      # about 7 % smaller (gzip) and the build faster.
      LOCKBOX_LANG="$lang" RUSTFLAGS="--cfg erase_components" build_wasm_app lockbox-frontend lockbox-frontend \
        "frontend/parts/$part-$lang" --no-default-features --features "$part" ||
        die "the SPA's $part part in $lang did not build; see the output above."
    done
  done
  touch frontend/parts/.built
fi

# The parts put together with the page, its style sheet, the service
# worker, the web manifest and the API's description (a change to those
# alone builds no part again).
if newer_than frontend/dist/index.html frontend/parts frontend/app frontend/index.html frontend/style.css backend/openapi.json scripts/write-headers.mjs scripts/assemble-spa.mjs; then
  node scripts/assemble-spa.mjs frontend/parts frontend/dist || die "could not put the SPA's parts together."
  node scripts/write-headers.mjs frontend/dist || die "could not write the security headers of the SPA."
  touch frontend/dist/index.html
fi
