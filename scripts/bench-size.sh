#!/usr/bin/env bash
# Size benchmark: what the Worker and the approvers' part of the app weigh
# as shipped (gzip -9, and brotli -11 for comparison), and where their bytes
# go by area of the code (scripts/wasm-areas.mjs, on the same builds
# optimised the same way but keeping function names). Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/ensure-tools.sh
scripts/build.sh
out=test-output/bench-size
rm -rf "$out"
mkdir -p "$out/worker" "$out/approve"

# compressed FILE: its size gzip -9 and brotli -11, in KB.
compressed() {
  node -e '
    const zlib = require("zlib");
    const bytes = require("fs").readFileSync(process.argv[1]);
    const br = zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
    const kb = (n) => (n / 1024).toFixed(1) + " KB";
    console.log(`${kb(bytes.length)} raw, ${kb(zlib.gzipSync(bytes, { level: 9 }).length)} gzip -9, ${kb(br.length)} brotli -11`);
  ' "$1"
}

step "the Worker as shipped (backend/build/index_bg.wasm)"
compressed backend/build/index_bg.wasm
# scripts/build.sh's worker-build left the Worker's wasm, with names, here.
wasm-bindgen --target bundler --no-typescript --out-dir "$out/worker" \
  target/wasm32-unknown-unknown/release/lockbox_backend.wasm
wasm-opt -Oz -g "${WASM_OPT_FEATURES[@]}" "$out"/worker/lockbox_backend_bg.wasm -o "$out/worker/named.wasm"
node scripts/wasm-areas.mjs "$out/worker/named.wasm" 25

step "the approvers' part in English as shipped"
compressed "$(ls frontend/parts/approve-en/*.wasm)"
# The same cargo build as scripts/build.sh's (build_wasm_app), kept with names.
LOCKBOX_LANG=en RUSTFLAGS="--cfg erase_components" cargo build --release --locked \
  --target wasm32-unknown-unknown -p lockbox-frontend --no-default-features --features approve --bin lockbox-frontend
wasm-bindgen --target web --no-typescript --out-dir "$out/approve" \
  target/wasm32-unknown-unknown/release/lockbox-frontend.wasm
wasm-opt -Oz -g "${WASM_OPT_FEATURES[@]}" "$out"/approve/lockbox-frontend_bg.wasm -o "$out/approve/named.wasm"
node scripts/wasm-areas.mjs "$out/approve/named.wasm" 25
