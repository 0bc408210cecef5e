"""Steps shared by the UI test scripts. No Kivy import here: the test modules import this at collection,
before boot.prepare() has set the window's size (importing Kivy's window first would open it at 800×600)."""
from __future__ import annotations


def refusal(d, name: str, service: str, id_key: str, card_key: str | None, words: str):
    """A service refused in words after the ID card (and the card) are read; then back to the start."""
    app, hands = d.app, d.app.kiosk.hands
    d.service(name)
    yield from d.open(service)
    yield d.screen("place_id")
    hands.place_id_card(id_key)
    if card_key:
        yield d.screen("insert_card")
        hands.insert_card(card_key)
    yield d.until("refused", lambda: app.sm.current == "message" and d.current().title == "无法继续办理"
                  and words in d.current().body)
    d.shot("refused")
    d.tap_id("primary")
    yield d.screen("attract")
    hands.remove_id_card()
    hands.remove_card()
