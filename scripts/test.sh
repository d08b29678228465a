#!/usr/bin/env bash
# `make test`: installs what is missing, then checks everything CI checks.
# The tests start their own PostgreSQL cluster, S3-compatible server and chromedriver, and stop
# them when they finish (set TEST_DATABASE_URL to use an existing PostgreSQL instead).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
started=$(date +%s)

scripts/setup.sh test

say "Stylesheet is built from the current templates"
npm run --silent build:css
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- static/css/app.css; then
  echo "static/css/app.css was out of date with templates/ and assets/: it has been rebuilt, commit it." >&2
  exit 1
fi

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

say "cargo test"
cargo test --locked

say "All checks passed in $(( $(date +%s) - started )) s"
