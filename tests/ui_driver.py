"""Drives the running Kivy app by touch from a script, on the app's own clock.

A script is a generator: it yields ``Wait`` conditions (a screen to appear, a predicate to hold, frames
to pass) and between them taps widgets with Kivy's UnitTestTouch and saves screenshots. Each wait has a
deadline; a failure is recorded and the app is stopped, so the test never hangs.
"""
from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch


@dataclass
class Wait:
    what: str
    ready: Callable[[], bool]
    timeout: float = 20.0
    frames_after: int = 3          # let the canvas draw before the next step (and screenshot)


class Driver:
    def __init__(self, app, shots_root: str, size: tuple[int, int] = (1280, 800)):
        self.app = app
        self.size = size               # the kiosk's screen: a screenshot of another size is a broken set-up
        self.shots_root = shots_root
        self.error: str | None = None
        self.finished = False          # the script ran to its end (the app did not stop early)
        self.touches: dict[str, int] = {}
        self.shots: list[str] = []
        self._service = "misc"
        self._counting: str | None = None   # a detour's own row in the touch table (``counting``)
        self._counter = 0

    # -- helpers used by scripts ------------------------------------------------------------------
    def screen(self, name: str, timeout: float = 20.0) -> Wait:
        return Wait(f"screen {name!r}", lambda: self.app.sm.current == name, timeout)

    def until(self, what: str, predicate: Callable[[], bool], timeout: float = 20.0) -> Wait:
        return Wait(what, predicate, timeout)

    def current(self):
        return self.app.sm.current_screen

    def service(self, name: str) -> None:
        self._service, self._counter, self._counting = name, 0, None
        self.touches.setdefault(name, 0)

    def counting(self, row: str | None) -> None:
        """Touches from here count for ``row`` (a deliberate detour, e.g. a wrong PIN, or what comes after the
        service is done), until ``counting(None)``; screenshots stay in the service's folder."""
        self._counting = row
        if row:
            self.touches.setdefault(row, 0)

    def tap(self, widget) -> None:
        # a citizen can only touch what is on screen: a widget off the tree (another page of answers) would be
        # "tapped" at its stale position, on whatever is drawn there now
        assert widget.get_root_window() is not None, f"{widget!r} is not on screen"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        row = self._counting or self._service
        self.touches[row] = self.touches.get(row, 0) + 1

    def open(self, service: str):
        """From the home screen (the menu, Kivy name "attract"): turn its pages to the service's tile and
        touch it. A generator: ``yield from d.open("status")``."""
        yield self.screen("attract")
        menu = self.app.sm.get_screen("attract")
        while f"tile_{service}" not in menu.ids or menu.ids[f"tile_{service}"].parent is None:
            assert menu.has_next, f"no tile for {service!r} on any page"
            self.tap(menu.ids.next_page)
            yield self.until(f"menu page with {service}", lambda: True, timeout=1)
        tile = menu.ids[f"tile_{service}"]
        # a paused tile cannot be touched: a device just plugged back in is seen at the watch's next poll
        yield self.until(f"{service} tile not paused", lambda: not tile.disabled)
        self.tap(tile)

    def tap_id(self, widget_id: str, screen=None) -> None:
        self.tap((screen or self.current()).ids[widget_id])

    def key(self, label: str):
        for key in self.current().ids.keypad.children:
            if getattr(key, "text", None) == label:
                return key
        raise AssertionError(f"no key {label!r} on {self.app.sm.current}")

    def type_pin(self, digits: str) -> None:
        """The digits, one key each. A PIN goes on by itself after its sixth digit; shown digits (a phone
        number) are confirmed with 确认."""
        for digit in digits:
            self.tap(self.key(digit))
        if not self.current().secret:
            self.tap(self.current().ids.confirm)

    def press_key(self, key: int, scancode: int = 0) -> None:
        Window.dispatch("on_keyboard", key, scancode, None, [])

    def shot(self, label: str) -> str:
        assert tuple(Window.size) == self.size, f"window is {tuple(Window.size)}, not {self.size}: was Kivy's " \
                                                "window imported before boot.prepare()?"
        self._counter += 1
        folder = os.path.join(self.shots_root, self._service)
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, f"{self._counter:02d}-{label}.png")
        made = Window.screenshot(name=os.path.join(folder, "tmp.png"))
        os.replace(made, target)
        self.shots.append(target)
        return target

    # -- running ------------------------------------------------------------------------------------
    def run(self, script) -> None:
        gen = script(self)
        state = {"wait": None, "deadline": 0.0, "frames": 0}

        def advance(value=None):
            try:
                wait = gen.send(value)
            except StopIteration:
                self.finished = True
                self.app.stop()
                return False
            state.update(wait=wait, deadline=time.monotonic() + wait.timeout, frames=-1)
            return True

        def tick(_dt):
            try:
                wait = state["wait"]
                if wait is None:
                    return advance()
                if state["frames"] >= 0:             # condition met: count frames, then resume
                    state["frames"] += 1
                    if state["frames"] >= wait.frames_after:
                        return advance()
                    return True
                if wait.ready():
                    state["frames"] = 0
                elif time.monotonic() > state["deadline"]:
                    screen = self.current()
                    shown = " / ".join(str(getattr(screen, a)) for a in ("title", "body", "error")
                                       if getattr(screen, a, ""))
                    raise AssertionError(f"timed out waiting for {wait.what}; on screen "
                                         f"{self.app.sm.current!r} showing {shown!r}")
                return True
            except Exception:
                self.error = traceback.format_exc()
                self.app.stop()
                return False

        Clock.schedule_interval(tick, 0)
