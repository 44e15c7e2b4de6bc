#!/usr/bin/env bash
# The theme-day check-in spike, end to end on one machine with PostgreSQL and Redis:
# builds the server and the load generator (release), creates a fresh database, starts the
# server on it, checks N members in through the real endpoint over C connections (bench
# `spike`), verifies exactly N check-ins and no duplicates, runs the same INSERT with
# pgbench at the same concurrency, and prints the figures and the ratio. See bench/README.md.
#
#   bench/spike.sh                      # N=20000 members, C=32 connections
#   N=5000 C=16 PROBES=1 bench/spike.sh
#
# Settings (environment):
#   N, C                     members to check in (20000), concurrent connections (32)
#   PG_URL                   PostgreSQL server, no database (postgres://postgres@127.0.0.1:5432)
#   REDIS_URL                Redis (redis://127.0.0.1:6379)
#   PORT                     the server's port (18080)
#   APP_DB_MAX_CONNECTIONS   the server's pool (= C, at least 2), APP_WORKERS (0 = one per core),
#   APP_LOG_LEVEL            (info, the shipped default: one access-log line per request,
#                            written as JSON to a file), and any other APP_* setting
#   PGBENCH_JOBS             pgbench threads (2)
#   PROBES=1                 also time /healthz, /api/v1/me and repeated check-ins
#   PERF=file                record a system-wide `perf` profile of the check-in window
#   PG_LOG_STATEMENTS=1      log every statement of the run's database in PostgreSQL's
#                            server log (for a small N: N=3 C=1 shows each check-in's SQL)
#   SKIP_BUILD=1             use the binaries already built
#   KEEP=1                   keep the database and the work directory
# Cargo's CARGO_TARGET_DIR is honoured.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-20000}
C=${C:-32}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_URL=${PG_URL%/}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
PORT=${PORT:-18080}
PGBENCH_JOBS=${PGBENCH_JOBS:-2}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release

for tool in psql pgbench curl; do
  command -v "$tool" >/dev/null || { echo "spike.sh: $tool is required" >&2; exit 2; }
done
if (( N < C || C < 1 )); then
  echo "spike.sh: need N >= C >= 1" >&2
  exit 2
fi

if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "== building api and bench (release)"
  (cd "$ROOT" && cargo build --release --quiet -p api -p bench)
fi

# What is measured: the commit, and whether the working tree differs from it.
REVISION=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(cd "$ROOT" && git status --porcelain --untracked-files=no -- api domain infra 2>/dev/null) ]]; then
  REVISION="$REVISION + uncommitted changes in api/domain/infra"
fi

RUN=spike_$(date +%s)_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$RUN.XXXX")
DB=bench_$RUN
API_PID=
export APP_CACHE_PREFIX=${APP_CACHE_PREFIX:-zjsdkt-$RUN:}

