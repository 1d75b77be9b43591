#!/usr/bin/env bash
# Installs everything the test suite uses: Debian packages (as root) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ca-certificates
  openssl
  iproute2
  iputils-ping
  procps
  wireguard-tools
  wireguard-go
  strongswan-swanctl
  charon-systemd
  libcharon-extra-plugins
  libstrongswan-standard-plugins
  libstrongswan-extra-plugins
  nftables
  iperf3
  chromium
  postgresql
  systemd
)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  # iperf3's package offers to run a system-wide daemon: the benchmark starts its own servers.
  echo 'iperf3 iperf3/start_daemon boolean false' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  # The tests run their own charons; the packaged system-wide one must not hold UDP 500/4500.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now strongswan.service >/dev/null 2>&1 || true
    # Nor may a host-wide ruleset or iperf3 daemon interfere with the tests' namespaces and ports.
    systemctl disable --now nftables.service iperf3.service >/dev/null 2>&1 || true
  fi
else
  echo "install-test-prerequisites: not root or no apt-get; skipping Debian packages (${APT_PACKAGES[*]})" >&2
fi

npm ci --no-audit --no-fund
