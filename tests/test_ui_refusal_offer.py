"""Refusals that lead somewhere, by touch under Xvfb (issue 14, items 6, 11, 12): a citizen with no card asks
for a replacement, is refused with a button to "申领社保卡", and the button opens the application with the ID
card already read (no second "place your ID card" screen); the ID card screen says which cards the reader
takes and where a passport holder goes; the cancellation guide asks why and lists what to bring.
Screenshots under tests/artifacts/screens/refusal_offer/ and cancel_guide/."""
from __future__ import annotations

import pytest

from tests.ui_app import kiosk_app

pytestmark = pytest.mark.timeout(300)


def message(d, title: str, words: str = ""):
    return d.until(f"message {title!r}", lambda: d.app.sm.current == "message" and d.current().title == title
                   and words in d.current().body)


def script(d):
    app = d.app
    hands = app.kiosk.hands
    seen: list[str] = []
    app.sm.bind(current=lambda _sm, name: seen.append(name))
    yield d.screen("attract")

    # -- a refusal with its button, leading to the suggested service with the ID card kept ----------------
    d.service("refusal_offer")
    yield from d.open("replace")
    yield d.screen("place_id")
    d.shot("place_id_says_which_cards")
    app.switch_language()
    yield d.until("English", lambda: True, timeout=1)
    d.shot("place_id_says_which_cards_en")
    app.set_elderly(True)
    yield d.until("elderly", lambda: True, timeout=1)
    d.shot("place_id_says_which_cards_en_elderly")
    app.set_elderly(False)
    app.switch_language()
    hands.place_id_card("no_card")
    yield message(d, "无法继续办理", "“申领社保卡”")
    assert d.current().secondary_text == "办理“申领社保卡”" and d.current().ids.secondary.opacity == 1
    d.shot("refused_with_button")
    app.switch_language()
    yield d.until("English", lambda: True, timeout=1)
    d.shot("refused_with_button_en")
    app.switch_language()
    seen.clear()
    d.tap_id("secondary")
    yield message(d, "确认申领社保卡")
    assert "place_id" not in seen, f"the ID card was asked for again: {seen}"
    d.shot("offered_service_without_a_second_id")
    d.tap_id("secondary")                         # 返回首页: nothing made; the ID card asked back, then home
    yield d.screen("take_cards")
    hands.remove_id_card()
    yield d.screen("attract")

    # -- the cancellation guide: why, then where and what to bring ---------------------------------------
    d.service("cancel_guide")
    yield from d.open("cancel")
    yield d.until("reasons", lambda: app.sm.current == "choice" and "choice_death" in d.current().ids)
    d.shot("reasons")
    d.tap_id("choice_death")
    yield message(d, "注销指引：持卡人去世", "请携带")
    d.shot("guide")
    app.switch_language()
    yield d.until("English", lambda: True, timeout=1)
    d.shot("guide_en")
    app.switch_language()
    app.set_elderly(True)
    yield d.until("elderly", lambda: True, timeout=1)
    d.shot("guide_elderly")
    app.set_elderly(False)
    d.tap_id("primary")
    yield d.screen("attract")


def test_a_refusal_button_leads_to_the_offered_service_with_the_id_card_kept(tmp_path, display):
    with kiosk_app(tmp_path, script) as run:
        made = run.kiosk.hands.issuer_sim.hopper
    assert made == 50                              # declined at the confirmation: no card left the hopper
