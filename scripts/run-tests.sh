#!/usr/bin/env bash
# Typecheck and lint, then the whole suite on the embedded SQLite store (the store contract also on PostgreSQL when PG_URL is
# set), then the API-level tests again with the service's store in PostgreSQL: one suite, both engines.
# A local run says loudly what it did not test (suites it did not register, tests that skipped themselves); under CI
# (any truthy CI) nothing may be left out.
set -euo pipefail
cd "$(dirname "$0")/.."

# Types and lint first: they fail in seconds where the suite takes minutes.
npm run --silent typecheck
npm run --silent lint

is_ci() { node --import tsx test/support/ci.ts; }
not_tested=()

# Every suite and test this run did not run, in one place at the end, whatever the outcome.
report_not_tested() {
  local skips
  skips=$(grep -E '^ *ok [0-9]+ - .* # SKIP' "$tap" | sed -E 's/^ *ok [0-9]+ - //' | sort -u || true)
  if [ -n "$skips" ]; then
    while IFS= read -r line; do not_tested+=("test skipped itself: $line"); done <<<"$skips"
  fi
  if [ ${#not_tested[@]} -eq 0 ]; then
    echo "run-tests: every suite was registered and no test skipped itself" >&2
    return
  fi
  echo "" >&2
  echo "*** run-tests: NOT TESTED in this run (${#not_tested[@]}):" >&2
  for entry in "${not_tested[@]}"; do echo "***   - $entry" >&2; done
}

suites=$(find test -name '*.test.ts' | sort)
if [ "$(id -u)" -ne 0 ]; then
  e2e=$(find test/e2e -name '*.test.ts' | wc -l)
  if is_ci; then
    echo "run-tests: under CI the end-to-end suites must run, and they need root" >&2
    exit 1
  fi
  suites=$(grep -v '^test/e2e/' <<<"$suites")
  not_tested+=("the end-to-end suites (test/e2e, $e2e files: real tunnels in network namespaces): not root")
  echo "*** run-tests: not root, so the $e2e end-to-end suites (test/e2e) are not registered (sudo npm test runs them) ***" >&2
fi

tap=$(mktemp)
trap 'report_not_tested; rm -f "$tap" "$tap.pg"' EXIT

# spec for people, TAP to a file for the list of skipped tests at the end.
# shellcheck disable=SC2086 # one argument per file
node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" $suites

if [ -n "${PG_URL:-}" ]; then
  echo "# the API and security tests again, on PostgreSQL"
  # shellcheck disable=SC2046
  VPNGW_TEST_ENGINE=postgres node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap.pg" $(find test/api test/security -name '*.test.ts' | sort)
  cat "$tap.pg" >>"$tap" && rm -f "$tap.pg"
elif is_ci; then
  echo "run-tests: PG_URL is not set; CI must run the suite on PostgreSQL too" >&2
  exit 1
else
  not_tested+=("the PostgreSQL pass (test/api and test/security on PostgreSQL, and the store contract there): PG_URL is not set")
  echo "*** run-tests: PG_URL is not set, so the PostgreSQL pass is skipped (PG_URL=\$(sudo bash scripts/start-test-postgres.sh) npm test runs it) ***" >&2
fi
