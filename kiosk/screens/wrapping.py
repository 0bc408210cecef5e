"""Labels and buttons that wrap Chinese by its rules (kiosk/linebreak.py) instead of Kivy's.

Kivy wraps at spaces only and cuts a run without spaces (all Chinese) wherever the width runs out. These
widgets put the line breaks in themselves, measured with their own font, just before Kivy lays the text out
(so every width, size and language change re-breaks it); the text property keeps what the kv rule set, so
tests and language switches see the text as written. The .kv rules use them as WrapLabel and WrapButton
(widgets.kv: Heading, Body, BigButton, QuietButton)."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import NumericProperty
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.utils import get_hex_from_color

from kiosk.linebreak import break_markup, break_lines

SLACK_PX = 2          # Kivy measures word by word; a line measured whole may come out a pixel wider


class BreaksLines:
    """Mixin for a Label (or Button): the text is broken by the Chinese rules at the label's wrap width."""

    def shown_text(self) -> str:
        width = self.text_size[0] if self.text_size else None
        text = self.text
        if not width or not text or self.shorten or width <= 0:
            return text
        pad = self.padding[0] + self.padding[2] if len(self.padding) == 4 else 0
        room = width - pad - SLACK_PX
        core = self._label
        cache = {}

        def fits(line: str) -> bool:
            if line not in cache:
                cache[line] = core.get_extents(line)[0] <= room
            return cache[line]
        return break_markup(text, fits) if self.markup else break_lines(text, fits)

    def texture_update(self, *largs):
        shown = self.shown_text()
        if shown == self.text:
            return super().texture_update(*largs)
        if not self.markup:
            self._label.text = shown
            return super().texture_update(*largs)
        # Kivy's Label.texture_update for markup, rendering ``shown`` instead of self.text
        self.texture = None
        core = self._label
        if self.strip:
            shown = shown.strip()
        core.text = "".join(("[color=", get_hex_from_color(self.disabled_color if self.disabled else self.color),
                             "]", shown, "[/color]"))
        core.refresh()
        if core.texture:
            core.texture.bind()
        self.refs, self.anchors = core.refs, core.anchors
        if core.texture is not None:
            self.texture = core.texture
            self.texture_size = list(self.texture.size)
        else:
            self.texture_size = (0, 0)
        self.is_shortened = core.is_shortened


class WrapLabel(BreaksLines, Label):
    pass


class WrapButton(BreaksLines, Button):
    pass


class FitLabel(WrapLabel):
    """A WrapLabel whose type shrinks, from ``base_font_size`` down to ``min_font_size`` at most, until the
    wrapped text fits its box: a title is read whole, never cut short with "…" (the top bar at the elderly
    scale beside the simulator panel)."""
    base_font_size = NumericProperty(0)
    min_font_size = NumericProperty(0)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._refit = Clock.create_trigger(self.refit, -1)
        self.fbind("size", self._refit)
        self.fbind("text", self._refit)
        self.fbind("base_font_size", self._refit)

    def refit(self, *_args) -> None:
        if not self.base_font_size or self.width <= 0 or self.height <= 0:
            return
        size = self.base_font_size
        while True:
            self.font_size = size
            self.texture_update()
            width, height = self.texture_size
            if (width <= self.width and height <= self.height) or size <= self.min_font_size:
                return
            size = max(self.min_font_size, size - 1)


Factory.register("WrapLabel", cls=WrapLabel)
Factory.register("FitLabel", cls=FitLabel)
Factory.register("WrapButton", cls=WrapButton)
