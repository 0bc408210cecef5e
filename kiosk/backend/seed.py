"""Seed the reference service with the demo citizens (kiosk.demo), one per card state."""
from __future__ import annotations

import datetime as dt

from kiosk import demo
from kiosk.backend import staff
from kiosk.backend.store import Store, now


def seed(store: Store, region: str = "610100") -> None:
    if not store.is_empty():
        return
    stamp = now()
    with store.transaction() as db:
        for c in demo.CITIZENS:
            db.execute("INSERT INTO persons (id_number, name, gender, birth_date, address, phone, region, insured) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                       (c.id_number, c.name, c.gender, c.birth.isoformat(), c.address, "13800000000", region))
            if c.card_state:
                profile = c.card_profile()
                lost_until = (stamp + dt.timedelta(days=5)).isoformat() if c.card_state == "temp_lost" else None
                db.execute("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, "
                           "lost_until, updated_at, generation, bank, photo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (c.card_number, c.id_number, region, c.card_state, profile.issue_date.isoformat(),
                            profile.expiry_date.isoformat(), lost_until, stamp.isoformat(), c.generation, c.bank,
                            int(c.photo)))
                store.add_event(db, c.card_number, "seeded", None, {"state": c.card_state})
            if c.application:
                db.execute("INSERT INTO applications (id_number, kind, state, created_at) VALUES (?, ?, ?, ?)",
                           (c.id_number, "new_card", c.application, (stamp - dt.timedelta(days=3)).isoformat()))
    # the demo hall's staff member (kiosk.demo.STAFF), registered as staff (not as a card holder)
    staff.register(store, demo.STAFF_NO, demo.STAFF.name, demo.STAFF.id_number, demo.STAFF_PIN, site="demo")
