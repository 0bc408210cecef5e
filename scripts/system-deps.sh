#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a development machine needs (a kiosk's run-time packages, what building
# the Python packages needs, what the tests need: the lists in provisioning/debian/), or says exactly what to
# install and stops. A kiosk itself gets only the run-time and build lists, from `sbk-provision install`.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t PACKAGES < <(sed -e 's/#.*//' provisioning/debian/runtime.txt provisioning/debian/build.txt \
                          provisioning/debian/test.txt | tr -s ' \t' '\n' | grep -v '^$')
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "Missing system packages. Please run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
