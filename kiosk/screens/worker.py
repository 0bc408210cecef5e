"""Blocking work off the UI thread; results come back on the UI thread through the Kivy clock.

Each call carries the session generation it was started in: when the session has been reset meanwhile
(timeout, cancel), a late answer is dropped instead of dragging the screen back into an old session.
"""
from __future__ import annotations

import logging
import threading

from kivy.clock import Clock

log = logging.getLogger(__name__)


class Worker:
    def __init__(self) -> None:
        self.generation = 0

    def new_session(self) -> None:
        self.generation += 1

    def run(self, fn, on_done, on_error) -> None:
        generation = self.generation

        def deliver(callback, value):
            def call(_dt):
                if generation == self.generation:
                    callback(value)
            Clock.schedule_once(call)

        def work():
            try:
                result = fn()
            except Exception as exc:   # every failure goes back to the screen; none may kill the app
                deliver(on_error, exc)
            else:
                deliver(on_done, result)
        threading.Thread(target=work, name="kiosk-worker", daemon=True).start()
