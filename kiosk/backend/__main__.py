"""``python -m kiosk.backend --db PATH --port N [--policy shaanxi]``: the reference service on its own."""
from __future__ import annotations

import argparse
import signal
import threading

from kiosk.backend.server import ServiceThread
from kiosk.policy import PROFILES, profile


def main() -> None:
    parser = argparse.ArgumentParser(description="Reference card-management service")
    parser.add_argument("--db", required=True, help="SQLite file (created and seeded when new)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--policy", default="shaanxi", choices=sorted(PROFILES))
    parser.add_argument("--no-seed", action="store_true", help="do not add the demo citizens")
    parser.add_argument("--enrolment-code", action="append", default=[],
                        help="a code a kiosk may enrol with (repeatable; default: one made and printed now)")
    args = parser.parse_args()
    service = ServiceThread(args.db, profile(args.policy), args.host, args.port, seed_demo=not args.no_seed,
                            enrolment_codes=set(args.enrolment_code) or None)
    service.start()
    print(f"card-management service on {service.url} (db {args.db})", flush=True)
    print(f"enrolment code: {service.enrolment_code}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    service.stop()


if __name__ == "__main__":
    main()
