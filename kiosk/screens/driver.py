"""The one Kivy driver of every citizen journey (kiosk/flows/steps.py): it shows the journey's current step
on its screen, runs the step's blocking part on the worker, and sends the citizen's answer (or the work's
result, or its exception) back into the journey. It decides nothing: which step comes next and every rule
are the journey's. ``VIEWS`` is the table from a step to the screen that shows it.

Every way a journey can end comes through here: it returns (done, or nobody there), a step raises what it
does not catch (a refusal or a fault: its words on screen; anything else: "system busy"), the citizen leaves
(``cancel``: CitizenLeft is thrown in, so the journey can hand back what it holds), or the session ends
(``stop``: the generator is closed and its ``finally`` wipes).
"""
from __future__ import annotations

import logging
import threading

from kivy.clock import Clock

from kiosk.errors import KioskError, Refusal
from kiosk.flows import steps as s
from kiosk.i18n import _

log = logging.getLogger(__name__)


class JourneyDriver:
    def __init__(self, app, name: str, journey):
        self.app = app
        self.name = name
        self.journey = journey
        self.step: s.Step | None = None
        self.cancelled = threading.Event()     # set when the citizen leaves: a blocking wait ends at once
        self.finished = False

    # -- running the generator --------------------------------------------------------------------------
    def start(self) -> None:
        self._resume(lambda: next(self.journey))

    def _resume(self, go) -> None:
        try:
            step = go()
        except StopIteration:
            self._end("done")
            return
        except s.CitizenLeft as left:
            self._end(left.reason)
            return
        except Exception as exc:     # any exception at all ends the journey through the same safe path
            self.finished = True
            self._failed(exc)
            return
        self.step = step
        try:
            VIEWS[type(step)](self, step)
        except Exception as exc:     # a view that cannot show its step ends the journey the same way
            log.error("%s: step %s could not be shown", self.name, type(step).__name__, exc_info=exc)
            self._throw(exc)

    def answer_of(self, step: s.Step):
        """A callback that answers ``step`` — and nothing else: a touch on a screen left behind is ignored."""
        def answer(value=None):
            if not self.finished and self.step is step:
                self.step = None
                self._resume(lambda: self.journey.send(value))
        return answer

    def _throw(self, exc: BaseException) -> None:
        self.step = None
        self._resume(lambda: self.journey.throw(exc))

    def _end(self, reason: str) -> None:
        self.finished = True
        self.app.home(reason)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, KioskError):     # a Refusal or a fault: either way it has the citizen's words
            log.info("%s %s: %s", self.name, "refused" if isinstance(exc, Refusal) else "failed", exc.detail)
        else:
            log.error("%s failed unexpectedly", self.name, exc_info=exc)
        shown = s.failure(exc)
        self.app.message(shown.title, shown.body, tone=shown.tone,
                         primary=(_("完成"), lambda: self.app.home("failed")))

    def run_blocking(self, step: s.Step, work) -> None:
        """``work`` on the worker; its result (or exception) goes back into the journey at ``step``."""
        answer = self.answer_of(step)

        def failed(exc: Exception) -> None:
            if not self.finished and self.step is step:
                self._throw(exc)
        self.app.worker.run(work, answer, failed)

    def progress(self, step: s.Step, show):
        """A callback for the worker thread: ``show(key)`` runs on the UI thread while ``step`` is current."""
        def report(key: str) -> None:
            Clock.schedule_once(lambda _dt: show(key) if self.step is step and not self.finished else None)
        return report

    # -- the citizen leaves, the session ends -----------------------------------------------------------
    def cancel(self, reason: str = "cancel") -> None:
        """A cancel button or the inactivity timer. The running wait ends and its late answer is dropped;
        the journey hears CitizenLeft where it stands and may hand back what it holds before it ends."""
        if self.finished:
            self.app.home(reason)
            return
        self.cancelled.set()
        self.app.worker.new_session()
        self.cancelled = threading.Event()
        self._throw(s.CitizenLeft(reason))

    def stop(self) -> None:
        """The session ends: whatever the journey holds is wiped (its ``finally``), nothing more is shown."""
        self.cancelled.set()
        self.finished = True
        try:
            self.journey.close()
        except Exception:            # a wipe that failed must not keep the next citizen from starting
            log.exception("%s: journey did not close cleanly", self.name)


