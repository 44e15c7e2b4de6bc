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
#   PGBENCH_JOBS             pgbench threads (2)
#   PROBES=1                 also time /healthz, /api/v1/me and repeated check-ins
#   OPEN_SECS                the open loop's window in seconds (60; 0: none): new members
#                            check in at OPEN_SHARE (0.5) of the measured rate, timed from
#                            each request's due time
#   PERF=file                record a system-wide `perf` profile of the check-in window
#   PG_LOG_STATEMENTS=1      log every statement of the run's database in PostgreSQL's
#                            server log (for a small N: N=3 C=1 shows each check-in's SQL)
# and those of bench/lib.sh: PG_URL, REDIS_URL, PORT, APP_* (the server's pool defaults to
# C), SKIP_BUILD=1, REVISION, KEEP=1. Cargo's CARGO_TARGET_DIR is honoured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${N:-20000}
C=${C:-32}
PGBENCH_JOBS=${PGBENCH_JOBS:-2}
if (( N < C || C < 1 )); then
  echo "spike.sh: need N >= C >= 1" >&2
  exit 2
fi
bench_setup spike pgbench
bench_build
bench_create_db
bench_start_server

echo "== endpoint: $N check-ins over $C connections"
spike_status=0
"$BIN/spike" --addr "127.0.0.1:$PORT" -n "$N" -c "$C" --results "$WORK/results" \
  --open-loop-secs "${OPEN_SECS:-60}" --open-loop-share "${OPEN_SHARE:-0.5}" \
  ${PROBES:+--probes} ${PERF:+--perf "$PERF"} || spike_status=$?
if [[ ! -f $WORK/results ]]; then
  echo "spike.sh: spike failed ($spike_status)" >&2
  tail -20 "$WORK/api.log" >&2
  exit 1
fi
get() { sed -n "s/^$1=//p" "$WORK/results" | head -1; }
ACTIVITY=$(get activity)
# The server's resident memory: its peak over the whole run (spike, open loop, probes) and now.
rss_kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$API_PID/status" 2>/dev/null || true; }
RSS_PEAK_KIB=$(rss_kib VmHWM)
RSS_NOW_KIB=$(rss_kib VmRSS)
RSS_PEAK_MIB=$(awk -v k="${RSS_PEAK_KIB:-0}" 'BEGIN { printf "%.0f", k / 1024 }')
RSS_NOW_MIB=$(awk -v k="${RSS_NOW_KIB:-0}" 'BEGIN { printf "%.0f", k / 1024 }')
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
# The same table as the endpoint wrote into, and as it was when the endpoint's window began:
# empty (the spike's rows were verified above), after a checkpoint.
psql "$DATABASE_URL" -qAt -c "TRUNCATE check_in" -c "CHECKPOINT" >/dev/null
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
machine            $(bench_machine | sed '2s/^/                   /')
members, conns     N=$N C=$C (server pool $APP_DB_MAX_CONNECTIONS, workers ${APP_WORKERS:-0}, log $APP_LOG_LEVEL)
endpoint           $(printf '%.0f' "$RATE") check-ins/s   p50 $P50 ms   p90 $(get checkins_p90_ms) ms   p99 $P99 ms   max $(get checkins_max_ms) ms
                   statuses $(get checkins_statuses); server errors logged: $server_errors
verified           rows $(get rows), distinct members $(get distinct_members), duplicates $(get duplicates): $(get verified)
cpu (endpoint)     $(get checkins_cpu_share)
cpu per check-in   $(get checkins_cpu_per_checkin)
pgbench            $(printf '%.0f' "$PGBENCH_TPS") tps   latency avg $PGBENCH_LAT ms   rows $PGBENCH_ROWS
cpu (pgbench)      $PGBENCH_CPU
cpu per INSERT     $PGBENCH_CPU_UNIT
ratio              endpoint/pgbench = $RATIO   (goal >= 1.0: $(verdict "$RATIO" 1.0 ">="); at the very least >= 0.6: $(verdict "$RATIO" 0.6 ">="))
p99                $P99 ms   (goal <= 25 ms: $(verdict "$P99" 25 "<="))
rss (server)       peak $RSS_PEAK_MIB MiB, at the end $RSS_NOW_MIB MiB   (goal <= 150 MiB: $(verdict "$RSS_PEAK_MIB" 150 "<="))
EOF
if [[ -n $(get open_sent) ]]; then
  echo "open loop          $(get open_offered_per_s)/s offered for ${OPEN_SECS:-60} s: $(get open_sent) sent, p50 $(get open_p50_ms) ms, p99 $(get open_p99_ms) ms," \
    "p99/p50 $(get open_p99_over_p50) (goal <= 10: $(verdict "$(get open_p99_over_p50)" 10 "<=")), 5xx $(get open_5xx), rows added $(get open_rows_added): $(get open_verified)"
fi
if [[ -n ${PERF:-} ]]; then
  echo "perf profile       $PERF (perf report -i $PERF --sort comm,dso)"
fi
if [[ -n ${PROBES:-} ]]; then
  echo "probes             /healthz $(printf '%.0f' "$(get probe_healthz_per_s)")/s p99 $(get probe_healthz_p99_ms) ms;" \
    "/api/v1/me $(printf '%.0f' "$(get probe_me_per_s)")/s p99 $(get probe_me_p99_ms) ms;" \
    "repeat check-in (200) $(printf '%.0f' "$(get probe_repeat_checkin_per_s)")/s p99 $(get probe_repeat_checkin_p99_ms) ms"
  ME_RATIO=$(awk -v a="$(get probe_me_per_s)" -v b="$(get probe_healthz_per_s)" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
  echo "                   /api/v1/me / /healthz = $ME_RATIO   (goal >= 0.5: $(verdict "$ME_RATIO" 0.5 ">="))"
fi
echo "=========================================================="
exit "$spike_status"
