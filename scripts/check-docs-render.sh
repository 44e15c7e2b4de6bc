#!/usr/bin/env bash
# Renders /docs/ in headless Chromium with every host but the local server unreachable,
# and checks Swagger UI drew our API from our own assets.
# Usage: scripts/check-docs-render.sh [path/to/api binary]
set -euo pipefail
bin="$(realpath "${1:-target/debug/api}")"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work" && exec env -u DATABASE_URL -u REDIS_URL APP_PORT="$port" APP_METRICS_PORT=0 "$bin" >"$work/server.log" 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
dom=$(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
  --user-data-dir="$work/profile" --virtual-time-budget=15000 \
  --dump-dom "http://127.0.0.1:$port/docs/" 2>/dev/null)
for expected in 'class="swagger-ui' '指尖上的课堂 API' '/healthz' '/readyz'; do
  if ! grep -q -- "$expected" <<<"$dom"; then
    echo "the rendered docs page lacks: $expected" >&2
    echo "$dom" | head -c 2000 >&2
    exit 1
  fi
done
echo "/docs/ rendered the API in headless Chromium with no outside network"
