"""Screen classes: thin views. They show what the journey driver (driver.py) tells them and report touches back.
Texts they are given are kiosk.i18n Texts (or plain data); the .kv rules show them in app.lang."""
from __future__ import annotations

import io
import math
import random

from kivy.app import App
from kivy.core.image import Image as CoreImage
from kivy.factory import Factory
from kivy.metrics import dp, sp
from kivy.properties import (BooleanProperty, NumericProperty, ObjectProperty, OptionProperty,
                             StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk import cardstates, digits, masking
from kiosk.i18n import _, both, tr


class KioskRoot(BoxLayout):
    title_text = StringProperty(_("社会保障卡自助服务"))
    staff_text = StringProperty(_("呼叫工作人员"))


class Tile(ButtonBehavior, BoxLayout):
    """A service on the home screen. Its words are fitted to the tile (``fit``): a Chinese title stays on one
    line, in smaller type when the tile is narrow, never wrapping one character onto a line of its own; the
    title and the line under it shrink together (to FLOOR at most) until they fit inside the border. A
    paused service's tile is disabled and says "暂停办理" and why, in plain words (kiosk/screens/menu.py)."""
    glyph = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    notice = StringProperty("")          # set when the service is paused: "暂停办理" and the plain reason
    pressed = BooleanProperty(False)
    title_size = NumericProperty(0)      # set by fit(); 0 until then (the kv rule's base size)
    note_size = NumericProperty(0)
    FLOOR = 0.7                          # the smallest type fit() uses, as a share of the base size

    def __init__(self, **kw):
        super().__init__(**kw)
        from kivy.clock import Clock
        self._refit = Clock.create_trigger(self.fit)
        self.bind(size=self._refit, notice=self._refit)
        self.ids.title_label.bind(text=self._refit)        # a language switch changes the words
        self._refit()

    def on_notice(self, _tile, value) -> None:
        self.disabled = bool(value)      # a paused service cannot be started from its tile

    def on_state(self, _, value):
        self.pressed = value == "down"

    def _one_line_width(self, label, size: float) -> float:
        from kivy.core.text.markup import MarkupLabel
        measure = MarkupLabel(text=label.text, font_size=size, font_name=label.font_name, bold=label.bold)
        measure.refresh()
        return measure.content_width

    def _wrap(self, label, width: float, zh: bool) -> None:
        """Chinese that must wrap is wrapped into lines of even length (never one character left alone);
        other languages wrap at spaces."""
        label.text_size = (width, None)
        if zh:
            wide = self._one_line_width(label, label.font_size)
            if wide > width:
                lines = math.ceil(wide / width)
                label.text_size = (min(width, wide / lines + label.font_size * 1.1), None)

    def fit(self, *_args) -> None:
        app = App.get_running_app()
        if app is None or self.width <= 1:
            return
        title, note = self.ids.title_label, self.ids.note_label
        if title.width <= 1:          # not laid out yet: fitted again when its size comes
            self._refit()
            return
        zh = app.lang == "zh"
        base_title = sp(28 if zh else 24) * app.scale
        base_note = sp(21 if zh else 19) * app.scale
        width = title.width
        room = self.height - self.padding[1] - self.padding[3]
        factors = [1.0, 1.0]
        if zh:        # one line each when a smaller type allows it (a title down to FLOOR, the line under to 0.85)
            for i, (label, base, low) in enumerate(((title, base_title, self.FLOOR), (note, base_note, 0.85))):
                wide = self._one_line_width(label, base)
                if wide > width:
                    factors[i] = max(low, width / wide * 0.98)
        while True:
            self.title_size, self.note_size = base_title * factors[0], base_note * factors[1]
            for label in (title, note):       # the kv rule has set their sizes from these; measure now
                self._wrap(label, width, zh)
                label.texture_update()
            used = title.texture_size[1] + note.texture_size[1] + dp(8)
            if used <= room or max(factors) <= self.FLOOR:
                return
            factors = [max(self.FLOOR, f - 0.05) for f in factors]


class MenuScreen(Screen):
    """The home screen: the services as large tiles, a page at a time (nine per page, six in elderly mode,
    2 × 3), with the 长辈模式 switch beside the greeting. Shown under the Kivy name "attract"."""
    page = NumericProperty(0)
    has_next = BooleanProperty(False)
    page_text = StringProperty("")

    def build(self, menu, watch) -> None:
        self.menu, self.watch = menu, watch
        self.page = 0
        self.refresh()

    def per_page(self) -> int:
        return 6 if App.get_running_app().elderly else 9

    def turn(self, step: int) -> None:
        App.get_running_app().begin_visit()        # another page is a choice: someone is there
        self.page += step
        self.refresh()

    def page_of(self, service: str) -> int:
        keys = [entry.key for entry in self.menu]
        return keys.index(service) // self.per_page()

    def refresh(self) -> None:
        from kiosk.screens.menu import paused_notice
        grid = self.ids.grid
        grid.clear_widgets()
        for name in [n for n in self.ids if n.startswith("tile_")]:
            del self.ids[name]
        n = self.per_page()
        pages = max(1, -(-len(self.menu) // n))
        self.page = min(self.page, pages - 1)
        for entry in self.menu[self.page * n:(self.page + 1) * n]:
            tile = Tile(glyph=entry.glyph, title=entry.title, subtitle=entry.subtitle)
            tile.service = entry.key
            tile.notice = paused_notice(self.watch, entry.key)
            tile.bind(on_release=lambda t: App.get_running_app().start_service(t.service))
            self.ids[f"tile_{entry.key}"] = tile
            grid.add_widget(tile)
        for _filler in range(n - len(grid.children)):
            grid.add_widget(Factory.Widget())
        self.has_next = self.page < pages - 1
        self.page_text = _("第{page}页，共{pages}页", page=self.page + 1, pages=pages) if pages > 1 else ""

    def show_availability(self, watch) -> None:
        from kiosk.screens.menu import paused_notice
        for name, tile in list(self.ids.items()):
            if name.startswith("tile_"):
                notice = paused_notice(watch, tile.service)
                if notice != tile.notice:
                    tile.notice = notice


class WaitScreen(Screen):
    """"Place your ID card" / "insert your card": an instruction, a picture, the time left (counted down each
    second by the app) and a way back."""
    title = StringProperty("")
    hint = StringProperty("")
    kind = OptionProperty("id", options=("id", "card"))
    countdown = StringProperty("")
    seconds = NumericProperty(0)       # the whole time the step waits (doubled in elderly mode)


class BusyScreen(Screen):
    text = StringProperty(_("正在处理"))


class StatusResultScreen(Screen):
    who = StringProperty("")
    label = StringProperty("")
    advice = StringProperty("")
    extra = StringProperty("")
    tone = StringProperty("info")
    on_print = None      # set by the journey driver

    def show(self, result, on_print) -> None:
        self.on_print = on_print
        self.ids.scroll.scroll_y = 1          # a new result is read from its top
        self.who = f"{masking.name(result.name)}  {masking.id_number(result.id_number)}"
        self.label = _("卡片状态：{state}", state=both(result.state.label_zh, result.state.label_en))
        state, unknown = result.state, cardstates.PIN_OUTCOME_UNKNOWN
        notes = [state]                                       # one Text, so a language switch keeps every part
        if getattr(result, "pin_outcome_unknown", False):
            notes.append(unknown)
        if getattr(result, "expiry", None):
            notes.append(result.expiry)
        self.advice = both("\n".join(n.advice_zh for n in notes), "\n".join(n.advice_en for n in notes))
        self.tone = result.state.tone
        expiry = getattr(result, "expiry_date", None)
        self.extra = (both(f"社保卡号：{masking.card_number(result.card_number)}"
                           + (f"    有效期至：{expiry:%Y年%m月%d日}" if expiry else ""),
                           f"Card number: {masking.card_number(result.card_number)}"
                           + (f"    Valid until {expiry.isoformat()}" if expiry else ""))
                      if result.card_number else "")


class MessageScreen(Screen):
    title = StringProperty("")
    body = StringProperty("")
    tone = StringProperty("info")
    primary_text = StringProperty(_("完成"))
    secondary_text = StringProperty("")
    emphasis = StringProperty("")       # a short value to check, shown large above the words (a phone number)
    is_list = BooleanProperty(False)
    on_primary = None
    on_secondary = None

    def show(self, title, body, tone: str, primary: tuple, secondary: tuple | None) -> None:
        self.title, self.body, self.tone, self.emphasis = title, body, tone, ""
        zh = tr(body, "zh") if body else ""
        # a list (what to bring: "· " lines; steps: "一、" lines) reads down the left edge, not centred
        self.is_list = "\n· " in zh or "\n一、" in zh
        self.ids.scroll.scroll_y = 1          # a new message is read from its top
        self.primary_text, self.on_primary = primary
        self.secondary_text, self.on_secondary = secondary or ("", None)


class ChoiceScreen(Screen):
    """A question with large answers (e.g. which kind of loss report, a guardian's services): in one, two or
    three columns, whichever shows them on the fewest pages; every answer as tall as its words need and at
    least finger-sized (MIN_TARGET_DP), never under the top bar or over "返回首页". When they cannot all fit
    (many answers, long words, the elderly scale), they come a page at a time with "上一页"/"下一页"."""
    title = StringProperty("")
    body = StringProperty("")
    cols = NumericProperty(1)
    page = NumericProperty(0)
    pages = NumericProperty(1)
    has_next = BooleanProperty(False)
    page_text = StringProperty("")
    FULL_HEIGHT_DP = 104        # a BigButton's own height (widgets.kv), times the scale; less only if needed
    MIN_TARGET_DP = 96          # the smallest answer (theme: targets ≥ 96 dp for citizens)
    TEXT_MARGIN_DP = 16         # room around a button's wrapped words
    buttons: list = []

    def _gap(self) -> float:
        box = self.ids.options
        return box.spacing[1] if isinstance(box.spacing, (list, tuple)) else box.spacing

    def _text_height(self, button, width: float) -> float:
        button.width = width                 # its text_size follows (widgets.kv); lay the words out now
        button.texture_update()
        return button.texture_size[1] + dp(self.TEXT_MARGIN_DP)

    def _plan(self, cols: int) -> tuple[int, float]:
        """(answers per page, row height) in ``cols`` columns of the space the options have."""
        box, gap = self.ids.options, self._gap()
        width = (box.width - gap * (cols - 1)) / cols
        need = max(dp(self.MIN_TARGET_DP), *(self._text_height(b, width) for b in self.buttons))
        rows = int((box.height + gap) // (need + gap))
        return rows * cols, need          # 0 per page: a row of these does not fit at all

    def fit(self, *_args) -> None:
        """Columns, page size and button heights for the space the options have now."""
        box = self.ids.options
        if not self.buttons or box.height <= 1 or box.width <= 1:
            return
        n = len(self.buttons)
        plans = {cols: self._plan(cols) for cols in (1, 2, 3) if cols == 1 or n > 2}
        fitting = [c for c in plans if plans[c][0]] or [min(plans, key=lambda c: plans[c][1])]
        cols = min(fitting, key=lambda c: (-(-n // max(1, plans[c][0])), c))   # fewest pages, then fewest columns
        per_page, need = max(1, plans[cols][0]), plans[cols][1]
        self.cols, self.per_page = cols, per_page
        self.pages = -(-n // per_page)
        self.page = min(self.page, self.pages - 1)
        shown = self.buttons[self.page * per_page:(self.page + 1) * per_page]
        rows = -(-len(shown) // cols)
        gap, app = self._gap(), App.get_running_app()
        height = max(need, min(dp(self.FULL_HEIGHT_DP) * app.scale, (box.height - gap * (rows - 1)) / rows))
        box.clear_widgets()
        for button in shown:
            button.height = height
            box.add_widget(button)
        self.has_next = self.page < self.pages - 1
        self.page_text = _("第{page}页，共{pages}页", page=self.page + 1, pages=self.pages) if self.pages > 1 else ""

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self.fit()

    def page_of(self, key: str) -> int:
        """Which page shows answer ``key`` (tests turn to it as a citizen would)."""
        return self.buttons.index(self.ids[f"choice_{key}"]) // self.per_page

    def show(self, title, body, options: list[tuple]) -> None:
        """``options``: (key, label, action) — the key names the button for tests (ids.choice_<key>)."""
        self.title, self.body = title, body
        self.ids.options.clear_widgets()
        for name in [n for n in self.ids if n.startswith("choice_")]:
            del self.ids[name]
        self.buttons, self.page, self.per_page = [], 0, len(options)
        for key, label, action in options:
            button = Factory.BigButton()
            button.bind(on_release=lambda _b, act=action: act())
            button.label = label
            self.ids[f"choice_{key}"] = button
            self.buttons.append(button)
        self.relabel()

    def relabel(self, *_args) -> None:
        app = App.get_running_app()
        for button in self.buttons:
            button.markup = True
            button.text = app.tr(button.label, app.lang)
        self.fit()


class QrScreen(Screen):
    """A QR code to scan with a phone (pay a fee, sign up for the e-card), with what to do in words."""
    title = StringProperty("")
    body = StringProperty("")
    note = StringProperty("")
    cancel_text = StringProperty(_("返回首页"))
    extra_text = StringProperty("")      # a second action, e.g. print a receipt
    countdown = StringProperty("")       # the time left to pay, when the step waits for a payment
    on_cancel = None
    on_extra = None
    payload = ""

    def show(self, title, body, note, payload: str, cancel: tuple, extra: tuple | None = None) -> None:
        import qrcode    # python-escpos depends on it already; the receipt prints the same codes
        self.title, self.body, self.note, self.payload = title, body, note, payload
        self.countdown = ""
        self.ids.scroll.scroll_y = 1
        self.cancel_text, self.on_cancel = cancel
        self.extra_text, self.on_extra = extra or ("", None)
        image = qrcode.make(payload, box_size=10, border=2).get_image()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffer.seek(0)
        self.ids.qr.texture = CoreImage(buffer, ext="png").texture
        self.ids.qr.texture.mag_filter = "nearest"     # crisp modules, not blurred edges


class PinEntryScreen(Screen):
    """An on-screen keypad writing into the buffer it is given. For a PIN (a kiosk.pin.PinBuffer) the
    digits are never shown or kept here; with ``randomise`` the digit keys move on every prompt, so a
    watcher cannot read the PIN from the finger's position. A PIN goes on by itself after its sixth digit
    (one touch fewer per PIN, and nothing to look for); shown digits (a phone number) are read and confirmed."""
    prompt = StringProperty("")
    hint = StringProperty("")
    error = StringProperty("")
    dots = StringProperty("")
    secret = BooleanProperty(True)
    randomise = BooleanProperty(False)
    pin = ObjectProperty(None, allownone=True)
    ADVANCE_S = 0.35        # the sixth dot is seen filled before the next screen comes

    on_confirm = None
    _advance = None

    def __init__(self, **kw):
        super().__init__(**kw)
        self._build_keys()

    def _build_keys(self) -> None:
        digits = list("1234567890")
        if self.randomise:
            random.SystemRandom().shuffle(digits)
        keypad = self.ids.keypad
        keypad.clear_widgets()
        for key in digits[:9] + ["clear", digits[9], "back"]:
            button = Factory.PinKey()
            button.key = key
            button.bind(on_release=self._key)
            self.ids[f"key_{key}"] = button
            keypad.add_widget(button)
        self.relabel()

    def relabel(self, *_args) -> None:
        app = App.get_running_app()
        lang = app.lang if app else "zh"
        labels = {"clear": _("清除"), "back": _("更正")}     # 更正: the last digit goes, the rest stays
        for button in self.ids.keypad.children:
            button.text = tr(labels[button.key], lang) if button.key in labels else button.key

    def ask(self, prompt, hint, pin, on_confirm, error="", secret: bool = True) -> None:
        self._cancel_advance()
        self.prompt, self.hint, self.error, self.pin, self.on_confirm = prompt, hint, error, pin, on_confirm
        self.secret = secret
        if self.randomise:
            self._build_keys()
        self._refresh()

    def on_leave(self, *_args) -> None:
        self._cancel_advance()

    def _cancel_advance(self) -> None:
        if self._advance is not None:
            self._advance.cancel()
            self._advance = None

    def _refresh(self) -> None:
        if self.pin is None:
            self.dots = ""
        elif self.secret:
            filled = len(self.pin)
            self.dots = "●" * filled + "○" * (6 - filled)
        else:        # a phone number or a code: in the groups people write it in (139 1234 5678)
            self.dots = digits.grouped(self.pin.text(), self.pin.length)

    def _key(self, button) -> None:
        if self.pin is None or self._advance is not None:      # six digits in: the next screen is coming
            return
        if button.key == "clear":
            self.pin.clear()
        elif button.key == "back":
            self.pin.pop()
        else:
            self.pin.push(button.key)
            self.error = ""
        self._refresh()
        if self.secret and self.pin.complete:
            from kivy.clock import Clock
            self._advance = Clock.schedule_once(self._advanced, self.ADVANCE_S)

    def _advanced(self, _dt) -> None:
        self._advance = None
        self.confirm()

    def confirm(self) -> None:
        if self.pin is None:
            return
        if not self.pin.complete:
            self.error = _("请输入6位数字密码") if self.secret else _("请输入{n}位数字", n=self.pin.length)
            return
        self.on_confirm()


class IssuingScreen(Screen):
    """Issuance progress: every step listed, the current one highlighted, the finished ones ticked and worded
    as done. At the last step (the card at the gate) the heading says so, with the time left to take it."""
    title = StringProperty(_("正在为您制卡，请稍候"))
    hint = StringProperty(_("整个过程约需一分钟，请不要离开"))

    def show(self, steps: list[tuple[str, str]], current: str | None, done: dict | None = None,
             take_s: int | None = None) -> None:
        self.steps, self.current, self.done = steps, current, done or {}
        at_gate = bool(steps) and current == steps[-1][0]
        self.title = _("新卡已制好，请从出卡口取走") if at_gate else _("正在为您制卡，请稍候")
        self.hint = (_("请在{n}秒内取走新卡，超时未取将被回收", n=take_s) if at_gate and take_s else
                     _("整个过程约需一分钟，请不要离开"))
        self.relabel()

    def relabel(self, *_args) -> None:
        from kiosk.screens.wrapping import WrapLabel
        if not hasattr(self, "steps"):
            return
        app = App.get_running_app()
        box = self.ids.steps
        box.clear_widgets()
        keys = [k for k, _t in self.steps]
        done = keys.index(self.current) if self.current in keys else -1
        for i, (key, text) in enumerate(self.steps):
            if i < done:
                text = getattr(self, "done", {}).get(key, text)
            mark, colour = ("✓ ", app.pal.GOOD) if i < done else (("▶ ", app.pal.PRIMARY) if i == done
                                                                   else ("· ", app.pal.MUTED))
            row = WrapLabel(text=mark + app.tr(text, app.lang), markup=True, color=colour, size_hint_y=None,
                            halign="left", valign="middle", bold=i == done)
            # wrapped at the row's own width (a fixed 800 px ran out of the 648 px box beside the panel)
            row.bind(width=lambda label, width: setattr(label, "text_size", (width, None)))
            box.add_widget(row)
        self.fit_rows()

    def fit_rows(self, *_args) -> None:
        """Every step row as high as the room allows, up to 52 px (× the scale), the type following the row."""
        app = App.get_running_app()
        box = self.ids.steps
        rows = box.children
        if not rows or app is None:
            return
        room = (box.height - box.padding[1] - box.padding[3] - box.spacing * (len(rows) - 1)) / len(rows)
        height = max(dp(30), min(dp(52) * app.scale, room))
        for row in rows:
            row.height = height
            row.font_size = min(dp(30) * app.scale, height * 0.62)
