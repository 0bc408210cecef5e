#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the kiosk needs, or says exactly what to install and stops.
set -euo pipefail
PACKAGES=(
  python3-venv            # the project's .venv
  swig libpcsclite-dev    # pyscard has no Linux wheel and builds from source
  pcscd vsmartcard-vpcd   # PC/SC daemon, and the virtual reader the virtual card sits in
  xvfb xauth              # the UI tests' X server
  libgl1 libgl1-mesa-dri libmtdev1  # Kivy's OpenGL (Mesa llvmpipe) and touch input library
  fonts-noto-cjk          # Chinese (and CJK Extension A) text on screen and on receipts
  fonts-hanazono          # rare name characters beyond Noto: CJK Extensions B–F (HanaMin A/B), on screen
  libusb-1.0-0            # USB receipt printers (pyusb)
  espeak-ng alsa-utils    # Mandarin voice prompts: offline synthesis (voice "cmn") and aplay
)
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
