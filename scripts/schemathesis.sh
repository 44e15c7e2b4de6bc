#!/usr/bin/env bash
# Fuzzes the running server against its own served document with Schemathesis: every
# check, every phase. Usage: scripts/schemathesis.sh path/to/api-binary
#
# The server runs on its embedded default (SQLite in a temp dir, the demo township seeded).
# The run acts as the demo township admin (13800000001). Operations that end the caller's
# own session by design (logout, unbinding one's WeChat) use a spare member's token
# (openapi/fuzz/schemathesis.toml), and hooks.py keeps the fuzzer from deactivating,
# unbinding or revoking the admin it acts as (it learns that id from GET /me); without
# both, the first such call ends the session and every later request is a 401.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
port="${ST_PORT:-18123}"
work=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cd "$work"
APP_PORT="$port" APP_METRICS_PORT=0 APP_LOG_LEVEL=warn "$bin" serve >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

ST_TOKEN=$("$bin" token --member 13800000001 2>/dev/null)
ST_SPARE_TOKEN=$("$bin" token --member 13800000020 2>/dev/null)
export ST_TOKEN ST_SPARE_TOKEN
export SCHEMATHESIS_HOOKS="$here/openapi/fuzz/hooks.py"

status=0
st --config-file "$here/openapi/fuzz/schemathesis.toml" run \
  "http://127.0.0.1:$port/api-docs/openapi.json" \
  --checks all --phases examples,coverage,fuzzing,stateful \
  --seed "${ST_SEED:-20261201}" --max-time "${ST_MAX_TIME:-180}" \
  --workers 2 \
  ${ST_EXTRA:-} || status=$?
# The admin's session must have survived the run (see above): a 401 here means some
# operation ended it, and the run's results are worth less than they look.
me=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ST_TOKEN" \
  "http://127.0.0.1:$port/api/v1/me")
if [ "$me" != 200 ]; then
  echo "the run's own session did not survive: GET /api/v1/me answered $me"
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 20 lines)"; tail -n 20 "$work/server.log"
fi
exit "$status"
