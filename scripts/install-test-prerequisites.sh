#!/usr/bin/env bash
# Installs everything the test suite uses: Debian packages (as root) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ca-certificates
  iproute2
  iputils-ping
  wireguard-tools
  wireguard-go
  strongswan-swanctl
  charon-systemd
  libcharon-extra-plugins
  libstrongswan-standard-plugins
  libstrongswan-extra-plugins
  chromium
  postgresql
)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  # The tests run their own charons; the packaged system-wide one must not hold UDP 500/4500.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now strongswan.service >/dev/null 2>&1 || true
  fi
else
  echo "install-test-prerequisites: not root or no apt-get; skipping Debian packages (${APT_PACKAGES[*]})" >&2
fi

npm ci --no-audit --no-fund
