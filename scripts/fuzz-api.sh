#!/usr/bin/env bash
# Drives the API from its own OpenAPI document with schemathesis, as a
# client generator or fuzzer would: every operation, valid and invalid
# inputs, as a customer admin, an engineer and a manager, on a `wrangler dev`
# of its own (loopback only, bounded examples and time). Prints schemathesis'
# report; exits non-zero on any server error or disagreement with the
# document. Not part of `make test` (it takes minutes); run it after
# changing the API or backend/openapi.json.
#
# Usage: [FUZZ_SECONDS=300] scripts/fuzz-api.sh [MAX_EXAMPLES]   (default 25
# examples per operation, at most FUZZ_SECONDS per identity)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SCHEMATHESIS_VERSION=4.32.5
examples=${1:-25}
venv=.venv-fuzz

scripts/ensure-tools.sh
scripts/build.sh
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  step "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" \
    || die "could not install schemathesis from PyPI."
fi

out=test-output/fuzz
rm -rf "$out"
mkdir -p "$out"
prepare_db "$out/d1"
port=$(free_port)
trap stop_server EXIT
start_server "$port" "$out/d1" "$out/wrangler.log"
seed_demo_requests "$port"
base="http://127.0.0.1:$port"

status=0
for who in admin@contoso.example engineer1@provider.example manager@provider.example; do
  cookie=$(curl -fsS -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$who\"}" "$base/api/v1/dev/sign-in" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
  [ -n "$cookie" ] || die "could not sign in as $who."
  step "schemathesis as $who ($examples examples per operation)"
  "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --url "$base" -H "Cookie: $cookie" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,positive_data_acceptance,unsupported_method,allow_header_conformance \
    --max-examples "$examples" --workers 1 --request-timeout 20 --max-time "${FUZZ_SECONDS:-300}" \
    --seed 1 --generation-deterministic \
    --report ndjson --report-dir "$out/$who" || status=$?
done
exit $status
