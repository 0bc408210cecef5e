"""Shared steps of the issuance tests on the embedded default (no pytest fixtures here)."""
from __future__ import annotations

import threading

from kiosk import demo
from kiosk.flows.issuance import IssuanceFlow
from kiosk.hw.cardreader.ssse import SFI_EF05


def replacement_paid(kiosk, key="normal") -> IssuanceFlow:
    """A lost card reported, its replacement applied for and the 20-yuan fee paid: ready to issue."""
    service, person = kiosk.devices.service, demo.by_key(key)
    service.report_loss(person.card_number, "formal", id_verified=True)
    application = service.apply(person.id_number, "replacement", reason="lost")
    service.pay(application["fee_order"]["id"])
    return IssuanceFlow(kiosk.devices, application["id"], person.name, person.id_number)


def first_card(kiosk, key="no_card") -> IssuanceFlow:
    """Someone else's first card (another citizen, another application)."""
    person = demo.by_key(key)
    application = kiosk.devices.service.apply(person.id_number, "new", photo=True)
    return IssuanceFlow(kiosk.devices, application["id"], person.name, person.id_number)


def citizen_takes_cards(kiosk) -> None:
    """Whatever card reaches the gate is taken once the move has finished."""
    sim = kiosk.hands.issuer_sim
    inner = sim.on_move

    def on_move(position, cause, card=None):
        inner(position, cause, card)
        if position == "gate":
            threading.Thread(target=sim.take_card, daemon=True).start()
    sim.on_move = on_move


def watch_chip_station(kiosk) -> list:
    """Every card the module's chip reader is given, in order (one entry per distinct card)."""
    seen, slot = [], kiosk.hands.station.slot
    insert = slot.insert

    def recording(card):
        if not any(card is c for c in seen):
            seen.append(card)
        insert(card)
    slot.insert = recording
    return seen


def number_on(card) -> str | None:
    value = card.records[SFI_EF05].get(0x07)
    return value.decode() if value else None


def run(issuance, take_timeout=5):
    """The outcome, or the exception the screen would be given."""
    try:
        return issuance.run(take_timeout=take_timeout)
    except Exception as exc:        # noqa: BLE001 - what reaches the screen is the point of these tests
        return exc


def journal_outcomes(kiosk) -> list:
    return [row["outcome"] for row in kiosk.devices.journal.transactions("issuance")]
