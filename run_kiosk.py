#!/usr/bin/env python3
"""Start the kiosk: ``python run_kiosk.py [--config kiosk.toml] [--windowed]``.

With no config file, the embedded default runs: every device simulated at the wire level and the
reference card-management service in process, with a simulator panel to place and insert demo cards.
"""
from __future__ import annotations

import argparse
import os
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Social security card self-service kiosk")
    parser.add_argument("--config", help="TOML config file (default: the embedded simulated kiosk)")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen (development)")
    args = parser.parse_args(argv)

    from kiosk.config import ConfigError, load
    try:
        config = load(args.config)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    os.makedirs(config.state_dir, exist_ok=True)
    from kiosk.logsetup import configure
    configure(config.state_dir)

    from kiosk.screens import boot
    boot.prepare(config.state_dir, config.ui.fullscreen and not args.windowed, config.ui.width, config.ui.height)

    from kiosk.runtime import Kiosk
    from kiosk.screens.app import KioskApp
    kiosk = Kiosk(config)
    try:
        KioskApp(kiosk, config.ui.session_timeout_s, language=config.ui.language,
                  randomise_pin_pad=config.ui.pin_pad == "random").run()
    finally:
        kiosk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
