#!/usr/bin/env bash
# The SDK's size on wasm32: builds bench/sdk-probe (one exported function
# that verifies a grant token with lockbox-provider) in release mode,
# optimises it for size as the Workers are (wasm-opt -Oz), and prints its
# bytes raw and gzipped. Prints numbers; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

step "building the SDK probe for wasm32 (release)"
cargo build --locked --release -p sdk-probe --target wasm32-unknown-unknown >/dev/null 2>&1 \
  || cargo build --locked --release -p sdk-probe --target wasm32-unknown-unknown
out=target/sdk-probe
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/sdk_probe.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers "$out/sdk_probe_bg.wasm" -o "$out/sdk_probe_bg.wasm"
raw=$(wc -c <"$out/sdk_probe_bg.wasm")
gz=$(gzip -9 -c "$out/sdk_probe_bg.wasm" | wc -c)
printf 'lockbox-provider on wasm32 (verify a grant token, bench/sdk-probe): %d bytes, %d bytes gzipped\n' "$raw" "$gz"
