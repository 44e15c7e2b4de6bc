# Sourced by bench/spike.sh and bench/feed.sh: what both benchmarks do around their
# measurements — the settings, the release build, a fresh database and Redis key prefix,
# the release `api serve` started on them, and the clean-up at exit. See bench/README.md.
#
#   bench_setup NAME     settings, run name, work directory and the clean-up trap
#   bench_build          cargo build --release -p api -p bench (unless SKIP_BUILD=1)
#   bench_create_db      CREATE DATABASE bench_NAME_<time>_<pid>
#   bench_start_server   exports the server's settings, starts it, waits for /readyz
#   bench_machine        two lines: cores, CPU and RAM; PostgreSQL and Redis versions
#
# Settings (environment), shared by both scripts:
#   C                        concurrent connections; the server's pool defaults to it
#   PG_URL                   PostgreSQL server, no database (postgres://postgres@127.0.0.1:5432)
#   REDIS_URL                Redis (redis://127.0.0.1:6379)
#   PORT                     the server's port (18080)
#   APP_DB_MAX_CONNECTIONS   the server's pool (= C, at least 2), APP_WORKERS (0 = one per core),
#   APP_LOG_LEVEL            (info, the shipped default: one access-log line per request,
#                            written as JSON to a file), and any other APP_* setting
#   PG_LOG_STATEMENTS=1      log every statement of the run's database in PostgreSQL's log
#   SKIP_BUILD=1             use the binaries already built
#   REVISION                 what to call the code measured (default: git's short HEAD,
#                            noting uncommitted changes in api/domain/infra)
#   KEEP=1                   keep the database and the work directory
# Cargo's CARGO_TARGET_DIR is honoured.

bench_setup() {
  NAME=$1
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
  PG_URL=${PG_URL%/}
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
  PORT=${PORT:-18080}
  TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
  BIN=$TARGET/release
  for tool in psql curl "${@:2}"; do
    command -v "$tool" >/dev/null || { echo "$NAME.sh: $tool is required" >&2; exit 2; }
  done

  # What is measured: the commit, and whether the working tree differs from it.
  if [[ -z ${REVISION:-} ]]; then
    REVISION=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(cd "$ROOT" && git status --porcelain --untracked-files=no -- api domain infra 2>/dev/null) ]]; then
      REVISION="$REVISION + uncommitted changes in api/domain/infra"
    fi
  fi

  RUN=${NAME}_$(date +%s)_$$
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$RUN.XXXX")
  DB=bench_$RUN
  API_PID=
  export APP_CACHE_PREFIX=${APP_CACHE_PREFIX:-zjsdkt-$RUN:}
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local code=$?
  trap '' INT TERM
  if [[ -n $API_PID ]] && kill -0 "$API_PID" 2>/dev/null; then
    kill -TERM "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  if [[ -z ${KEEP:-} ]]; then
    psql "$PG_URL/postgres" -qAtc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    if command -v redis-cli >/dev/null; then
      redis-cli -u "$REDIS_URL" --scan --pattern "$APP_CACHE_PREFIX*" 2>/dev/null \
        | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
  else
    echo "kept: database $DB, work directory $WORK"
  fi
  exit "$code"
}

bench_build() {
  if [[ -z ${SKIP_BUILD:-} ]]; then
    echo "== building api and bench (release)"
    (cd "$ROOT" && cargo build --release --quiet -p api -p bench)
  fi
}

bench_create_db() {
  echo "== database $DB"
  psql "$PG_URL/postgres" -qAtc "CREATE DATABASE \"$DB\"" >/dev/null
  if [[ -n ${PG_LOG_STATEMENTS:-} ]]; then
    psql "$PG_URL/postgres" -qAtc "ALTER DATABASE \"$DB\" SET log_min_duration_statement = 0" >/dev/null
  fi
}

bench_start_server() {
  # The server's settings; the load generators read the very same ones (keys, issuer,
  # audience, TTL, cache prefix).
  export DATABASE_URL=$PG_URL/$DB
  export APP_HOST=127.0.0.1
  export APP_PORT=$PORT APP_METRICS_PORT=0
  export APP_JWT_KEYS=${APP_JWT_KEYS:-bench:$(head -c 48 /dev/urandom | base64 -w0)}
  # The pool as large as the load's concurrency (the server needs at least 2).
  export APP_DB_MAX_CONNECTIONS=${APP_DB_MAX_CONNECTIONS:-$(( C > 2 ? C : 2 ))}
  export APP_LOG_LEVEL=${APP_LOG_LEVEL:-info}
  export APP_LOG_FORMAT=${APP_LOG_FORMAT:-json}

  echo "== server: $BIN/api on 127.0.0.1:$PORT (pool $APP_DB_MAX_CONNECTIONS, workers ${APP_WORKERS:-0}=per core, log $APP_LOG_LEVEL -> $WORK/api.log)"
  "$BIN/api" serve >"$WORK/api.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$API_PID" 2>/dev/null; then
      echo "$NAME.sh: the server stopped:" >&2
      tail -20 "$WORK/api.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
}

bench_machine() {
  echo "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
  echo "PostgreSQL $(psql "$DATABASE_URL" -qAtc 'SHOW server_version'), Redis $(redis-cli -u "$REDIS_URL" info server 2>/dev/null | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p')"
}
