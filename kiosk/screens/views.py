"""Screen classes: thin views. They show what a controller tells them and report touches back."""
from __future__ import annotations

import random

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk import masking


class KioskRoot(BoxLayout):
    countdown_text = StringProperty("")


class Tile(ButtonBehavior, BoxLayout):
    glyph = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    notice = StringProperty("")          # set when the service is paused: what is down
    pressed = BooleanProperty(False)

    def on_state(self, _, value):
        self.pressed = value == "down"


class AttractScreen(Screen):
    def show_availability(self, watch) -> None:
        for service, tile in (("status", self.ids.tile_status), ("change_pin", self.ids.tile_change_pin),
                              ("issue", self.ids.tile_issue), ("loss", self.ids.tile_loss),
                              ("release", self.ids.tile_release)):
            down = watch.unavailable(service)
            tile.notice = f"暂停服务：{'、'.join(down)}未就绪" if down else ""


class WaitScreen(Screen):
    """"Place your ID card" / "insert your card": an instruction, a picture and a way back."""
    title = StringProperty("")
    hint = StringProperty("")
    kind = OptionProperty("id", options=("id", "card"))
    countdown = StringProperty("")


class BusyScreen(Screen):
    text = StringProperty("正在处理")


class StatusResultScreen(Screen):
    who = StringProperty("")
    label = StringProperty("")
    advice = StringProperty("")
    extra = StringProperty("")
    tone = StringProperty("info")
    on_print = None      # set by the controller

    def show(self, result, on_print) -> None:
        self.on_print = on_print
        self.who = f"{masking.name(result.name)}  {masking.id_number(result.id_number)}"
        self.label = result.state.label_zh
        self.advice = result.state.advice_zh
        self.tone = result.state.tone
        self.extra = f"社保卡号：{masking.card_number(result.card_number)}" if result.card_number else ""


class MessageScreen(Screen):
    title = StringProperty("")
    body = StringProperty("")
    tone = StringProperty("info")
    primary_text = StringProperty("完成")
    secondary_text = StringProperty("")
    on_primary = None
    on_secondary = None

    def show(self, title: str, body: str, tone: str, primary: tuple, secondary: tuple | None) -> None:
        self.title, self.body, self.tone = title, body, tone
        self.primary_text, self.on_primary = primary
        self.secondary_text, self.on_secondary = secondary or ("", None)


class PinEntryScreen(Screen):
    """An on-screen PIN pad writing into a PinBuffer it is given; the digits are never shown or kept."""
    prompt = StringProperty("")
    hint = StringProperty("")
    error = StringProperty("")
    dots = StringProperty("")
    randomise = BooleanProperty(False)
    pin = ObjectProperty(None, allownone=True)

    on_confirm = None

    def __init__(self, **kw):
        super().__init__(**kw)
        self._build_keys()

    def _build_keys(self) -> None:
        digits = list("1234567890")
        if self.randomise:
            random.SystemRandom().shuffle(digits)
        keypad = self.ids.keypad
        keypad.clear_widgets()
        for label in digits[:9] + ["清除", digits[9], "退格"]:
            key = Factory.PinKey(text=label, font_size="44sp" if label.isdigit() else "28sp")
            key.bind(on_release=self._key)
            keypad.add_widget(key)

    def ask(self, prompt: str, hint: str, pin, on_confirm, error: str = "") -> None:
        self.prompt, self.hint, self.error, self.pin, self.on_confirm = prompt, hint, error, pin, on_confirm
        self._refresh()

    def _refresh(self) -> None:
        filled = len(self.pin) if self.pin is not None else 0
        self.dots = "●" * filled + "○" * (6 - filled)

    def _key(self, button) -> None:
        if self.pin is None:
            return
        if button.text == "清除":
            self.pin.clear()
        elif button.text == "退格":
            self.pin.pop()
        else:
            self.pin.push(button.text)
            self.error = ""
        self._refresh()

    def confirm(self) -> None:
        if self.pin is None:
            return
        if not self.pin.complete:
            self.error = "请输入6位数字密码"
            return
        self.on_confirm()


class IssuingScreen(Screen):
    """Issuance progress: every step listed, the current one highlighted, the finished ones ticked."""

    def show(self, steps: list[tuple[str, str]], current: str | None) -> None:
        from kivy.uix.label import Label
        from kiosk.screens import theme
        box = self.ids.steps
        box.clear_widgets()
        keys = [k for k, _ in steps]
        done = keys.index(current) if current in keys else -1
        for i, (_, text) in enumerate(steps):
            mark, colour = ("✓ ", theme.GOOD) if i < done else (("▶ ", theme.PRIMARY) if i == done else ("· ", theme.MUTED))
            box.add_widget(Label(text=mark + text, font_size="30sp", color=colour, size_hint_y=None, height="52dp",
                                 halign="left", valign="middle", text_size=(800, None), bold=i == done))
