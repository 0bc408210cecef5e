"""The embedded demo's reference service: its database, fresh at every start, and what that means for the
kiosk's journal."""
from __future__ import annotations

import logging
import os

from kiosk.journal import Journal
from kiosk.keyfiles import load_or_make_key
from kiosk.security.sm2 import PrivateKey

log = logging.getLogger(__name__)


def fresh_demo_service_db(state_dir: str) -> str:
    """The embedded demo's service database, recreated at every start (the virtual cards live in memory, so
    the demo's citizens start over with them), but with the same signing key every time: the kiosk pinned
    that key at its first start and keeps checking every answer against it. The key is kept beside the
    database (demo-service-key.pem, 0600: the service's default key file for demo-service.db)."""
    from kiosk.backend.store import Store
    db = os.path.join(state_dir, "demo-service.db")
    key_path = os.path.join(state_dir, "demo-service-key.pem")
    make = PrivateKey.generate
    if not os.path.exists(key_path) and os.path.exists(db):
        # a state dir from before the key was kept: the key the kiosk pinned is still in the old database
        old = Store(db)
        try:
            legacy = old.legacy_service_key()
        finally:
            old.close()
        if legacy:
            make = lambda: PrivateKey.from_pem(legacy)  # noqa: E731
    load_or_make_key(key_path, make)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    return db


def close_previous_demo(journal: Journal) -> None:
    """The embedded demo's service starts fresh, so a transaction the previous demo run left unfinished
    names cards and applications it no longer knows: recovering it would be refused, or retried at every
    start. Closed as "demo_restarted" before recovery runs (a real service keeps its records, and there the
    journal is recovered as it is)."""
    for row in journal.unfinished():
        journal.step(row["txn"], "demo_restarted")
        journal.finish(row["txn"], "demo_restarted")
        log.warning("demo restarted: %s %s of the previous demo run closed unrecovered", row["kind"], row["txn"])
