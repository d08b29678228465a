#!/usr/bin/env bash
# `make test`: installs what is missing, then checks everything CI checks.
# The tests start their own PostgreSQL cluster, S3-compatible server and chromedriver, and stop
# them when they finish (set TEST_DATABASE_URL to use an existing PostgreSQL instead); then
# scripts/test-cluster.sh starts the local cluster (nginx and all), runs its tests and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
started=$(date +%s)

scripts/setup.sh test

# Rebuilds a committed build output with `npm run <script>` and fails if it changed.
check_built() {
  local script=$1 path=$2 source=$3 before
  before=$(mktemp -d)
  cp -r "$path" "$before"/
  npm run --silent "$script"
  if ! diff -r -q "$before/$(basename "$path")" "$path" >/dev/null; then
    rm -rf "$before"
    echo "$path was out of date with $source: it has been rebuilt; commit it and run again." >&2
    exit 1
  fi
  rm -rf "$before"
}

say "Stylesheet is built from the current templates"
check_built build:css static/css/app.css "templates/ and assets/"

say "Bundled front-end libraries match package-lock.json"
check_built build:vendor static/vendor package-lock.json

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

say "cargo test"
cargo test --locked

# The cluster's tests (issue 19) on the debug build just made: nginx in front of three
# instances, a PostgreSQL primary with a streaming replica, the S3-compatible server.
say "The cluster: nginx, three instances, PostgreSQL primary and replica, S3"
cargo build --locked --quiet --bin corkboard --example s3_server
CORKBOARD_BINARY=target/debug/corkboard S3_SERVER_BINARY=target/debug/examples/s3_server \
  scripts/test-cluster.sh

say "All checks passed in $(( $(date +%s) - started )) s"
