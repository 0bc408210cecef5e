#!/usr/bin/env bash
# Runs a command with pcscd (vpcd driver), an X server and a PostgreSQL cluster available, starting pcscd and
# X only when they are not already running, and stopping only what it started.
set -uo pipefail
started=()
own_pcscd=0
source "$(dirname "$0")/test-postgres.sh"
cleanup() {
  pg_cleanup
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  # a test may have restarted the pcscd we started (a restart during a session is tested): stop that too
  if [ "$own_pcscd" = 1 ]; then
    pkill -x pcscd 2>/dev/null
    for _ in $(seq 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done   # gone before we return
  fi
  return 0
}
trap cleanup EXIT

if ! pgrep -x pcscd >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then pcscd --foreground >/tmp/sbk-pcscd.log 2>&1 &
  else sudo -n pcscd --foreground >/tmp/sbk-pcscd.log 2>&1 & fi
  started+=($!)
  own_pcscd=1
  export KIOSK_PCSCD_OWNED=1     # tests may restart this pcscd
fi
display_number() { local d="${DISPLAY:-}"; d="${d#*:}"; echo "${d%%.*}"; }
if [ -z "${DISPLAY:-}" ] || [ ! -e "/tmp/.X11-unix/X$(display_number)" ]; then
  for n in $(seq 99 120); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || break; done
  Xvfb ":$n" -screen 0 1280x800x24 -ac +extension GLX -nolisten tcp >/tmp/sbk-xvfb.log 2>&1 &
  started+=($!)
  export DISPLAY=":$n"
fi
# wait until both answer: pcscd's vpcd reader appears, the X socket exists
for _ in $(seq 50); do
  [ -e "/tmp/.X11-unix/X$(display_number)" ] && .venv/bin/python -c "
from smartcard.System import readers; import sys
sys.exit(0 if any('Virtual PCD' in str(r) for r in readers()) else 1)" 2>/dev/null && break
  sleep 0.2
done
.venv/bin/python -c "
from smartcard.System import readers
print('test services: readers', [str(r) for r in readers()], 'display', '$DISPLAY')" 2>&1 | tail -1
pg_start
export KIOSK_REQUIRE_PCSC=1 KIOSK_REQUIRE_DISPLAY=1
"$@"
