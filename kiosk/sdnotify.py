"""systemd's service notification protocol (sd_notify(3)), which the installed kiosk unit uses: READY=1 once
the first screen is drawn (``Type=notify``), WATCHDOG=1 from the UI's own clock so that a frozen screen gets
the kiosk restarted (``WatchdogSec=``), STOPPING=1 and a STATUS= line a technician reads in
``systemctl status``.

The protocol is one datagram of ``KEY=VALUE`` lines to the unix socket named in $NOTIFY_SOCKET (a leading
"@" names an abstract socket); with no $NOTIFY_SOCKET (development, tests) every call does nothing. It is
written out here rather than taken from a package: systemd-python needs libsystemd's headers and a compiler
on the kiosk, and the small sdnotify package has had no release since 2017; the protocol itself is stable
and documented as such."""
from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def _address() -> str | None:
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address or not (address.startswith("/") or address.startswith("@")):
        return None        # unset, or a vsock address this kiosk never runs under
    return "\0" + address[1:] if address.startswith("@") else address


def notify(*lines: str) -> bool:
    """Send ``lines`` (e.g. "READY=1", "STATUS=…") in one datagram; False when not run by systemd or when
    the send failed (logged once per reason; a missed ping is systemd's to judge, never the app's crash)."""
    address = _address()
    if address is None:
        return False
    message = "\n".join(lines).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message)
        return True
    except OSError as exc:
        log.warning("systemd notification %s not sent: %s", lines[0].split("=")[0], exc)
        return False


def watchdog_interval() -> float | None:
    """Seconds between watchdog pings (half of WatchdogSec=, as sd_watchdog_enabled(3) advises), or None when
    systemd asks for none or asks another process (WATCHDOG_PID names someone else)."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and (not pid.isdigit() or int(pid) != os.getpid()):
        return None
    return int(usec) / 1e6 / 2


def journal_stream() -> bool:
    """Whether stderr is connected to the journal (systemd sets $JOURNAL_STREAM to its device:inode), so log
    lines written there get a priority prefix instead of a timestamp of their own."""
    value = os.environ.get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        stat = os.fstat(2)
    except OSError:
        return False
    return (stat.st_dev, stat.st_ino) == (int(device), int(inode))
