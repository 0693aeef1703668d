# Shared helpers for the scripts. Sourced, not run.
# Each step says how long `make dev` or `make test` has run so far (the
# scripts they call count from the same start), so a slow stage shows.
LOCKBOX_STARTED_AT=${LOCKBOX_STARTED_AT:-$(date +%s)}
export LOCKBOX_STARTED_AT
step() {
  local t=$(($(date +%s) - LOCKBOX_STARTED_AT))
  printf '==> [%dm%02ds] %s\n' $((t / 60)) $((t % 60)) "$*"
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Tools installed from npm come first on PATH so the builds and worker-build
# find binaryen 132 and esbuild from the lockfile, never Debian's binaryen.
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_BIN="${CARGO_HOME:-$HOME/.cargo}/bin/wasm-bindgen"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false

# The wasm features every browser and workerd we support has; wasm-opt must
# be told, or it refuses what the Rust compiler emits.
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# build_wasm_app PACKAGE BIN OUT_DIR [cargo build args...]: builds a
# browser app from a Rust binary: cargo (release, wasm32), wasm-bindgen's
# ES module glue, wasm-opt -Oz without names; the glue and the wasm named
# after a hash of both (<BIN>-<hash>.js, <BIN>-<hash>_bg.wasm), so that
# they can be cached for good, written to OUT_DIR (emptied first).
build_wasm_app() {
  local package=$1 bin=$2 out=$3; shift 3
  cargo build --release --locked --target wasm32-unknown-unknown -p "$package" --bin "$bin" "$@" || return 1
  rm -rf "$out"
  mkdir -p "$out"
  local tmp="$out/.bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name "$bin" \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/$bin.wasm" || return 1
  if [ -e "$tmp/snippets" ]; then
    echo "$bin has JavaScript snippets, which build_wasm_app does not ship yet" >&2
    return 1
  fi
  wasm-opt -Oz "${WASM_OPT_FEATURES[@]}" --strip-debug --strip-producers \
    "$tmp/${bin}_bg.wasm" -o "$tmp/${bin}_bg.wasm" || return 1
  local hash
  hash=$(cat "$tmp/$bin.js" "$tmp/${bin}_bg.wasm" | sha256sum | cut -c1-16)
  mv "$tmp/$bin.js" "$out/$bin-$hash.js"
  mv "$tmp/${bin}_bg.wasm" "$out/$bin-${hash}_bg.wasm"
  rm -rf "$tmp"
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# migrate_db PERSIST_DIR: applies the D1 migrations to the local database
# kept under PERSIST_DIR (an empty deployment: no tenant, no people).
migrate_db() {
  local dir=$1
  step "applying D1 migrations (local, $dir)"
  CI=true wrangler d1 migrations apply lockbox --local --persist-to "$dir" >"$dir.migrate.log" 2>&1 \
    || { cat "$dir.migrate.log" >&2; die "the D1 migrations did not apply; see the output above."; }
}

# prepare_db PERSIST_DIR: applies the D1 migrations and seeds the demo world
# (idempotent) in the local database kept under PERSIST_DIR.
prepare_db() {
  local dir=$1
  migrate_db "$dir"
  step "seeding the demo data"
  CI=true wrangler d1 execute lockbox --local --persist-to "$dir" --file seed/demo.sql >"$dir.seed.log" 2>&1 \
    || { cat "$dir.seed.log" >&2; die "the demo data did not load; see the output above."; }
  step "applying the sample provider service's migrations and content (local, $dir)"
  CI=true wrangler d1 migrations apply lockbox-sample-content --local -c sample-provider/wrangler.toml \
    --persist-to "$dir" >"$dir.sample.log" 2>&1 \
    && CI=true wrangler d1 execute lockbox-sample-content --local -c sample-provider/wrangler.toml \
      --persist-to "$dir" --file sample-provider/seed.sql >>"$dir.sample.log" 2>&1 \
    || { cat "$dir.sample.log" >&2; die "the sample service's content did not load; see the output above."; }
}

# ensure_dev_keys: the RSA key pair of the local sign-in, made on first use
# and kept in .wrangler/ (never committed). Exports LOCKBOX_DEV_PRIVATE_KEY
# (base64 PKCS#8 DER) and LOCKBOX_DEV_PUBLIC_KEY (base64 SubjectPublicKeyInfo
# DER), the forms WebCrypto imports, and for the tests, which mint their own
# tokens, LOCKBOX_DEV_PRIVATE_KEY_PKCS1 (the same key as PKCS#1 DER).
ensure_dev_keys() {
  local dir=.wrangler/dev-auth
  if [ ! -s "$dir/private.pkcs8.b64" ] || [ ! -s "$dir/public.spki.b64" ] || [ ! -s "$dir/private.pkcs1.b64" ]; then
    mkdir -p "$dir"
    node -e '
      const { generateKeyPairSync } = require("crypto");
      const fs = require("fs");
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const secret = (name, type) => fs.writeFileSync(process.argv[1] + "/" + name, privateKey.export({ type, format: "der" }).toString("base64"), { mode: 0o600 });
      secret("private.pkcs8.b64", "pkcs8");
      secret("private.pkcs1.b64", "pkcs1");
      fs.writeFileSync(process.argv[1] + "/public.spki.b64", publicKey.export({ type: "spki", format: "der" }).toString("base64"));
    ' "$dir" || die "could not generate the local sign-in key pair with node."
  fi
  # The public key as PKCS#1 DER too: the sample provider service checks
  # the local sign-in's tokens with it.
  if [ ! -s "$dir/public.pkcs1.b64" ]; then
    node -e '
      const crypto = require("crypto");
      const fs = require("fs");
      const spki = Buffer.from(fs.readFileSync(process.argv[1] + "/public.spki.b64", "utf8"), "base64");
      const key = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
      fs.writeFileSync(process.argv[1] + "/public.pkcs1.b64", key.export({ type: "pkcs1", format: "der" }).toString("base64"));
    ' "$dir" || die "could not write the local sign-in public key as PKCS#1 with node."
  fi
  # The seed of the Ed25519 key that signs local audit checkpoints.
  if [ ! -s "$dir/audit-signing.b64" ]; then
    node -e '
      const fs = require("fs");
      fs.writeFileSync(process.argv[1] + "/audit-signing.b64", require("crypto").randomBytes(32).toString("base64"), { mode: 0o600 });
    ' "$dir" || die "could not generate the local audit signing key with node."
  fi
  # The seeds of the grant-token key and of the demo provider service's key,
  # and the key that seals webhook secrets at rest.
  for name in grant-signing service-signing webhook-secrets; do
    if [ ! -s "$dir/$name.b64" ]; then
      node -e '
        const fs = require("fs");
        fs.writeFileSync(process.argv[1], require("crypto").randomBytes(32).toString("base64"), { mode: 0o600 });
      ' "$dir/$name.b64" || die "could not generate the local $name key with node."
    fi
  done
  LOCKBOX_GRANT_SIGNING_KEY=$(cat "$dir/grant-signing.b64")
  LOCKBOX_DEV_SERVICE_KEY=$(cat "$dir/service-signing.b64")
  LOCKBOX_DEV_PRIVATE_KEY=$(cat "$dir/private.pkcs8.b64")
  LOCKBOX_DEV_PRIVATE_KEY_PKCS1=$(cat "$dir/private.pkcs1.b64")
  LOCKBOX_DEV_PUBLIC_KEY=$(cat "$dir/public.spki.b64")
  LOCKBOX_DEV_PUBLIC_KEY_PKCS1=$(cat "$dir/public.pkcs1.b64")
  LOCKBOX_AUDIT_SIGNING_KEY=$(cat "$dir/audit-signing.b64")
  LOCKBOX_WEBHOOK_SECRETS_KEY=$(cat "$dir/webhook-secrets.b64")
  export LOCKBOX_DEV_PRIVATE_KEY LOCKBOX_DEV_PRIVATE_KEY_PKCS1 LOCKBOX_DEV_PUBLIC_KEY LOCKBOX_DEV_PUBLIC_KEY_PKCS1 LOCKBOX_AUDIT_SIGNING_KEY \
    LOCKBOX_GRANT_SIGNING_KEY LOCKBOX_DEV_SERVICE_KEY LOCKBOX_WEBHOOK_SECRETS_KEY
}

# write_dev_vars: writes .dev.vars (wrangler's file of local secrets, never
# committed) with the local sign-in switch and key pair, readable only by
# this user, so the keys are not on wrangler's command line for `ps` to show.
write_dev_vars() {
  ensure_dev_keys
  local tmp
  tmp=$(mktemp .wrangler/dev-auth/dev.vars.XXXXXX) || die "could not write .dev.vars in $PWD."
  chmod 600 "$tmp"
  printf 'LOCKBOX_DEV_AUTH=1\nLOCKBOX_DEV_PRIVATE_KEY=%s\nLOCKBOX_DEV_PUBLIC_KEY=%s\nAUDIT_SIGNING_KEY=%s\nGRANT_SIGNING_KEY=%s\nLOCKBOX_DEV_SERVICE_KEY=%s\nWEBHOOK_SECRETS_KEY=%s\n' \
    "$LOCKBOX_DEV_PRIVATE_KEY" "$LOCKBOX_DEV_PUBLIC_KEY" "$LOCKBOX_AUDIT_SIGNING_KEY" "$LOCKBOX_GRANT_SIGNING_KEY" "$LOCKBOX_DEV_SERVICE_KEY" "$LOCKBOX_WEBHOOK_SECRETS_KEY" >"$tmp"
  mv -f "$tmp" .dev.vars
  # The sample provider service's: the same local sign-in, and the key
  # Lockbox registers it with in development.
  tmp=$(mktemp .wrangler/dev-auth/dev.vars.XXXXXX) || die "could not write sample-provider/.dev.vars."
  chmod 600 "$tmp"
  printf 'LOCKBOX_DEV_AUTH=1\nLOCKBOX_DEV_PUBLIC_KEY_PKCS1=%s\nSERVICE_SIGNING_KEY=%s\n' \
    "$LOCKBOX_DEV_PUBLIC_KEY_PKCS1" "$LOCKBOX_DEV_SERVICE_KEY" >"$tmp"
  mv -f "$tmp" sample-provider/.dev.vars
}

# write_env_file FILE [NAME=VALUE ...]: the variables write_dev_vars puts in
# .dev.vars (for Lockbox and the sample service), each NAME=VALUE given
# added or put in place of the one of that name, written to FILE for a
# server started with --env-file=FILE: one whose keys were rotated.
write_env_file() {
  local file=$1 line name
  shift
  ensure_dev_keys
  declare -A given=()
  for line in "$@"; do given[${line%%=*}]=$line; done
  {
    for line in "LOCKBOX_DEV_AUTH=1" "LOCKBOX_DEV_PRIVATE_KEY=$LOCKBOX_DEV_PRIVATE_KEY" \
      "LOCKBOX_DEV_PUBLIC_KEY=$LOCKBOX_DEV_PUBLIC_KEY" "AUDIT_SIGNING_KEY=$LOCKBOX_AUDIT_SIGNING_KEY" \
      "GRANT_SIGNING_KEY=$LOCKBOX_GRANT_SIGNING_KEY" "LOCKBOX_DEV_SERVICE_KEY=$LOCKBOX_DEV_SERVICE_KEY" \
      "LOCKBOX_DEV_PUBLIC_KEY_PKCS1=$LOCKBOX_DEV_PUBLIC_KEY_PKCS1" "SERVICE_SIGNING_KEY=$LOCKBOX_DEV_SERVICE_KEY" \
      "WEBHOOK_SECRETS_KEY=$LOCKBOX_WEBHOOK_SECRETS_KEY"; do
      name=${line%%=*}
      if [ -n "${given[$name]+set}" ]; then
        printf '%s\n' "${given[$name]}"
        unset "given[$name]"
      else
        printf '%s\n' "$line"
      fi
    done
    for line in "${given[@]}"; do printf '%s\n' "$line"; done
  } >"$file"
  chmod 600 "$file"
}

# start_server PORT PERSIST_DIR LOG [--no-dev-auth | --env-file=FILE]: starts `wrangler dev` on
# 127.0.0.1:PORT in the background (Lockbox, and the sample provider service
# beside it), sets SERVER_PID, and waits until the API
# answers at all. The local sign-in is switched on through .dev.vars (never
# wrangler.toml) unless --no-dev-auth is given.
start_server() {
  local port=$1 dir=$2 log=$3 mode=${4:-} inspector
  local vars=()
  if [ "$mode" = "--no-dev-auth" ]; then
    # wrangler 4.86 reads .dev.vars only when no --env-file is given, so an
    # empty env file keeps this server free of the dev variables even while
    # another server of this folder uses them.
    : >"$dir.no-dev-vars.env"
    vars=(--env-file "$dir.no-dev-vars.env")
  elif [ "${mode%%=*}" = "--env-file" ]; then
    vars=(--env-file "${mode#*=}")
  else
    write_dev_vars
  fi
  inspector=$(free_port)
  # The keys stay out of wrangler's environment too: an env file or
  # CLOUDFLARE_INCLUDE_PROCESS_ENV would otherwise hand them to the Worker.
  env -u LOCKBOX_DEV_PRIVATE_KEY -u LOCKBOX_DEV_PRIVATE_KEY_PKCS1 -u LOCKBOX_DEV_PUBLIC_KEY -u LOCKBOX_DEV_PUBLIC_KEY_PKCS1 -u LOCKBOX_DEV_AUTH -u LOCKBOX_AUDIT_SIGNING_KEY -u LOCKBOX_GRANT_SIGNING_KEY -u LOCKBOX_DEV_SERVICE_KEY -u LOCKBOX_WEBHOOK_SECRETS_KEY \
    CLOUDFLARE_INCLUDE_PROCESS_ENV=false \
    wrangler dev -c wrangler.toml -c sample-provider/wrangler.toml \
    --ip 127.0.0.1 --port "$port" --inspector-port "$inspector" \
    --persist-to "$dir" --test-scheduled --show-interactive-dev-session=false \
    "${vars[@]}" >"$log" 2>&1 &
  SERVER_PID=$!
  local waited=0
  # Any HTTP answer means the server is up (health itself is a test).
  until [ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/health" 2>/dev/null)" != "000" ]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$log" >&2
      die "wrangler dev exited before it answered; its output is above."
    fi
    waited=$((waited + 1))
    if [ "$waited" -ge 240 ]; then
      kill "$SERVER_PID" 2>/dev/null || true
      cat "$log" >&2
      die "wrangler dev did not answer on port $port within 120 s."
    fi
    sleep 0.5
  done
}

# stop_server: stops the server started by start_server, by its PID.
stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

# seed_demo_requests PORT: makes the demo requests through the running
# server's own request service (POST /api/v1/dev/seed; idempotent).
seed_demo_requests() {
  local port=$1
  step "making the demo requests"
  curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' \
    "http://127.0.0.1:$port/api/v1/dev/seed" >/dev/null \
    || die "the demo requests could not be made; see the server log."
}
