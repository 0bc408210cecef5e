"""What a citizen would see as broken on the screen shown now, found by walking the widget tree: a button or
label (partly) outside the window or its parent's box, one overlapping a sibling, text that does not fit its
box (or was cut short with "…"), a button too small for a finger, and Chinese lines broken against the rules (a line starting with "，" or
"。", ending with "（" or "“", a number split from its unit or cut in two, a last line of one character).

``problems(widget)`` returns them as sentences (empty: all fits). Any UI test may call it on the screen it
screenshots: ``assert not problems(app.root), problems(app.root)``. Kivy is imported by the caller first
(boot.prepare before Kivy's window); this module only reads widgets.
"""
from __future__ import annotations

TOLERANCE = 1.0       # px: rounding in Kivy's layouts
MIN_TOUCH_PX = 64     # a button lower than this is no finger-sized target (the top bar's are 68 px)
CLOSING = set("，。、；：？！）」』》】〕〉”’…%")
OPENING = set("（「『《【〔〈“‘")


def _rect(widget):
    """The widget's box in window coordinates."""
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    return x0, y0, x1, y1


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > TOLERANCE and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE


def _shown(widget) -> bool:
    return widget.opacity > 0 and widget.width > 0 and widget.height > 0


def _texty(widget) -> bool:
    from kivy.uix.label import Label
    return isinstance(widget, Label) and bool(widget.text.strip())


def _name(widget) -> str:
    from kivy.uix.label import Label
    text = ""
    if isinstance(widget, Label):
        plain = _plain(widget.text).replace("\n", " ")
        text = f" {plain[:24]!r}" + ("…" if len(plain) > 24 else "")
    return f"{type(widget).__name__}{text}"


def _plain(markup: str) -> str:
    from kiosk.linebreak import _units
    return "".join(char for _source, char in _units(markup))


def _holds_text(widget) -> bool:
    return _shown(widget) and (_texty(widget) or any(_holds_text(c) for c in widget.children))


def lines_of(label) -> list[str]:
    """The lines Kivy laid the label's text out in (after wrapping)."""
    cached = getattr(label._label, "_cached_lines", None) or []
    return ["".join(word.text for word in line.words) for line in cached]


def _break_problems(label) -> list[str]:
    lines = [line for line in lines_of(label) if line.strip()]
    if not any("\u2e80" <= c <= "\u9fff" for c in "".join(lines)):
        return []
    found = []
    for before, after in zip(lines, lines[1:]):
        before, after = before.rstrip(), after.lstrip()
        if after[0] in CLOSING:
            found.append(f"a line starts with {after[0]!r}")
        if before[-1] in OPENING:
            found.append(f"a line ends with {before[-1]!r}")
        if before[-1].isdigit() and (after[0].isdigit() or "\u4e00" <= after[0] <= "\u9fff"):
            found.append(f"a number is split from what follows ({before[-4:]!r} / {after[:2]!r})")
        if before[-1].isascii() and before[-1].isalnum() and after[0].isascii() and after[0].isalnum():
            found.append(f"a word or number is cut ({before[-4:]!r} / {after[:4]!r})")
    last = lines[-1].strip() if len(lines) > 1 else ""
    if len([c for c in last if c not in CLOSING]) == 1 and "\u4e00" <= last[0] <= "\u9fff":
        found.append(f"the last line is one character ({lines[-2][-3:]!r} / {last!r})")
    return found


def problems(root, window_size=None, check_breaks: bool = True, skip: tuple[str, ...] = ("SimPanel",)) -> list[str]:
    """Everything that does not fit under ``root`` (e.g. app.root), as sentences. Widgets of the classes
    named in ``skip`` are not looked at (the simulator panel is a test tool, not the citizen's screen)."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView
    width, height = window_size or Window.size
    window = (0, 0, width, height)
    found: list[str] = []

    def walk(widget, path: str, scrolled: bool) -> None:
        if not _shown(widget) or widget.disabled and widget.opacity < 1 or type(widget).__name__ in skip:
            return
        from kivy.uix.button import Button
        from kivy.uix.screenmanager import Screen
        here = _name(widget) if not path or isinstance(widget, Screen) else f"{path} > {_name(widget)}"
        box = _rect(widget)
        if _texty(widget):
            if not scrolled and not _inside(box, window):
                found.append(f"{here}: outside the window {tuple(round(v) for v in box)}")
            tw, th = widget.texture_size
            if tw > widget.width + TOLERANCE or th > widget.height + TOLERANCE:
                found.append(f"{here}: text {tw:.0f}x{th:.0f} overflows its box {widget.width:.0f}x{widget.height:.0f}")
            if isinstance(widget, Button) and not widget.disabled and widget.height < MIN_TOUCH_PX - TOLERANCE:
                found.append(f"{here}: only {widget.height:.0f} px high, too small to touch")
            if getattr(widget, "is_shortened", False):
                found.append(f"{here}: text cut short to fit")
            if check_breaks:
                found.extend(f"{here}: {p}" for p in _break_problems(widget))
        children = [c for c in widget.children if _shown(c)]
        inner_scrolled = scrolled or isinstance(widget, ScrollView)
        for child in children:
            if not inner_scrolled and _holds_text(child) and not _inside(_rect(child), box):
                found.append(f"{here} > {_name(child)}: outside its parent's box "
                             f"{tuple(round(v) for v in _rect(child))} not in {tuple(round(v) for v in box)}")
        texty = [c for c in children if _holds_text(c) and type(c).__name__ not in skip]
        for i, a in enumerate(texty):
            for b in texty[i + 1:]:
                if _overlap(_rect(a), _rect(b)):
                    found.append(f"{here}: {_name(a)} overlaps {_name(b)}")
        for child in reversed(children):      # Kivy lists children last-added first
            walk(child, here, inner_scrolled)

    walk(root, "", False)
    return found
