"""``python -m kiosk.backend --db PATH --port N [--policy shaanxi]``: the reference service on its own. PATH is
a SQLite file or a ``postgresql://`` URL (a province's database; its password from the environment or a
``.pgpass`` file as libpq reads them, never on the command line: docs/province.md).

``python -m kiosk.backend --db PATH --issue-code [--for-kiosk ID] [--valid-hours H]`` prints a new one-time
enrolment code and exits: each kiosk needs its own (the first kiosk id to enrol with a code spends it).

``python -m kiosk.backend --db PATH --add-staff S0002 --name 张三 --id-number 6101…`` registers a member of the
hall's staff (or gives them a new staff PIN, which also lifts a lockout): the PIN is asked twice on the
terminal, never taken from the command line, and only its salted hash is stored (kiosk/backend/staff.py).

``python -m kiosk.backend --db PATH --add-operator NAME [--region R]`` registers an operator of the fleet page
at /operator (kiosk/backend/operator_view.py), the password asked twice on the terminal."""
from __future__ import annotations

import argparse
import datetime as dt
import secrets
import signal
import threading

from kiosk.backend.engines import describe, is_postgres
from kiosk.backend.server import ServiceThread
from kiosk.policy import PROFILES, profile


def main() -> None:
    parser = argparse.ArgumentParser(description="Reference card-management service")
    parser.add_argument("--db", required=True, help="SQLite file, or postgresql://user@host/database (created or "
                                                   "migrated, and seeded unless --no-seed)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--policy", default="shaanxi", choices=sorted(PROFILES))
    parser.add_argument("--key-file", help="the service's signing key, PEM, mode 0600, made on the first start "
                                           "(default: beside the database, DB-key.pem); never in the database")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes sharing the port (every request's state is in the database)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM); without it, plain HTTP "
                                           "for a TLS-terminating reverse proxy on the same host (docs/province.md)")
    parser.add_argument("--tls-key", help="with --tls-cert: its private key (PEM, mode 0600)")
    parser.add_argument("--no-seed", action="store_true", help="do not add the demo citizens")
    parser.add_argument("--enrolment-code", action="append", default=[],
                        help="a one-time code a kiosk may enrol with, valid 7 days (repeatable; default: one "
                             "made and printed now, valid 1 hour)")
    parser.add_argument("--issue-code", action="store_true", help="print a new one-time enrolment code and exit")
    parser.add_argument("--for-kiosk", help="with --issue-code: the only kiosk id that may use the code")
    parser.add_argument("--valid-hours", type=float, default=24.0, help="with --issue-code: validity (default 24)")
    parser.add_argument("--add-staff", metavar="STAFF_NO", help="register a staff member (PIN asked on the terminal)")
    parser.add_argument("--name", help="with --add-staff: their name")
    parser.add_argument("--id-number", help="with --add-staff: their ID card's number (their sign-in card)")
    parser.add_argument("--site", default="", help="with --add-staff: their service hall; with --issue-code: where "
                                                   "the kiosk stands (the operator view filters by it)")
    parser.add_argument("--region", default="", help="with --issue-code: the kiosk's region code; with "
                                                     "--add-operator: the only region the operator sees")
    parser.add_argument("--add-operator", metavar="USERNAME",
                        help="register an operator of the /operator view (password asked on the terminal)")
    parser.add_argument("--silent-after", type=float, default=180.0,
                        help="seconds without a heartbeat before the operator view shows a kiosk as offline")
    args = parser.parse_args()
    if args.add_staff:
        raise SystemExit(add_staff(args))
    if args.add_operator:
        raise SystemExit(add_operator(args))
    if args.issue_code:
        from kiosk.backend.store import Store
        store = Store(args.db)
        print(store.add_enrolment_code(secrets.token_hex(8), dt.timedelta(hours=args.valid_hours), args.for_kiosk,
                                       site=args.site, region=args.region))
        store.close()
        return
    from kiosk.backend.observability import log_as_json_lines
    log_as_json_lines()
    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together")
        raise SystemExit(2)
    if args.workers > 1:
        raise SystemExit(run_workers(args))
    service = ServiceThread(args.db, profile(args.policy), args.host, args.port, seed_demo=not args.no_seed,
                            enrolment_codes=set(args.enrolment_code) or None, silent_after_s=args.silent_after,
                            key_file=args.key_file, log_requests=True, tls=(args.tls_cert, args.tls_key))
    service.start()
    print(f"card-management service on {service.url} (db {describe(args.db)})", flush=True)
    print(f"enrolment code: {service.enrolment_code}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    service.stop()


def run_workers(args) -> int:
    """N uvicorn worker processes on one listening socket, bound here before the first line is printed (so a
    caller may connect as soon as it reads it); the database and key file are prepared once, first."""
    import os
    import shutil
    import socket
    import tempfile

    import uvicorn

    from kiosk.backend import server
    if not 2 <= args.workers <= 64:
        print("--workers: 2 to 64")
        return 2
    store, _ = server.prepare(args.db, profile(args.policy), not args.no_seed, args.key_file)
    try:
        for code in args.enrolment_code:
            store.add_enrolment_code(code, dt.timedelta(days=7))
        code = store.add_enrolment_code(secrets.token_hex(8), dt.timedelta(hours=1))
    finally:
        store.close()
    listener = socket.create_server((args.host, args.port))
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    host, port = listener.getsockname()[:2]
    metrics_dir = tempfile.mkdtemp(prefix="sbk-metrics-")    # the workers' shared metric files, this run only
    os.environ.update({"PROMETHEUS_MULTIPROC_DIR": metrics_dir,
                       server.ENV_DB: args.db if is_postgres(args.db) else os.path.abspath(args.db),
                       server.ENV_POLICY: args.policy,
                       server.ENV_KEY: args.key_file or server.default_key_path(args.db),
                       server.ENV_SILENT: str(args.silent_after)})
    scheme = "https" if args.tls_cert else "http"
    print(f"card-management service on {scheme}://{host}:{port} (db {describe(args.db)}, {args.workers} workers)",
          flush=True)
    print(f"enrolment code: {code}", flush=True)
    try:
        uvicorn.run("kiosk.backend.server:app_from_environment", factory=True, fd=listener.fileno(),
                    workers=args.workers, log_level="warning", access_log=False, log_config=None,
                    ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _register(db: str, prompt: str, register, done: str) -> int:
    """A secret asked twice on the terminal (never on the command line), then ``register(store, secret)``."""
    import getpass
    from kiosk.backend.store import Store
    secret = getpass.getpass(prompt)
    if getpass.getpass("again: ") != secret:
        print("the two entries differ; nothing changed")
        return 1
    store = Store(db)
    try:
        register(store, secret)
    except ValueError as exc:
        print(exc)
        return 2
    finally:
        store.close()
    print(done)
    return 0


def add_operator(args) -> int:
    from kiosk.backend import operators
    return _register(args.db, "operator password (10 characters or more): ",
                     lambda store, password: operators.add(store, args.add_operator, password, args.region),
                     f"operator {args.add_operator} registered" + (f" for region {args.region}" if args.region else ""))


def add_staff(args) -> int:
    import re
    from kiosk.backend import staff
    from kiosk.idnumber import is_valid
    if not (args.name and args.id_number):
        print("--add-staff needs --name and --id-number")
        return 2
    if not (re.match(r"^\d{17}[\dX]$", args.id_number) and is_valid(args.id_number)):
        print("--id-number is not a valid resident ID number")
        return 2
    return _register(args.db, "staff PIN (6 digits): ",
                     lambda store, pin: staff.register(store, args.add_staff, args.name, args.id_number, pin, args.site),
                     f"staff member {args.add_staff} registered")


if __name__ == "__main__":
    main()
