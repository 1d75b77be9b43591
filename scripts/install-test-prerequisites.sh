#!/usr/bin/env bash
# Installs everything the test suite uses: Debian packages (as root) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ca-certificates
  iproute2
  iputils-ping
  wireguard-tools
)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
else
  echo "install-test-prerequisites: not root or no apt-get; skipping Debian packages (${APT_PACKAGES[*]})" >&2
fi

npm ci --no-audit --no-fund
