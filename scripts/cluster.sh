#!/usr/bin/env bash
# A Corkboard cluster on this machine, from the system's packages and the release build:
# a PostgreSQL primary and a streaming replica (made with pg_basebackup), the S3-compatible
# server, three app instances, and nginx in front of them.
#
#   scripts/cluster.sh up       start everything (builds nothing: `make cluster` builds first)
#   scripts/cluster.sh down     stop everything it started, and nothing else
#   scripts/cluster.sh status   what runs, and each instance's /readyz
#   scripts/cluster.sh restart  a rolling restart of the three instances (SIGTERM, one at a time)
#   scripts/cluster.sh stop-db primary|replica, start-db primary|replica   (for the tests)
#
# Everything lives under var/cluster/ (CLUSTER_DIR); ports start at CLUSTER_PORT (8090):
#   nginx  +0   instances  +1 +2 +3   metrics  +11 +12 +13   S3  +20
#   PostgreSQL primary  +30   replica  +31
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${CLUSTER_DIR:-var/cluster}
base=${CLUSTER_PORT:-8090}
nginx_port=$base
instance_ports=($((base + 1)) $((base + 2)) $((base + 3)))
metrics_ports=($((base + 11)) $((base + 12)) $((base + 13)))
s3_port=$((base + 20))
primary_port=$((base + 30))
replica_port=$((base + 31))
binary=${CORKBOARD_BINARY:-target/release/corkboard}
s3_binary=${S3_SERVER_BINARY:-target/release/examples/s3_server}
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The PostgreSQL tools refuse to run as root: run them as the owner of the cluster folder.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # what, command…
  local what=$1
  shift
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "$what did not come up" >&2
  return 1
}

secrets() {
  mkdir -p "$dir"
  if [ ! -f "$dir/secrets.env" ]; then
    umask 077
    {
      echo "DB_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      echo "APP_DB_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      echo "REPLICATION_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      echo "S3_KEY=cluster"
      echo "S3_SECRET=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      echo "SESSION_KEY=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    } >"$dir/secrets.env"
  fi
  # A cluster made before the instances had a role of their own.
  if ! grep -q '^APP_DB_PASSWORD=' "$dir/secrets.env"; then
    echo "APP_DB_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >>"$dir/secrets.env"
  fi
  # shellcheck disable=SC1091
  . "$dir/secrets.env"
}

primary_up() {
  local data=$dir/primary
  if [ ! -f "$data/PG_VERSION" ]; then
    say "Creating the PostgreSQL primary ($data)"
    mkdir -p "$data"
    chmod 700 "$data"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data" "$dir"; fi
    local pwfile
    pwfile=$(mktemp)
    echo "$DB_PASSWORD" >"$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$pwfile"; fi
    as_owner "$pgbin/initdb" -D "$data" -U postgres --pwfile="$pwfile" -A scram-sha-256 \
      -E UTF8 --locale=C >/dev/null
    rm -f "$pwfile"
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 5
hot_standby = on
max_connections = 60
shared_buffers = 256MB
fsync = on
EOF
    cat >"$data/pg_hba.conf" <<EOF
host all         all        127.0.0.1/32 scram-sha-256
host replication replicator 127.0.0.1/32 scram-sha-256
EOF
  fi
  if ! as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "Starting the PostgreSQL primary on 127.0.0.1:$primary_port"
    as_owner "$pgbin/pg_ctl" -D "$data" -l "$data/postgresql.log" -w start >/dev/null
  fi
  # The roles and the database, once. `corkboard` owns the database and runs the migrations
  # (and backups, seeds); the instances connect as `corkboard_app`, which may only read and
  # write rows (granted in app_grants, once the tables exist). The extensions are made by the
  # superuser (the migrations then find them).
  PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -p "$primary_port" -U postgres -d postgres -qtA \
    -v ON_ERROR_STOP=1 >/dev/null <<EOF
SET client_min_messages = warning;
SELECT 'CREATE ROLE corkboard LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corkboard') \gexec
ALTER ROLE corkboard PASSWORD '$DB_PASSWORD';
SELECT 'CREATE ROLE corkboard_app LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corkboard_app') \gexec
ALTER ROLE corkboard_app PASSWORD '$APP_DB_PASSWORD';
SELECT 'CREATE ROLE replicator LOGIN REPLICATION' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE replicator PASSWORD '$REPLICATION_PASSWORD';
SELECT 'CREATE DATABASE corkboard OWNER corkboard' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'corkboard') \gexec
\c corkboard
REVOKE ALL ON DATABASE corkboard FROM PUBLIC;
GRANT CONNECT ON DATABASE corkboard TO corkboard, corkboard_app;
\i scripts/extensions.sql
EOF
}

