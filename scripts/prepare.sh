#!/usr/bin/env bash
# npm runs `prepare` on every `npm ci` and `npm install` in a checkout: compile there, so that `npm start`
# and bin/vpngw.js run JavaScript with plain node. An install without the dev dependencies
# (`npm ci --omit=dev`) has no compiler; it runs the dist/ that was built beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x node_modules/.bin/tsc ]; then
  exec npm run --silent build
fi
echo "prepare: no TypeScript compiler installed (--omit=dev); dist/ is used as it is" >&2
