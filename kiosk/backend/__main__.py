"""``python -m kiosk.backend --db PATH --port N [--policy shaanxi]``: the reference service on its own.

``python -m kiosk.backend --db PATH --issue-code [--for-kiosk ID] [--valid-hours H]`` prints a new one-time
enrolment code and exits: each kiosk needs its own (the first kiosk id to enrol with a code spends it)."""
from __future__ import annotations

import argparse
import datetime as dt
import secrets
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
                        help="a one-time code a kiosk may enrol with, valid 7 days (repeatable; default: one "
                             "made and printed now, valid 1 hour)")
    parser.add_argument("--issue-code", action="store_true", help="print a new one-time enrolment code and exit")
    parser.add_argument("--for-kiosk", help="with --issue-code: the only kiosk id that may use the code")
    parser.add_argument("--valid-hours", type=float, default=24.0, help="with --issue-code: validity (default 24)")
    args = parser.parse_args()
    if args.issue_code:
        from kiosk.backend.store import Store
        store = Store(args.db)
        print(store.add_enrolment_code(secrets.token_hex(8), dt.timedelta(hours=args.valid_hours), args.for_kiosk))
        store.close()
        return
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
