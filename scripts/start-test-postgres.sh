#!/usr/bin/env bash
# Starts the local PostgreSQL cluster (Debian's postgresql package) for the tests and creates the
# role they connect as; prints the connection URL for PG_URL. The tests create and drop their own
# databases through it.
set -euo pipefail

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^${version} main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q online; then
  pg_ctlcluster "$version" main start
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
for _ in $(seq 1 50); do
  su postgres -c "psql -p $port -Atqc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -q" <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vpngw_test') THEN
    CREATE ROLE vpngw_test LOGIN CREATEDB PASSWORD 'vpngw_test';
  END IF;
END \$\$;
SQL
echo "postgres://vpngw_test:vpngw_test@127.0.0.1:${port}/postgres"