# What the instances' role may do, as the owner, after the migrations: rows only, in the
# tables there are and in those later migrations make; no DDL, and the migrations' own
# record read-only.
app_grants() {
  PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -p "$primary_port" -U corkboard -d corkboard -qtA \
    -v ON_ERROR_STOP=1 >/dev/null <<EOF
SET client_min_messages = warning;
GRANT USAGE ON SCHEMA public TO corkboard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO corkboard_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO corkboard_app;
ALTER DEFAULT PRIVILEGES FOR ROLE corkboard IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO corkboard_app;
ALTER DEFAULT PRIVILEGES FOR ROLE corkboard IN SCHEMA public
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO corkboard_app;
REVOKE INSERT, UPDATE, DELETE ON __diesel_schema_migrations FROM corkboard_app;
EOF
}

replica_up() {
  local data=$dir/replica
  if [ ! -f "$data/PG_VERSION" ]; then
    say "Making the streaming replica with pg_basebackup ($data)"
    mkdir -p "$data"
    chmod 700 "$data"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; fi
    as_owner env PGPASSWORD="$REPLICATION_PASSWORD" "$pgbin/pg_basebackup" \
      -h 127.0.0.1 -p "$primary_port" -U replicator -D "$data" -R -X stream -c fast
    sed -i "s/^port = .*/port = $replica_port/" "$data/postgresql.conf"
  fi
  if ! as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "Starting the replica on 127.0.0.1:$replica_port"
    as_owner "$pgbin/pg_ctl" -D "$data" -l "$data/postgresql.log" -w start >/dev/null
  fi
}

s3_up() {
  mkdir -p "$dir/s3" "$dir/pids" "$dir/logs"
  if pid_alive "$dir/pids/s3.pid"; then return; fi
  say "Starting the S3-compatible server on 127.0.0.1:$s3_port"
  nohup "$s3_binary" "$dir/s3" "127.0.0.1:$s3_port" "$S3_KEY" "$S3_SECRET" corkboard \
    >"$dir/logs/s3.log" 2>&1 &
  echo $! >"$dir/pids/s3.pid"
  wait_for "the S3 server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$s3_port"
}

# The owner's URL (migrations, seeds, backups), and the instances' (rows only).
database_url() { echo "postgres://corkboard:$DB_PASSWORD@127.0.0.1:$1/corkboard"; }
app_database_url() { echo "postgres://corkboard_app:$APP_DB_PASSWORD@127.0.0.1:$1/corkboard"; }

instance_up() { # 1, 2 or 3
  local n=$1
  local port=${instance_ports[$((n - 1))]} metrics=${metrics_ports[$((n - 1))]}
  mkdir -p "$dir/app" "$dir/pids" "$dir/logs"
  if pid_alive "$dir/pids/app$n.pid"; then return; fi
  say "Starting instance $n on 127.0.0.1:$port (metrics on $metrics)"
  env DATA_DIR="$dir/app" \
    BIND="127.0.0.1:$port" \
    METRICS_BIND="127.0.0.1:$metrics" \
    PUBLIC_URL="http://127.0.0.1:$nginx_port" \
    DATABASE_URL="$(app_database_url "$primary_port")" \
    DATABASE_REPLICA_URL="$(app_database_url "$replica_port")" \
    S3_BUCKET=corkboard S3_ENDPOINT="http://127.0.0.1:$s3_port" S3_REGION=us-east-1 \
    S3_ACCESS_KEY="$S3_KEY" S3_SECRET_KEY="$S3_SECRET" S3_PATH_STYLE=true \
    SESSION_KEY="$SESSION_KEY" \
    TRUST_PROXY_HEADERS=true \
    WORKERS=2 \
    RUST_LOG="${RUST_LOG:-info,actix_server=warn}" \
    nohup "$binary" serve >>"$dir/logs/app$n.log" 2>&1 &
  echo $! >"$dir/pids/app$n.pid"
  wait_for "instance $n" curl -fsS "http://127.0.0.1:$port/readyz"
}

