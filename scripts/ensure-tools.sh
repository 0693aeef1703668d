#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already there.
# Everything comes from the package registries (crates.io, npm, Debian): see
# ../shared/TOOLCHAIN.md for why each tool is pinned where it is.
#
# Usage: scripts/ensure-tools.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed. $2"; }

need cargo "Install Rust with rustup (https://rustup.rs) and run again."
need rustup "Install Rust with rustup (https://rustup.rs) and run again."
need node "Install Node.js 20 or newer and run again."
need npm "Install Node.js 20 (it ships npm) and run again."

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: Lockbox needs Node 20 or newer."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown || die "rustup could not add the wasm32 target."
fi

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"

# cargo_tool NAME VERSION CRATE [extra cargo install args]
# The tools' own speed hardly matters (each run is a second or two of a
# build), their compile time on a fresh machine does: they are built with
# light optimisation and no link-time optimisation (a tool's own release
# profile may ask for fat LTO in one codegen unit, minutes on two cores), and
# with only the features the build uses.
cargo_tool() {
  local bin=$1 version=$2 crate=$3; shift 3
  if [ -x "$cargo_bin/$bin" ] && "$cargo_bin/$bin" --version 2>/dev/null | grep -q "$version"; then
    return 0
  fi
  step "installing $crate $version (cargo install, a few minutes the first time)"
  local started=$SECONDS
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install "$crate@$version" "$@" || die "cargo install $crate@$version failed; see the output above."
  echo "   $crate built in $((SECONDS - started)) s"
}

cargo_tool worker-build "$WORKER_BUILD_VERSION" worker-build --locked
# The packaged lockfile of wasm-bindgen-cli pins a crate the index no longer
# has: no --locked. Only the one program the builds run.
cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli --bin wasm-bindgen
# The app's parts need nothing more: scripts/lib.sh's build_wasm_app runs
# cargo, wasm-bindgen and wasm-opt itself (trunk, which did the same, took
# four minutes to compile on a fresh machine).

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund || die "npm ci failed; see the output above."
fi

if [ "${1:-}" = "--browser" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    step "installing Debian's chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then sudo_cmd=""; else sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q chromium chromium-driver \
      || die "could not install chromium and chromium-driver with apt-get."
  fi
fi
