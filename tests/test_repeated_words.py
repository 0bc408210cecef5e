"""No text says the same thing twice. Issue 14 item 8: the blocked-PIN message read "…请持身份证和社保卡办理
密码解锁。请持身份证和社保卡选择“密码解锁”。" — the service's words and the kiosk's remedy, joined. A citizen
reading slowly takes the second sentence for a second thing to do.

A text repeats itself when a run of ``RUN`` or more Chinese characters (punctuation aside) occurs twice in it,
or when an English sentence occurs twice. Checked over every screen text, every refusal (the kiosk's and the
card service's), every card-state text, and the screens a journey composes from several of them."""
from __future__ import annotations

import re

from kiosk import cardstates
from kiosk.i18n_en import EN
from tests.i18n_tools import all_texts
from tests.test_refusal_words import kiosk_refusals, service_refusals

RUN = 7          # "请持身份证和社保卡" is 9; a run of 7 is already a whole clause ("身份证和社保卡" is 7)
CJK = re.compile(r"[\u4e00-\u9fff0-9]+")


def repeated_run(text: str, run: int = RUN) -> str | None:
    """The first run of ``run`` Chinese characters (or digits) that occurs twice, not overlapping."""
    chars = "".join(CJK.findall(re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", text)))
    seen: dict[str, int] = {}
    for i in range(len(chars) - run + 1):
        piece = chars[i:i + run]
        if piece in seen and i - seen[piece] >= run:
            first, length = seen[piece], run          # the whole repeated run, for the message
            while i + length < len(chars) and first + length < i and chars[first + length] == chars[i + length]:
                length += 1
            return chars[i:i + length]
        seen.setdefault(piece, i)
    return None


def repeated_sentence(text: str) -> str | None:
    sentences = [s.strip().lower() for s in re.split(r"(?<=[.;!?])\s+", text) if len(s.strip()) > 12]
    return next((s for i, s in enumerate(sentences) if s in sentences[:i]), None)


def chinese_texts() -> dict[str, str]:
    """text → where"""
    texts = {text: where for text, where in all_texts().items()}
    texts.update({zh: w for w, zh, *_ in kiosk_refusals() + service_refusals()})
    for key, state in {**cardstates.STATES, **cardstates.APPLICATIONS}.items():
        texts[state.label_zh + "。" + state.advice_zh] = f"kiosk/cardstates.py {key}"
    for card in [None, *cardstates.STATES]:
        for application in [None, *cardstates.APPLICATIONS]:
            for here in (True, False):
                s = cardstates.describe(card, application, kiosk_activates=here)
                texts[s.label_zh + "。" + s.advice_zh] = f"cardstates.describe({card}, {application}, {here})"
    return texts


def test_the_check_finds_the_message_of_issue_14():
    assert repeated_run("社保卡密码已锁定，请持身份证和社保卡办理密码解锁。请持身份证和社保卡选择“密码解锁”。") == "请持身份证和社保卡"
    assert repeated_run("请持本人身份证和社保卡，在本机选择“启用社保卡”设置密码。") is None
    assert repeated_sentence("Your PIN is locked. Please unlock it. Your PIN is locked.") == "your pin is locked."


def test_no_chinese_text_repeats_a_clause():
    found = {where: (text, piece) for text, where in chinese_texts().items() if (piece := repeated_run(text))}
    assert not found, "\n".join(f"{w}: “{p}” twice in {t}" for w, (t, p) in found.items())


def test_no_english_text_repeats_a_sentence():
    texts = {**{en: f"i18n_en {zh[:12]}" for zh, en in EN.items()},
             **{en: w for w, _zh, en, *_ in kiosk_refusals() + service_refusals()}}
    found = {w: s for en, w in texts.items() if (s := repeated_sentence(en))}
    assert not found, found


def test_the_blocked_pin_screen_of_change_pin_says_the_remedy_once(kiosk):
    """The composed screen the issue quoted: the card's answer that the PIN is blocked, and the remedy."""
    from tests.journey_player import Player, insert
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "pin_locked")]).type("975310")
    assert "锁定" in p.title + p.body
    assert repeated_run(p.title + "。" + p.body) is None, p.body
