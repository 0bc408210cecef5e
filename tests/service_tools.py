"""Helpers for tests of the reference service: enrolled kiosks, and fresh orders, applications and cards put
straight into its store (set-up only; every act under test goes through signed HTTP)."""
from __future__ import annotations

import datetime as dt
import itertools

from kiosk import idnumber
from kiosk.backend.client import ServiceClient
from kiosk.backend.store import now
from kiosk.security.sm2 import PrivateKey

_serial = itertools.count(1)


def enrolled(service, kiosk_id: str = "TEST-01", key: PrivateKey | None = None) -> ServiceClient:
    client = ServiceClient(service.url, kiosk_id, key=key or PrivateKey.generate())
    client.enrol(service.enrolment_code)              # pins the service's key on the client
    return client


def clients_of(service, kiosk_id: str, count: int) -> list[ServiceClient]:
    """``count`` clients of one enrolled kiosk (one requests session each: a session is not thread-safe)."""
    first = enrolled(service, kiosk_id)
    return [first] + [ServiceClient(service.url, kiosk_id, key=first.key, service_key=first.service_key)
                      for _ in range(count - 1)]


def new_person(service, with_card: str | None = None) -> tuple[str, str | None]:
    """A fresh insured person (and a card in state ``with_card``): (id number, card number)."""
    n = next(_serial)
    id_number = idnumber.with_check(f"61011319700101{n % 1000:03d}")
    while service.store.person(id_number) is not None:
        n = next(_serial)
        id_number = idnumber.with_check(f"61011319700101{n % 1000:03d}")
    card_number = None
    stamp = now().isoformat()
    with service.store.transaction() as db:
        db.execute("INSERT INTO persons (id_number, name, gender, birth_date, address, phone, region, insured) "
                   "VALUES (?, '测试', '1', '1970-01-01', '陕西省西安市', '13800000000', '610100', 1)", (id_number,))
        if with_card:
            card_number = f"T{n:08d}"
            db.execute("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, "
                       "lost_until, updated_at) VALUES (?, ?, '610100', ?, '2021-06-01', '2031-06-01', ?, ?)",
                       (card_number, id_number, with_card,
                        (now() + dt.timedelta(days=5)).isoformat() if with_card == "temp_lost" else None, stamp))
    return id_number, card_number


def new_fee_order(service, amount_fen: int = 2000) -> tuple[int, int]:
    """An application awaiting payment and its unpaid order: (application id, order id)."""
    id_number, card_number = new_person(service, with_card="lost")
    with service.store.transaction() as db:
        application = db.execute(
            "INSERT INTO applications (id_number, kind, state, created_at, reason, card_number, fee_fen) "
            "VALUES (?, 'replacement', 'awaiting_payment', ?, 'lost', ?, ?) RETURNING id",
            (id_number, now().isoformat(), card_number, amount_fen)).fetchone()[0]
        order = db.execute("INSERT INTO fee_orders (application_id, amount_fen, state, created_at) "
                           "VALUES (?, ?, 'unpaid', ?) RETURNING id", (application, amount_fen, now().isoformat())).fetchone()[0]
    return application, order


def new_accepted_application(service) -> tuple[int, str]:
    """A new-card application ready for issuance: (application id, id number)."""
    id_number, _ = new_person(service)
    with service.store.transaction() as db:
        application = db.execute("INSERT INTO applications (id_number, kind, state, created_at) "
                                 "VALUES (?, 'new', 'accepted', ?) RETURNING id", (id_number, now().isoformat())).fetchone()[0]
    return application, id_number


def texted_code(service, phone: str) -> str:
    """The verification code the service's simulated SMS provider last texted to ``phone`` (the citizen's
    phone, read)."""
    import re
    message = service.sms.last(phone)
    assert message is not None, f"no text message to {phone}"
    return re.search(r"验证码(\d{6})", message.text).group(1)


def verified_phone_change(service, client, id_number: str, phone: str, idempotency_key: str | None = None) -> dict:
    """A phone change as a kiosk makes it: the service texts a code to the number, the code comes back."""
    sent = client.send_contact_code(id_number, phone)
    return client.change_contact(id_number, phone=phone, verification_id=sent["verification_id"],
                                 code=texted_code(service, phone), idempotency_key=idempotency_key)