# -- the table: a step → its screen ----------------------------------------------------------------------------
def _place_id(d: JourneyDriver, step) -> None:
    _wait(d, step, "id")


def _insert_card(d: JourneyDriver, step) -> None:
    _wait(d, step, "card")


def _wait(d: JourneyDriver, step, kind: str) -> None:
    timeout = d.app.timeout_s(step.timeout_s)
    d.app.wait(step.title, step.hint, kind, timeout)
    cancelled = d.cancelled
    progress = getattr(step, "progress", None)
    if progress:
        report = d.progress(step, lambda key: d.app.busy(progress[key]) if key in progress else None)
        d.run_blocking(step, lambda: step.wait(timeout, cancelled, on_progress=report))
    else:
        d.run_blocking(step, lambda: step.wait(timeout, cancelled))


def _work(d: JourneyDriver, step: s.Work) -> None:
    d.app.busy(step.text)
    if step.progress:
        texts = step.progress
        report = d.progress(step, lambda key: d.app.busy(texts[key]) if key in texts else None)
        d.run_blocking(step, lambda: step.run(on_progress=report))
    else:
        d.run_blocking(step, step.run)


def _pay(d: JourneyDriver, step: s.Pay) -> None:
    timeout = d.app.timeout_s(step.timeout_s)
    other = (step.other, lambda: d.cancel(s.CANNOT_SCAN)) if step.other else None
    d.app.qr(step.title, step.body, step.note(timeout), step.payload, (step.give_up, lambda: d.cancel("give_up")),
             extra=other, limit_s=timeout)
    cancelled = d.cancelled
    d.run_blocking(step, lambda: step.wait(timeout, cancelled))


def _make_card(d: JourneyDriver, step: s.MakeCard) -> None:
    listed = list(step.steps.items())
    first = listed[0][0]
    take, cancelled = d.app.timeout_s(step.take_timeout_s), d.cancelled
    d.app.show("issuing").show(listed, first, step.done, take)
    d.app.say(step.says)

    def show(key: str) -> None:
        screen = d.app.sm.get_screen("issuing")
        screen.show(listed, key, step.done, take)
        d.app.say(screen.title if key == listed[-1][0] else step.steps.get(key, ""))
    report = d.progress(step, show)
    d.run_blocking(step, lambda: step.run(take, cancelled, on_progress=report))


def _choose(d: JourneyDriver, step: s.Choose) -> None:
    answer = d.answer_of(step)
    d.app.choose(step.title, step.body, [(o.key, o.label, lambda k=o.key: answer(k)) for o in step.options])


def _keypad(d: JourneyDriver, step: s.EnterDigits) -> None:
    answer = d.answer_of(step)
    d.app.keypad(step.screen, step.title, step.hint, step.buffer, lambda: answer(None), step.error,
                 secret=step.secret)


def _button(d: JourneyDriver, step, button):
    if button is None:
        return None
    key, label = button
    answer = d.answer_of(step)
    return label, lambda: answer(key)


def _message(d: JourneyDriver, step: s.Message) -> None:
    screen = d.app.message(step.title, step.body, tone=step.tone, primary=_button(d, step, step.primary),
                           secondary=_button(d, step, step.secondary))
    screen.emphasis = step.emphasis
    if step.read_back:
        d.app.say(step.read_back, cache=False)


def _status(d: JourneyDriver, step: s.ShowStatus) -> None:
    answer = d.answer_of(step)
    d.app.show("status_result").show(step.result, on_print=lambda: answer(s.RECEIPT))
    d.app.say(step.says)


def _qr(d: JourneyDriver, step: s.ShowQr) -> None:
    d.app.qr(step.title, step.body, step.note, step.payload, _button(d, step, step.close),
             extra=_button(d, step, step.extra))


def _heading(d: JourneyDriver, step: s.Heading) -> None:
    d.app.root.title_text = step.title
    d.answer_of(step)(None)


VIEWS = {s.PlaceIdCard: _place_id, s.InsertCard: _insert_card, s.Work: _work, s.Pay: _pay,
         s.MakeCard: _make_card, s.Choose: _choose, s.EnterDigits: _keypad, s.Message: _message,
         s.ShowStatus: _status, s.ShowQr: _qr, s.Heading: _heading}