# The upstream's servers; those named in nginx/down (instance numbers) are marked down.
upstream_servers() { # [streams]
  for n in 1 2 3; do
    local state="max_fails=1 fail_timeout=2s"
    if [ "${1:-}" = streams ]; then state="max_fails=0"; fi
    if grep -qx "$n" "$dir/nginx/down" 2>/dev/null; then state=down; fi
    echo "    server 127.0.0.1:${instance_ports[$((n - 1))]} $state;"
  done
}

nginx_conf() {
  local conf=$dir/nginx
  mkdir -p "$conf/temp" "$conf/logs"
  local user_line=""
  if [ "$(id -u)" -eq 0 ]; then user_line="user root;"; fi
  # How both locations speak to the instances: kept-alive HTTP/1.1 connections, the
  # visitor's host, address and scheme. The instances trust X-Forwarded-For from here only
  # (they listen on loopback).
  local proxy_to_instances
  proxy_to_instances=$(cat <<'PROXY'
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
PROXY
)
  cat >"$conf/nginx.conf" <<EOF
# Generated by scripts/cluster.sh: nginx in front of the three instances (see docs/deploy.md
# for the production site, with TLS and HTTP/2).
$user_line
daemon on;
worker_processes 1;
pid $PWD/$conf/nginx.pid;
error_log $PWD/$conf/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log $PWD/$conf/logs/access.log;
  client_body_temp_path $PWD/$conf/temp/body;
  proxy_temp_path $PWD/$conf/temp/proxy;
  fastcgi_temp_path $PWD/$conf/temp/fastcgi;
  uwsgi_temp_path $PWD/$conf/temp/uwsgi;
  scgi_temp_path $PWD/$conf/temp/scgi;

  upstream corkboard {
    # Round robin; an instance that refuses connections or times out is skipped for 2 s. One
    # being restarted is marked down first (see restart), so nothing is sent its way.
$(upstream_servers)
    # Connections to the instances are kept and reused (a new one per request costs nginx
    # and the instance more than the request); nginx closes an idle one after 4 s, before
    # the instance would (5 s), so it never sends a request on a connection being closed.
    keepalive 32;
    keepalive_timeout 4s;
  }
  # The same instances for live streams, where a 503 (an instance shutting down refuses new
  # streams) sends the stream to the next one. Such a 503 must not mark an instance failed:
  # a 503 for a database outage comes from every instance at once.
  upstream corkboard_streams {
$(upstream_servers streams)
  }

  server {
    listen 127.0.0.1:$nginx_port;
    # Photos are streamed through to the instance (which streams them into S3).
    client_max_body_size 130m;
    proxy_request_buffering off;

    location / {
      proxy_pass http://corkboard;
$proxy_to_instances
      # A request that could not reach an instance (refused, reset before an answer) is
      # tried on the next one; a POST only when it was never sent (nginx's rule for
      # non-idempotent requests), so none is applied twice. Not on a 503: that is the
      # database's outage, the same on every instance.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }

    # Live streams (SSE): passed on as they come, held open for an hour.
    location ~ ^/(events|rooms/[^/]+/events)\$ {
      proxy_pass http://corkboard_streams;
$proxy_to_instances
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 3600s;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
EOF
}

nginx_up() {
  nginx_conf
  if pid_alive "$dir/nginx/nginx.pid"; then
    nginx -c "$PWD/$dir/nginx/nginx.conf" -s reload 2>/dev/null
    return
  fi
  say "Starting nginx on 127.0.0.1:$nginx_port"
  nginx -c "$PWD/$dir/nginx/nginx.conf"
  wait_for "nginx" curl -fsS "http://127.0.0.1:$nginx_port/healthz"
}

stop_pid() { # file, signal
  local file=$1 signal=${2:-TERM}
  if pid_alive "$file"; then
    local pid
    pid=$(cat "$file")
    kill "-$signal" "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$file"
}

up() {
  [ -x "$binary" ] || { echo "build first: make cluster (needs $binary)" >&2; exit 1; }
  [ -x "$s3_binary" ] || { echo "build first: make cluster (needs $s3_binary)" >&2; exit 1; }
  command -v nginx >/dev/null || { echo "nginx is missing: scripts/setup.sh cluster" >&2; exit 1; }
  secrets
  primary_up
  # The schema first, by its owner (the instances' role cannot), then the replica copies it.
  DATA_DIR="$dir/app" DATABASE_URL="$(database_url "$primary_port")" "$binary" migrate >/dev/null
  app_grants
  replica_up
  s3_up
  for n in 1 2 3; do instance_up "$n"; done
  nginx_up
  echo
  echo "  Corkboard cluster at http://127.0.0.1:$nginx_port"
  echo "  (instances :${instance_ports[*]}, metrics :${metrics_ports[*]}/metrics,"
  echo "   PostgreSQL primary :$primary_port and replica :$replica_port, S3 :$s3_port)"
  echo "  Stop it with: scripts/cluster.sh down"
  echo
}

down() {
  if pid_alive "$dir/nginx/nginx.pid"; then
    say "Stopping nginx"
    nginx -c "$PWD/$dir/nginx/nginx.conf" -s quit 2>/dev/null || true
    for _ in $(seq 1 50); do pid_alive "$dir/nginx/nginx.pid" || break; sleep 0.1; done
  fi
  for n in 1 2 3; do
    [ -f "$dir/pids/app$n.pid" ] && say "Stopping instance $n"
    stop_pid "$dir/pids/app$n.pid" TERM
  done
  [ -f "$dir/pids/s3.pid" ] && say "Stopping the S3 server"
  stop_pid "$dir/pids/s3.pid" TERM
  for db in replica primary; do
    if [ -f "$dir/$db/PG_VERSION" ] && as_owner "$pgbin/pg_ctl" -D "$dir/$db" status >/dev/null 2>&1; then
      say "Stopping the PostgreSQL $db"
      as_owner "$pgbin/pg_ctl" -D "$dir/$db" -m fast -w stop >/dev/null
    fi
  done
}

status() {
  secrets
  for n in 1 2 3; do
    local port=${instance_ports[$((n - 1))]}
    if pid_alive "$dir/pids/app$n.pid"; then
      echo "instance $n (:$port): $(curl -s "http://127.0.0.1:$port/readyz" || echo 'no answer')"
    else
      echo "instance $n (:$port): stopped"
    fi
  done
  pid_alive "$dir/nginx/nginx.pid" && echo "nginx (:$nginx_port): running" || echo "nginx: stopped"
  pid_alive "$dir/pids/s3.pid" && echo "S3 (:$s3_port): running" || echo "S3: stopped"
  for db in primary replica; do
    if [ -f "$dir/$db/PG_VERSION" ] && as_owner "$pgbin/pg_ctl" -D "$dir/$db" status >/dev/null 2>&1; then
      echo "PostgreSQL $db: running"
    else
      echo "PostgreSQL $db: stopped"
    fi
  done
}

# A rolling restart, one instance at a time: nginx stops sending it requests (marked down,
# reloaded: nginx's old workers finish what they passed it), then SIGTERM (it fails
# /readyz, ends its live streams, finishes what it serves and exits), the new process must
# answer /readyz, and nginx takes it back before the next one goes. (Open-source nginx does
# not poll /readyz; a balancer that does needs only the SIGTERM and SHUTDOWN_DRAIN_SECONDS.)
restart() {
  secrets
  for n in 1 2 3; do
    say "Restarting instance $n"
    echo "$n" >"$dir/nginx/down"
    nginx_up
    sleep 1
    stop_pid "$dir/pids/app$n.pid" TERM
    instance_up "$n"
    rm -f "$dir/nginx/down"
    nginx_up
  done
}

pg_stop() { # primary|replica
  as_owner "$pgbin/pg_ctl" -D "$dir/$1" -m fast -w stop >/dev/null
}

pg_start() { # primary|replica
  as_owner "$pgbin/pg_ctl" -D "$dir/$1" -l "$dir/$1/postgresql.log" -w start >/dev/null
}

case ${1:-} in
  up) up ;;
  stop-db) pg_stop "${2:?primary or replica}" ;;
  start-db) pg_start "${2:?primary or replica}" ;;
  down) down ;;
  status) status ;;
  restart) restart ;;
  *)
    echo "usage: scripts/cluster.sh up|down|status|restart|stop-db|start-db" >&2
    exit 2
    ;;
esac
