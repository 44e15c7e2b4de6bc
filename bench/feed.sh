#!/usr/bin/env bash
# The study-material feed against /healthz of the same server, end to end on one machine
# with PostgreSQL and Redis: builds the server and the load generator (release), creates a
# fresh database, starts the server on it, has a secretary publish the materials through
# the API, then measures over the same C keep-alive connections, one window after the
# other, GET /healthz, the cached feed (warmed members, every request a hit) and the
# uncached feed (members fetching it for the first time, every request a miss), and prints
# the rates, the latencies and the ratios to /healthz. See bench/README.md.
#
#   bench/feed.sh                       # C=32 connections, 10 s windows, 20 materials
#   C=8 SECONDS_PER_WINDOW=5 bench/feed.sh
#
# Settings (environment):
#   C                        concurrent connections (32)
#   SECONDS_PER_WINDOW       length of each measured window (10)
#   MATERIALS                materials published to the branch (20: one full feed page)
#   CACHED_MEMBERS           members whose warmed feeds are requested round and round (1000)
#   UNCACHED_MEMBERS         members fetching their feed once, at most (12000)
#   ACCOUNT                  requests of each kind in the SQL-counting pass (500; 0 skips it)
#   LOAD_THREADS             threads of the load generator (1)
#   PERF=file                record a system-wide `perf` profile of the cached window
#   PGBENCH=1                afterwards run a cached request's two SQL statements (the
#                            member and their roles, as the server sends them) with pgbench
#                            at the same concurrency: PostgreSQL's CPU without the pool's pings
#   PGBENCH_TX, PGBENCH_JOBS pgbench transactions in all (60000), threads (2)
# and those of bench/lib.sh: PG_URL, REDIS_URL, PORT, APP_* (the server's pool defaults to
# C), PG_LOG_STATEMENTS=1, SKIP_BUILD=1, REVISION, KEEP=1. Cargo's CARGO_TARGET_DIR is
# honoured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

C=${C:-32}
WINDOW=${SECONDS_PER_WINDOW:-10}
MATERIALS=${MATERIALS:-20}
CACHED_MEMBERS=${CACHED_MEMBERS:-1000}
UNCACHED_MEMBERS=${UNCACHED_MEMBERS:-12000}
ACCOUNT=${ACCOUNT:-500}
LOAD_THREADS=${LOAD_THREADS:-1}
if (( C < 1 || CACHED_MEMBERS < 1 || UNCACHED_MEMBERS < 1 )); then
  echo "feed.sh: need C, CACHED_MEMBERS and UNCACHED_MEMBERS >= 1" >&2
  exit 2
fi
bench_setup feed redis-cli ss ${PGBENCH:+pgbench}
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
bench_build
bench_create_db
bench_start_server

echo "== feed: /healthz, cached feed, uncached feed; ${WINDOW} s each over $C connections"
feed_status=0
"$BIN/feed" --addr "127.0.0.1:$PORT" -c "$C" --seconds "$WINDOW" --materials "$MATERIALS" \
  --cached-members "$CACHED_MEMBERS" --uncached-members "$UNCACHED_MEMBERS" \
  --account "$ACCOUNT" --threads "$LOAD_THREADS" --server-pid "$API_PID" \
  --results "$WORK/results" ${PERF:+--perf "$PERF"} || feed_status=$?
if [[ ! -f $WORK/results ]]; then
  echo "feed.sh: feed failed ($feed_status)" >&2
  tail -20 "$WORK/api.log" >&2
  exit 1
fi
get() { sed -n "s/^$1=//p" "$WORK/results" | head -1; }

# pgbench: the two statements of a cached request (authentication's member and roles, as
# sea-orm sends them), prepared like sqlx's and over TLS like the server's pool, for one
# seeded member, at the same concurrency: what PostgreSQL spends on them without the pings
# the server's pool sends around each statement.
if [[ -n ${PGBENCH:-} ]]; then
  PGBENCH_TX=${PGBENCH_TX:-60000}
  PGBENCH_JOBS=${PGBENCH_JOBS:-2}
  MEMBER=$(psql "$DATABASE_URL" -qAtc "SELECT id FROM member WHERE phone LIKE '19%' ORDER BY phone LIMIT 1")
  cat >"$WORK/auth.sql" <<'SQL'
