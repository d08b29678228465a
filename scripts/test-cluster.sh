#!/usr/bin/env bash
# `make test-cluster`: a fresh cluster (under target/test-cluster, ports from 8190), the
# tests that need it (`cluster::`, ignored by a plain `cargo test`), then the cluster is
# stopped whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
export CLUSTER_DIR=${CLUSTER_DIR:-target/test-cluster}
export CLUSTER_PORT=${CLUSTER_PORT:-8190}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

scripts/cluster.sh down >/dev/null 2>&1 || true
rm -rf "$CLUSTER_DIR"
trap 'scripts/cluster.sh down' EXIT
scripts/cluster.sh up
say "cargo test: the cluster's tests"
cargo test --locked --test api cluster:: -- --ignored --test-threads=1 --nocapture
