#!/usr/bin/env bash
# Typecheck and lint, then the whole suite on the embedded SQLite store (the store contract also on PostgreSQL when PG_URL is
# set), then the API-level tests again with the service's store in PostgreSQL: one suite, both engines.
set -euo pipefail
cd "$(dirname "$0")/.."

# Types and lint first: they fail in seconds where the suite takes minutes.
npm run --silent typecheck
npm run --silent lint

node --import tsx --test --test-concurrency=1 $(find test -name '*.test.ts' | sort)

if [ -n "${PG_URL:-}" ]; then
  echo "# the API and security tests again, on PostgreSQL"
  VPNGW_TEST_ENGINE=postgres node --import tsx --test --test-concurrency=1 $(find test/api test/security -name '*.test.ts' | sort)
elif [ "${CI:-}" = true ]; then
  echo "run-tests: PG_URL is not set; CI must run the suite on PostgreSQL too" >&2
  exit 1
else
  echo "*** run-tests: PG_URL is not set, so the PostgreSQL pass is skipped (PG_URL=\$(sudo bash scripts/start-test-postgres.sh) npm test runs it) ***" >&2
fi
