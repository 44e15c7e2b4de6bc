#!/usr/bin/env bash
# Generates the TypeScript clients third-party front-ends generate from openapi/openapi.json
# (openapi-generator's typescript-fetch, and openapi-typescript for openapi-fetch), then
# type-checks code that uses them (openapi/clients/*-usage.ts). Installs what it needs from
# the Debian, PyPI and npm registries; versions are pinned so runs repeat.
set -euo pipefail
cd "$(dirname "$0")/.."
GENERATOR_VERSION=7.26.0
dir=openapi/clients

if ! command -v java >/dev/null; then
  echo "installing a Java runtime (openapi-generator runs on it)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
fi
if ! command -v npm >/dev/null; then
  echo "installing Node.js and npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# The PyPI package carries the generator's jar, so nothing is fetched from Maven.
if [ "$(python3 -m pip show openapi-generator-cli 2>/dev/null | sed -n 's/^Version: //p')" != "$GENERATOR_VERSION" ]; then
  echo "installing openapi-generator-cli $GENERATOR_VERSION"
  python3 -m pip install -q "openapi-generator-cli==$GENERATOR_VERSION" \
    || python3 -m pip install -q --break-system-packages "openapi-generator-cli==$GENERATOR_VERSION"
fi
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

rm -rf "$dir/generated"
mkdir -p "$dir/generated"
openapi-generator-cli generate -i openapi/openapi.json -g typescript-fetch \
  -o "$dir/generated/fetch" --additional-properties=supportsES6=true \
  >"$dir/generated/openapi-generator.log" 2>&1 \
  || { tail -n 40 "$dir/generated/openapi-generator.log"; exit 1; }
echo "openapi-generator typescript-fetch: $(ls "$dir/generated/fetch/models" | wc -l) models"
(cd "$dir" && npx --no-install openapi-typescript ../openapi.json -o generated/schema.d.ts --silent)
echo "openapi-typescript: generated/schema.d.ts"
(cd "$dir" && npx --no-install tsc -p tsconfig.json)
echo "both generated clients and the code using them type-check"
