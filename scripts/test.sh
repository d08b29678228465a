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
before=$(mktemp)
cp static/css/app.css "$before"
npm run --silent build:css
if ! cmp -s "$before" static/css/app.css; then
  rm -f "$before"

say "Bundled front-end libraries match package-lock.json"
vendor_before=$(mktemp -d)
cp -r static/vendor/. "$vendor_before"/
npm run --silent build:vendor
if ! diff -r -q "$vendor_before" static/vendor >/dev/null; then
  rm -rf "$vendor_before"
  echo "static/vendor was out of date with package-lock.json: it has been rebuilt; commit it and run again." >&2
  exit 1
fi
rm -rf "$vendor_before"
  echo "static/css/app.css was out of date with templates/ and assets/: it has been rebuilt; commit it and run again." >&2
  exit 1
fi
rm -f "$before"

say "Bundled front-end libraries match package-lock.json"
vendor_before=$(mktemp -d)
cp -r static/vendor/. "$vendor_before"/
npm run --silent build:vendor
if ! diff -r -q "$vendor_before" static/vendor >/dev/null; then
  rm -rf "$vendor_before"
  echo "static/vendor was out of date with package-lock.json: it has been rebuilt; commit it and run again." >&2
  exit 1
fi
rm -rf "$vendor_before"

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

say "cargo test"
cargo test --locked

say "All checks passed in $(( $(date +%s) - started )) s"