\set lim 1
SELECT "member"."id", "member"."name", "member"."phone", "member"."category", "member"."branch_id", "member"."group_id", "member"."branch_path", "member"."leading_cadre", "member"."status", "member"."created_at", "member"."updated_at" FROM "member" WHERE "member"."id" = :member LIMIT :lim;
SELECT "role_grant"."id", "role_grant"."member_id", "role_grant"."kind", "role_grant"."org_id", "role_grant"."org_path", "role_grant"."can_review", "role_grant"."granted_at" FROM "role_grant" WHERE "role_grant"."member_id" = :member ORDER BY "role_grant"."id" ASC;
SQL
  PER_CLIENT=$((PGBENCH_TX / C))
  echo "== pgbench: $((PER_CLIENT * C)) transactions of the two statements, -c $C -j $PGBENCH_JOBS -M prepared"
  "$BIN/spike" cpu --units $((PER_CLIENT * C)) -- \
    pgbench -n -M prepared -c "$C" -j "$PGBENCH_JOBS" -t "$PER_CLIENT" -D member="$MEMBER" \
    -f "$WORK/auth.sql" "$DATABASE_URL" >"$WORK/pgbench.out" 2>&1 || { cat "$WORK/pgbench.out" >&2; exit 1; }
  PGBENCH_TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$WORK/pgbench.out")
  PGBENCH_CPU_UNIT=$(sed -n 's/^cpu_per_unit //p' "$WORK/pgbench.out")
fi
server_errors=$(grep -c '"level":"ERROR"' "$WORK/api.log" || true)
server_warnings=$(grep -c '"level":"WARN"' "$WORK/api.log" || true)
line() {
  printf '%-9s %8.0f/s   p50 %6s ms   p99 %6s ms   max %7s ms   %s\n' "$1" \
    "$(get "$2_per_s")" "$(get "$2_p50_ms")" "$(get "$2_p99_ms")" "$(get "$2_max_ms")" "$(get "$2_statuses")"
}
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g) ? "met" : "NOT met" }'; }

cat <<EOF

================ study-material feed vs /healthz ================
revision           $REVISION
machine            $(bench_machine | sed '2s/^/                   /')
load average       $LOAD_AT_START (1, 5, 15 min, at the start)
setup              C=$C, ${WINDOW} s windows, $MATERIALS materials ($(get page_items) per page, $(get page_bytes) bytes),
                   server pool $APP_DB_MAX_CONNECTIONS, workers ${APP_WORKERS:-0}, log $APP_LOG_LEVEL
$(line /healthz healthz)
$(line cached cached)
$(line uncached uncached)
cpu per request    /healthz: $(get healthz_cpu_per_request)
                   cached:   $(get cached_cpu_per_request)
                   uncached: $(get uncached_cpu_per_request)
round trips        cached:   Redis $(get cached_redis_commands) | SQL $(get cached_sql_per_request) | segments to PostgreSQL $(get cached_postgres_segments_per_request) (sent/received), to Redis $(get cached_redis_segments_per_request)
                   uncached: Redis $(get uncached_redis_commands) | SQL $(get uncached_sql_per_request) | segments to PostgreSQL $(get uncached_postgres_segments_per_request), to Redis $(get uncached_redis_segments_per_request)
server log         errors $server_errors, warnings $server_warnings
EOF
if [[ -n ${PGBENCH:-} ]]; then
  cat <<EOF
pgbench            $(printf '%.0f' "$PGBENCH_TPS") tps of a cached request's two statements (C=$C, -M prepared, TLS)
cpu per pgbench tx $PGBENCH_CPU_UNIT
EOF
fi
cat <<EOF
verified           $(get verified)
ratio              cached/healthz = $(get ratio_cached)   (goal >= 0.7: $(verdict "$(get ratio_cached)" 0.7))
                   uncached/healthz = $(get ratio_uncached)   (goal >= 0.25: $(verdict "$(get ratio_uncached)" 0.25))
==================================================================
EOF
if [[ -n ${PERF:-} ]]; then
  echo "perf profile       $PERF (perf report -i $PERF --sort comm,dso)"
fi
exit "$feed_status"
