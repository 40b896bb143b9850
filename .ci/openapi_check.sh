#!/usr/bin/env bash
# The OpenAPI document against the running server: starts `laurel serve` on a
# throwaway store and a free loopback port, mints a token with every role,
# and runs schemathesis (from PyPI) over every operation but the endless
# event stream: no 5xx, only documented statuses, content types and
# response shapes, and invalid input rejected.
set -euo pipefail
laurel=${1:-./.build/debug/laurel}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
head -c 48 /dev/urandom | base64 > "$tmp/secret"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$laurel" serve --rules rules/community-points.yaml --store "$tmp/store.sqlite" --jwt-secret-file "$tmp/secret" \
  --port "$port" --log-level warning 2> "$tmp/server.log" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
token=$("$laurel" token --jwt-secret-file "$tmp/secret" --sub schemathesis --global-admin --service)
set +e
schemathesis run schemas/openapi.json --url "http://127.0.0.1:$port" -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
  --exclude-path /api/events --phases examples,coverage,fuzzing --max-examples 30 --workers 2 --seed 4 \
  > "$tmp/schemathesis.log" 2>&1
status=$?
set -e
tail -n 4 "$tmp/schemathesis.log"
if [ "$status" -ne 0 ]; then
  cat "$tmp/schemathesis.log" "$tmp/server.log"
  exit "$status"
fi
