"""The kiosk's start: ``sbk-kiosk [--config kiosk.toml] [--windowed]`` (the installed console command and the
systemd unit's ExecStart), or ``python run_kiosk.py`` in a checkout.

With no config file named (nor $SBK_KIOSK_CONFIG set, nor /etc/sbk-kiosk/kiosk.toml installed), the embedded
default runs: every device simulated at the wire level and the
reference card-management service in process, with a simulator panel to place and insert demo cards.
Run by systemd (the unit `provisioning install` writes), it reports READY once the first screen is drawn and
pings the watchdog from the UI clock (kiosk.screens.watchdog).
"""
from __future__ import annotations

import argparse
import os
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Social security card self-service kiosk")
    parser.add_argument("--config", help="TOML config file (default: $SBK_KIOSK_CONFIG, else the installed "
                                         "kiosk's /etc/sbk-kiosk/kiosk.toml, else the embedded simulated kiosk)")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen (development)")
    args = parser.parse_args(argv)

    from kiosk.config import ConfigError, default_path, load
    path = args.config or default_path()
    try:
        config = load(path)
    except ConfigError as exc:
        return refuse_to_start(f"configuration error: {exc}", args.windowed)
    os.makedirs(config.state_dir, exist_ok=True)
    from kiosk.logsetup import configure
    configure(config.state_dir)

    wait_for_display()
    from kiosk.screens import boot
    boot.prepare(config.state_dir, config.ui.fullscreen and not args.windowed, config.ui.width, config.ui.height)

    from kiosk.errors import StartRefused
    from kiosk.runtime import Kiosk
    try:
        kiosk = Kiosk(config)
    except StartRefused as exc:
        return refuse_to_start(exc.detail, args.windowed, exc, prepared=True)
    from kiosk.screens.app import KioskApp
    try:
        KioskApp(kiosk, config.ui.session_timeout_s, language=config.ui.language,
                 randomise_pin_pad=config.ui.pin_pad == "random").run()
    finally:
        kiosk.close()
    return 0


DISPLAY_WAIT_S = 60


def wait_for_display(timeout_s: float = DISPLAY_WAIT_S) -> None:
    """At boot the X server (sbk-kiosk-display.service) may still be starting when the kiosk starts: wait for
    its socket rather than fail to open a window and be restarted in a loop. Only a local display (":N") is
    waited for; anything else is SDL's to open."""
    import logging
    import socket
    import time
    display = os.environ.get("DISPLAY", "")
    if not display.startswith(":"):
        return
    number = display[1:].split(".")[0]
    path = f"/tmp/.X11-unix/X{number}"
    deadline = time.monotonic() + timeout_s
    waited = False
    while True:
        for address in ("\0" + path, path):         # Xorg listens on the abstract name and the file
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.connect(address)
                if waited:
                    logging.getLogger("kiosk").info("the screen %s is up", display)
                return
            except OSError:
                continue
        if time.monotonic() > deadline:
            logging.getLogger("kiosk").error("the screen %s did not come up in %.0f s", display, timeout_s)
            return                                   # SDL says why it cannot open a window
        if not waited:
            logging.getLogger("kiosk").info("waiting for the screen %s", display)
            waited = True
        time.sleep(0.2)


EXIT_REFUSED = 3      # did not start: the out-of-service screen was shown until systemd stopped it


def refuse_to_start(detail: str, windowed: bool, error=None, prepared: bool = False) -> int:
    """Log what is wrong and what to do, then show the out-of-service screen until stopped (a kiosk that
    cannot start is never a black screen). The config may be what failed, so this needs none of it."""
    import logging
    import tempfile
    print(f"cannot start: {detail}", file=sys.stderr)          # journald, whatever else failed
    if not prepared:             # no config, so no state folder of its own: Kivy's files and the log in /tmp
        from kiosk.logsetup import configure
        from kiosk.screens import boot
        state = os.path.join(tempfile.gettempdir(), "sbk-kiosk-refused")
        configure(state)
        wait_for_display()
        boot.prepare(state, not windowed, 1280, 800)
    logging.getLogger("kiosk").error("cannot start: %s", detail)
    from kiosk.errors import StartRefused
    from kiosk.screens.out_of_service import show
    error = error or StartRefused(detail)
    show(error.zh, error.en, detail)
    return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
