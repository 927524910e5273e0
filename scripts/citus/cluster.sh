#!/usr/bin/env bash
# A Citus cluster on one machine for CI and development: a coordinator and two workers, three
# PostgreSQL 15 clusters of their own (never the `main` one), with the renwu_ci superuser, a renwu_ci
# database holding citus + postgis on every node, and the workers registered on the coordinator.
#
#   scripts/citus/cluster.sh start         creates what is missing, starts the nodes (idempotent)
#   scripts/citus/cluster.sh stop          stops the three nodes (their data stays)
#   scripts/citus/cluster.sh status        the nodes and the workers the coordinator knows
#   scripts/citus/cluster.sh stop-worker N stops worker N (1 or 2) alone; start-worker N starts it
#   scripts/citus/cluster.sh drop          stops and deletes the three clusters
#
# Test-only: local connections are trusted (Citus connects from node to node as the session's user).
# Needs citus installed (../shared/citus/install.sh or `apt install postgresql-15-citus-13.2`).
# Ports: CITUS_COORDINATOR_PORT (5440), CITUS_WORKER_PORTS ("5441 5442").
# Then: DATABASE_URL / TEST_DATABASE_URL=postgres://renwu_ci:renwu_ci@127.0.0.1:5440/renwu_ci
set -euo pipefail
version=15
coordinator_port=${CITUS_COORDINATOR_PORT:-5440}
read -r -a worker_ports <<<"${CITUS_WORKER_PORTS:-5441 5442}"
database=renwu_ci

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

all_nodes() {
  echo "citus_coord $coordinator_port"
  local index=1
  for port in "${worker_ports[@]}"; do echo "citus_w$index $port"; index=$((index + 1)); done
}
psql_at() { local port=$1; shift; as_postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" "$@"; }

create_node() {
  local name=$1 port=$2 conf
  pg_lsclusters -h | awk '{print $2}' | grep -qx "$name" && return 0
  $SUDO pg_createcluster "$version" "$name" -p "$port" >/dev/null
  conf=/etc/postgresql/$version/$name
  # citus must be the first preloaded library; 2PC (a registration touching several shards) needs
  # prepared transactions on every node; per-test-file databases need CREATE DATABASE propagation.
  $SUDO tee "$conf/conf.d/citus.conf" >/dev/null <<CONF
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
max_connections = 300
max_prepared_transactions = 200
citus.enable_create_database_propagation = on
citus.shard_count = ${CITUS_SHARD_COUNT:-8}
CONF
  $SUDO tee "$conf/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
HBA
}

start_node() {
  local name=$1 port=$2
  $SUDO pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && return 0; sleep 1; done
  pg_isready -h 127.0.0.1 -p "$port"
}

prepare_node() {
  local port=$1
  psql_at "$port" -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'renwu_ci') THEN
    CREATE ROLE renwu_ci LOGIN SUPERUSER PASSWORD 'renwu_ci';
  END IF;
END $$;
SQL
  if ! psql_at "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
    # Made on each node by hand: propagation only runs from a coordinator that knows its workers.
    psql_at "$port" -d postgres -c "SET citus.enable_create_database_propagation = off" -c "CREATE DATABASE $database OWNER renwu_ci"
  fi
  # Once a worker is registered, the coordinator owns its extensions: only ever create missing ones.
  for extension in citus postgis; do
    psql_at "$port" -d "$database" -tAc "SELECT 1 FROM pg_extension WHERE extname = '$extension'" | grep -q 1 ||
      psql_at "$port" -d "$database" -c "CREATE EXTENSION $extension"
  done
}

register_workers() {
  psql_at "$coordinator_port" -d "$database" -c "SELECT citus_set_coordinator_host('127.0.0.1', $coordinator_port)" >/dev/null
  for port in "${worker_ports[@]}"; do
    psql_at "$coordinator_port" -d "$database" -tAc \
      "SELECT citus_add_node('127.0.0.1', $port) WHERE NOT EXISTS (SELECT FROM pg_dist_node WHERE nodeport = $port)" >/dev/null
  done
}

worker_by_index() {
  local index=$1
  [ "$index" -ge 1 ] && [ "$index" -le "${#worker_ports[@]}" ] || { echo "no worker $index" >&2; exit 2; }
  echo "citus_w$index ${worker_ports[$((index - 1))]}"
}

case "${1:-}" in
  start)
    [ -f "$(/usr/lib/postgresql/$version/bin/pg_config --pkglibdir)/citus.so" ] ||
      { echo "citus is not installed: run ../shared/citus/install.sh (or apt install postgresql-15-citus-13.2)" >&2; exit 1; }
    while read -r name port; do create_node "$name" "$port"; start_node "$name" "$port"; prepare_node "$port"; done < <(all_nodes)
    register_workers
    echo "citus cluster up: postgres://renwu_ci:renwu_ci@127.0.0.1:$coordinator_port/$database"
    ;;
  stop)
    while read -r name _; do $SUDO pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true; done < <(all_nodes)
    ;;
  stop-worker)
    read -r name _ < <(worker_by_index "${2:?worker number}")
    $SUDO pg_ctlcluster "$version" "$name" stop -m fast
    ;;
  start-worker)
    read -r name port < <(worker_by_index "${2:?worker number}")
    start_node "$name" "$port"
    ;;
  status)
    pg_lsclusters | awk 'NR == 1 || $2 ~ /^citus_/'
    psql_at "$coordinator_port" -d "$database" -c 'SELECT nodename, nodeport, noderole, isactive FROM pg_dist_node ORDER BY nodeport' 2>/dev/null || true
    ;;
  drop)
    while read -r name _; do
      $SUDO pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
      pg_lsclusters -h | awk '{print $2}' | grep -qx "$name" && $SUDO pg_dropcluster "$version" "$name"
    done < <(all_nodes)
    ;;
  *)
    echo "usage: $0 start|stop|status|stop-worker N|start-worker N|drop" >&2
    exit 2
    ;;
esac
