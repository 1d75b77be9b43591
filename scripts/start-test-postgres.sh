#!/usr/bin/env bash
# Starts the local PostgreSQL cluster (Debian's postgresql package) for the tests and creates the
# role they connect as; prints the connection URL for PG_URL. The tests create and drop their own
# databases through it.
set -euo pipefail

# Everything the tools print goes to stderr (also what the started server inherits): the caller
# captures stdout, which must hold the URL alone.
start_cluster() {
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | grep -q "^${version} main"; then
    pg_createcluster "$version" main
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q online; then
    pg_ctlcluster "$version" main start || true # "already running" when a package script just started it
  fi
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
  local ready=false
  for _ in $(seq 1 150); do
    if su postgres -c "psql -p $port -Atqc 'select 1'" >/dev/null 2>&1; then ready=true; break; fi
    sleep 0.2
  done
  if [ "$ready" != true ]; then
    echo "start-test-postgres: PostgreSQL $version (port $port) does not accept connections" >&2
    return 1
  fi
  su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -q" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vpngw_test') THEN
    CREATE ROLE vpngw_test LOGIN CREATEDB PASSWORD 'vpngw_test';
  END IF;
END \$\$;
SQL
}

start_cluster >&2
echo "postgres://vpngw_test:vpngw_test@127.0.0.1:${port}/postgres"