cleanup() {
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
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== database $DB"
psql "$PG_URL/postgres" -qAtc "CREATE DATABASE \"$DB\"" >/dev/null
if [[ -n ${PG_LOG_STATEMENTS:-} ]]; then
  psql "$PG_URL/postgres" -qAtc "ALTER DATABASE \"$DB\" SET log_min_duration_statement = 0" >/dev/null
fi

# The server's settings; `spike` reads the very same ones (keys, issuer, audience, TTL).
export DATABASE_URL=$PG_URL/$DB
export APP_HOST=127.0.0.1
export APP_PORT=$PORT
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
    echo "spike.sh: the server stopped:" >&2
    tail -20 "$WORK/api.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null

echo "== endpoint: $N check-ins over $C connections"
spike_status=0
"$BIN/spike" --addr "127.0.0.1:$PORT" -n "$N" -c "$C" --results "$WORK/results" \
  ${PROBES:+--probes} ${PERF:+--perf "$PERF"} || spike_status=$?
if [[ ! -f $WORK/results ]]; then
  echo "spike.sh: spike failed ($spike_status)" >&2
  tail -20 "$WORK/api.log" >&2
  exit 1
fi
get() { sed -n "s/^$1=//p" "$WORK/results" | head -1; }
ACTIVITY=$(get activity)
server_errors=$(grep -c '"level":"ERROR"' "$WORK/api.log" || true)

# pgbench: the statement the repository sends for a check-in (sea-orm's INSERT … ON
# CONFLICT ("activity_id", "member_id") DO NOTHING RETURNING …, same table, same unique
# index), prepared like sqlx's statements and over TLS like the server's pool (libpq's and
# sqlx's default sslmode=prefer), for another activity with a fresh member per transaction,
# at the same concurrency and for the same number of check-ins.
PG_ACTIVITY=$(psql "$DATABASE_URL" -qAtc "SELECT gen_random_uuid()")
BRANCH_PATH=$(psql "$DATABASE_URL" -qAtc "SELECT branch_path FROM activity WHERE id = '$ACTIVITY'")
cat >"$WORK/checkin.sql" <<SQL
INSERT INTO "check_in" ("id", "activity_id", "member_id", "branch_path", "method", "status", "client_time", "lat", "lng", "created_at", "reviewed_by", "reviewed_at", "review_reason")
VALUES (gen_random_uuid(), '$PG_ACTIVITY', gen_random_uuid(), '$BRANCH_PATH', 'location', 'pending', now(), 30.0871, 120.8402, now(), NULL, NULL, NULL)
ON CONFLICT ("activity_id", "member_id") DO NOTHING
RETURNING "id", "activity_id", "member_id", "branch_path", "method", "status", "client_time", "lat", "lng", "created_at", "reviewed_by", "reviewed_at", "review_reason";
SQL
PER_CLIENT=$((N / C))
echo "== pgbench: $((PER_CLIENT * C)) INSERTs, -c $C -j $PGBENCH_JOBS -M prepared"
"$BIN/spike" cpu --units $((PER_CLIENT * C)) -- \
  pgbench -n -M prepared -c "$C" -j "$PGBENCH_JOBS" -t "$PER_CLIENT" -f "$WORK/checkin.sql" "$DATABASE_URL" \
  >"$WORK/pgbench.out" 2>&1 || { cat "$WORK/pgbench.out" >&2; exit 1; }
PGBENCH_TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$WORK/pgbench.out")
PGBENCH_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$WORK/pgbench.out")
PGBENCH_ROWS=$(psql "$DATABASE_URL" -qAtc "SELECT count(*) FROM check_in WHERE activity_id = '$PG_ACTIVITY'")
PGBENCH_CPU=$(sed -n 's/^cpu_share //p' "$WORK/pgbench.out")
PGBENCH_CPU_UNIT=$(sed -n 's/^cpu_per_unit //p' "$WORK/pgbench.out")

RATE=$(get checkins_per_s)
P50=$(get checkins_p50_ms)
P99=$(get checkins_p99_ms)
RATIO=$(awk -v a="$RATE" -v b="$PGBENCH_TPS" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
verdict() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= g : v <= g; print ok ? "met" : "NOT met" }'; }

cat <<EOF

================ theme-day check-in spike ================
revision           $REVISION
machine            $(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM
                   PostgreSQL $(psql "$DATABASE_URL" -qAtc 'SHOW server_version'), Redis $(redis-cli -u "$REDIS_URL" info server 2>/dev/null | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p')
members, conns     N=$N C=$C (server pool $APP_DB_MAX_CONNECTIONS, workers ${APP_WORKERS:-0}, log $APP_LOG_LEVEL)
endpoint           $(printf '%.0f' "$RATE") check-ins/s   p50 $P50 ms   p90 $(get checkins_p90_ms) ms   p99 $P99 ms   max $(get checkins_max_ms) ms
                   statuses $(get checkins_statuses); server errors logged: $server_errors
verified           rows $(get rows), distinct members $(get distinct_members), duplicates $(get duplicates): $(get verified)
cpu (endpoint)     $(get checkins_cpu_share)
cpu per check-in   $(get checkins_cpu_per_checkin)
pgbench            $(printf '%.0f' "$PGBENCH_TPS") tps   latency avg $PGBENCH_LAT ms   rows $PGBENCH_ROWS
cpu (pgbench)      $PGBENCH_CPU
cpu per INSERT     $PGBENCH_CPU_UNIT
ratio              endpoint/pgbench = $RATIO   (goal >= 0.5: $(verdict "$RATIO" 0.5 ">="))
p99                $P99 ms   (goal <= 50 ms: $(verdict "$P99" 50 "<="))
EOF
if [[ -n ${PERF:-} ]]; then
  echo "perf profile       $PERF (perf report -i $PERF --sort comm,dso)"
fi
if [[ -n ${PROBES:-} ]]; then
  echo "probes             /healthz $(printf '%.0f' "$(get probe_healthz_per_s)")/s p99 $(get probe_healthz_p99_ms) ms;" \
    "/api/v1/me $(printf '%.0f' "$(get probe_me_per_s)")/s p99 $(get probe_me_p99_ms) ms;" \
    "repeat check-in (200) $(printf '%.0f' "$(get probe_repeat_checkin_per_s)")/s p99 $(get probe_repeat_checkin_p99_ms) ms"
fi
echo "=========================================================="
exit "$spike_status"
