#!/usr/bin/env bash
# Fuzzes a running `casework serve` against its own OpenAPI document with schemathesis (PyPI): a server on a fresh
# SQLite store, one case opened, a service token that acts as the operator, and every documented operation tried
# with generated requests for about a minute. Fails on any 5xx answer, on a server that is no longer running at the
# end (a crash), or on a server that cannot start. Run from anywhere; CASEWORK names the program (default: the
# debug build). schemathesis is installed into .build/schemathesis-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${CASEWORK:-.build/debug/casework}
[ -x "$binary" ] || { echo "schemathesis.sh: no $binary; build first (swift build)" >&2; exit 1; }

venv=.build/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis>=4.32,<5"
fi

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
digest=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
cat > "$work/auth.yaml" <<AUTH
services:
  - name: fuzz
    token_sha256: $digest
    acts_as: operator
AUTH

"$binary" serve --db "$work/cases.sqlite" --create --listen 127.0.0.1:0 --auth "$work/auth.yaml" >"$work/out" 2>"$work/err" &
pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(sed -n 's/^casework serve: listening on //p' "$work/out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "schemathesis.sh: the server did not start:" >&2; cat "$work/err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "schemathesis.sh: the server did not say where it listens" >&2; exit 1; }

# A case for the case routes to find; the generated ids mostly find none, which is as much to be tried.
curl --silent --show-error --fail --output /dev/null -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  --data '{"workflow": "ehcp-needs-assessment", "id": "c1", "fields": {"requested_on": "2025-09-01", "requested_by": "parent", "child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}}, "participants": {"parent": "jo"}}' \
  "$url/v1/cases"

status=0
# One worker: with two, schemathesis's threads parse lambdas' source concurrently, and CPython 3.11's AST
# constructor is not safe for that ("SystemError: AST constructor recursion depth mismatch", CPython issue 106905),
# which failed a fresh-clone CI run at random.
PYTHONPATH=Tests/api SCHEMATHESIS_HOOKS=schemathesis_hooks timeout 600 "$venv/bin/schemathesis" run "$url/v1/openapi.json" --url "$url" -H "Authorization: Bearer $token" \
  --checks not_a_server_error --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --workers 1 --seed "${SCHEMATHESIS_SEED:-1}" \
  --request-timeout 60 --continue-on-failure || status=$?

if ! kill -0 "$pid" 2>/dev/null; then
  echo "schemathesis.sh: the server is no longer running (a crash):" >&2
  cat "$work/err" >&2
  exit 1
fi
exit "$status"
