# Multi-stage build of the API server. The runtime image holds only the binary.
FROM rust:1.95.0-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p api

FROM debian:12.8-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app app \
    && mkdir -p /app/data && chown app /app/data
WORKDIR /app
COPY --from=build /src/target/release/api /usr/local/bin/api
USER app
ENV APP_HOST=0.0.0.0 \
    APP_PORT=8080 \
    APP_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# SIGTERM lets in-flight requests finish (APP_SHUTDOWN_TIMEOUT_SECS) before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/api"]
CMD ["serve"]
