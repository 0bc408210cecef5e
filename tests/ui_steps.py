"""Steps shared by the UI test scripts. No Kivy import here: the test modules import this at collection,
before boot.prepare() has set the window's size (importing Kivy's window first would open it at 800×600)."""
from __future__ import annotations


def present_cards(d, service: str, id_key: str | None = None, card_key: str | None = None,
                  shots: tuple[str, ...] = ()):
    """From the start screen: open ``service``, then place the ID card and/or insert the card when the
    kiosk asks for them. ``shots``: which of "place_id", "insert_card" to screenshot on the way."""
    hands = d.app.kiosk.hands
    yield from d.open(service)
    for screen, key, put in (("place_id", id_key, hands.place_id_card), ("insert_card", card_key, hands.insert_card)):
        if key:
            yield d.screen(screen)
            if screen in shots:
                d.shot(screen)
            put(key)


def refusal(d, name: str, service: str, id_key: str, card_key: str | None, words: str):
    """A service refused in words after the ID card (and the card) are read; then back to the start."""
    app, hands = d.app, d.app.kiosk.hands
    d.service(name)
    yield from present_cards(d, service, id_key, card_key)
    yield d.until("refused", lambda: app.sm.current == "message" and d.current().title == "无法继续办理"
                  and words in d.current().body)
    d.shot("refused")
    yield from take_cards(d)


def take_cards(d):
    """The citizen takes the ID card and the card out: a journey's last screen ends by itself, once the kiosk
    has seen them inside (no 完成); any other screen ends by its button, and the kiosk then asks for them."""
    app, hands = d.app, d.app.kiosk.hands
    journey = app.journey
    step = journey.step if journey is not None else None
    inside = hands.idreader_sim.card is not None or hands.card_slot.card is not None
    if getattr(step, "until_removed", None) is not None and inside:
        yield d.until("the last screen sees the cards", lambda: journey.cards_seen, timeout=5)
    else:
        d.tap_id("primary")
    hands.remove_id_card()
    hands.remove_card()
    yield d.screen("attract", timeout=20)
