"""The views of the citizen's time and cards (kiosk/flows/attended.py, kiosk/session.py):

- ``MoreTimeView``: the full-screen "还需要更多时间吗？" laid over whatever screen is on, 20 s before the
  session would be wiped. A ModalView on the window: the screen underneath keeps its state, and comes back
  as it was when the citizen answers "继续办理".
- ``TakeCardsScreen``: "请取走…" with a large arrow to the slot, one screen each for the citizen's own cards
  (a visit ending with a card left in) and the new card at the module's gate (with the time left before
  it is captured).
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk.i18n import _


class MoreTimeView(ModalView):
    remaining = NumericProperty(0)
    can_extend = BooleanProperty(True)
    title = StringProperty(_("还需要更多时间吗？"))
    body = StringProperty("")

    def update(self, remaining: int, can_extend: bool) -> None:
        self.remaining, self.can_extend = remaining, can_extend
        self.title = _("还需要更多时间吗？") if can_extend else _("即将返回首页")
        self.body = _("{n}秒后将返回首页，您已办理的内容不会保留。", n=remaining)


class TakeCardsScreen(Screen):
    """"请取走…": words, an arrow down to the slot named under it, and a line that counts down or says
    what is happening (staff called). No button: the step ends when the card is taken."""
    title = StringProperty("")
    hint = StringProperty("")
    slot = StringProperty("")
    countdown = StringProperty("")
    note = StringProperty("")

    def show(self, title, hint, slot, countdown="", note="") -> None:
        self.title, self.hint, self.slot, self.countdown, self.note = title, hint, slot, countdown, note
