#!/usr/bin/env python3
"""Start the kiosk from a checkout: ``python run_kiosk.py [--config kiosk.toml] [--windowed]`` (the same as the
installed ``sbk-kiosk`` command; see kiosk/main.py)."""
import sys

from kiosk.main import EXIT_REFUSED, main, refuse_to_start  # noqa: F401  (tests and scripts name them here)

if __name__ == "__main__":
    sys.exit(main())
