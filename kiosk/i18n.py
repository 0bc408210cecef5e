"""Two languages on screen, switched live.

A screen text is a ``Text``: a ``str`` whose value is the Chinese (so logs, tests and Kivy's
StringProperty see ordinary Chinese), carrying how to say it in English. The UI shows
``tr(text, lang)``; switching the language re-renders what is on screen from the same ``Text``
objects, so nothing the citizen has done is lost.

- ``_(zh_template, **values)``: a literal from the code; its English comes from the catalogue
  (kiosk/i18n_en.py), keyed by the Chinese template. A test checks that every literal has one.
- ``both(zh, en)``: a text that already comes in two languages (a typed error, a service refusal).
- values may themselves be ``Text`` (translated too) or plain data (names, numbers: shown as they are).
"""
from __future__ import annotations

import logging

from kiosk.i18n_en import EN

log = logging.getLogger(__name__)
LANGUAGES = ("zh", "en")
_missing_reported: set[str] = set()


class Text(str):
    template: str
    values: dict
    en_text: str | None

    def __new__(cls, zh: str, *, template: str | None = None, values: dict | None = None,
                en: str | None = None) -> "Text":
        self = super().__new__(cls, zh)
        self.template = template if template is not None else zh
        self.values = values or {}
        self.en_text = en
        return self

    def in_(self, lang: str) -> str:
        if lang == "zh":
            return str(self)
        if self.en_text is not None:
            return self.en_text
        template = EN.get(self.template)
        if template is None:
            if self.template not in _missing_reported:
                _missing_reported.add(self.template)
                log.warning("no English for screen text %r; showing Chinese", self.template)
            return str(self)
        return template.format(**{k: tr(v, lang) for k, v in self.values.items()})


def _(template: str, **values) -> Text:
    zh = template.format(**{k: str(v) for k, v in values.items()}) if values else template
    return Text(zh, template=template, values=values)


def both(zh: str, en: str) -> Text:
    return Text(zh, en=en)


def of_error(exc) -> Text:
    """A typed error's own two texts (kiosk.errors.KioskError: every Refusal and fault carries zh and en)."""
    return both(exc.zh, exc.en)


class Joined(Text):
    """Texts shown one after another: Chinese runs on, English gets a space between sentences."""
    parts: tuple

    def in_(self, lang: str) -> str:
        if lang == "zh":
            return str(self)
        sentences = [tr(p, lang).strip() for p in self.parts if str(p)]
        return " ".join(s if s.endswith((".", "!", "?", ":")) or i == len(sentences) - 1 else s + "."
                        for i, s in enumerate(sentences))


def join(*parts) -> Text:
    text = Joined("".join(str(p) for p in parts))
    text.parts = parts
    return text


def tr(text, lang: str) -> str:
    """What to show for ``text`` in ``lang``: a plain str (a name, a number) is shown as it is."""
    if isinstance(text, Text):
        return text.in_(lang)
    if isinstance(text, str) and lang != "zh" and text in EN:
        return EN[text]
    return "" if text is None else str(text)


class ListText(Text):
    items: tuple

    @classmethod
    def of(cls, items) -> "ListText":
        text = cls("、".join(str(i) for i in items))
        text.items = tuple(items)
        return text

    def in_(self, lang: str) -> str:
        return str(self) if lang == "zh" else ", ".join(tr(i, lang) for i in self.items)


def listing(items) -> Text:
    """A list of names: 身份证读卡器、社保卡读卡器 / ID card reader, card reader."""
    return ListText.of(list(items))
