"""The one Kivy driver of every citizen journey (kiosk/flows/steps.py): it shows the journey's current step
on its screen, runs the step's blocking part on the worker, and sends the citizen's answer (or the work's
result, or its exception) back into the journey. It decides nothing: which step comes next and every rule
are the journey's. ``VIEWS`` is the table from a step to the screen that shows it.

Every way a journey can end comes through here: it returns (done, or nobody there), a step raises what it
does not catch (a refusal or a fault: its words on screen; anything else: "system busy"), the citizen leaves
(``cancel``: CitizenLeft is thrown in, so the journey can hand back what it holds), or the session ends
(``stop``: the generator is closed and its ``finally`` wipes). The app runs every journey inside
``kiosk.flows.attended``, so the first three end only once the citizen's cards are out of the machine.
"""
from __future__ import annotations

import logging
import threading

from kivy.clock import Clock

from kiosk.errors import KioskError, Refusal
from kiosk.flows import steps as s
from kiosk.flows.attended import ENDS_BY_ITSELF
from kiosk.flows.photo_step import ConfirmPhoto
from kiosk.i18n import _, join

log = logging.getLogger(__name__)


class JourneyDriver:
    def __init__(self, app, name: str, journey, keeper=None):
        self.app = app
        self.name = name
        self.journey = journey
        self.keeper = keeper     # the ID card the journey read, kept for a refusal's offer (flows/kept_id.py)
        self.step: s.Step | None = None
        self.cancelled = threading.Event()     # set when the citizen leaves: a blocking wait ends at once
        self.step_over = threading.Event()     # set when the step on screen is left: its watchers end
        self.cards_seen = False                # the last screen on has seen a card inside (it ends on removal)
        self.offer: str | None = None          # the service a refusal on screen offers (its button's answer)
        self.finished = False

    # -- running the generator --------------------------------------------------------------------------
    def start(self) -> None:
        self._resume(lambda: next(self.journey))

    def _resume(self, go) -> None:
        self.step_over.set()
        self.step_over = threading.Event()
        self.cards_seen = False
        try:
            step = go()
        except StopIteration as stop:
            if stop.value == s.OFFER and self.offer:     # the refusal's button: its service, the ID card kept
                self.finished = True
                self.app.start_service(self.offer, id_card=self.keeper.take() if self.keeper else None)
                return
            self._end(stop.value if isinstance(stop.value, str) else "done")
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
        offer = None
        if shown.secondary:       # a refusal's offered service, begun with the ID card this one read
            offer = (shown.secondary[1],
                     lambda: self.app.start_service(s.offer_of(exc), id_card=self.keeper.take()))
        self.app.message(shown.title, shown.body, tone=shown.tone,
                         primary=(_("完成"), lambda: self.app.home("failed")), secondary=offer)

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
        self.step_over.set()
        self.finished = True
        try:
            self.journey.close()
        except Exception:            # a wipe that failed must not keep the next citizen from starting
            log.exception("%s: journey did not close cleanly", self.name)
        if self.keeper is not None:
            self.keeper.wipe()


# -- the table: a step → its screen ----------------------------------------------------------------------------
def _place_id(d: JourneyDriver, step) -> None:
    _wait(d, step, "id")


def _insert_card(d: JourneyDriver, step) -> None:
    _wait(d, step, "card")


def _wait(d: JourneyDriver, step, kind: str) -> None:
    timeout = d.app.timeout_s(step.timeout_s) * d.app.step_time_scale
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
    take, cancelled = d.app.timeout_s(step.take_timeout_s) * d.app.step_time_scale, d.cancelled
    d.app.show("issuing").show(listed, first, step.done, take)
    d.app.say(step.says)

    def show(key: str) -> None:
        screen = d.app.sm.get_screen("issuing")
        screen.show(listed, key, step.done, take)
        if key == listed[-1][0]:       # the card comes to the gate: its own full screen, arrow and countdown
            d.app.take_new_card(take)
        else:
            d.app.say(step.steps.get(key, ""))
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
    if step.error is not None:
        d.offer = s.offer_of(step.error)
    screen = d.app.message(step.title, step.body, tone=step.tone, primary=_button(d, step, step.primary),
                           secondary=_button(d, step, step.secondary))
    screen.emphasis = step.emphasis
    if step.read_back:
        d.app.say(step.read_back, cache=False)
    _ends_on_removal(d, step)


def _status(d: JourneyDriver, step: s.ShowStatus) -> None:
    answer = d.answer_of(step)
    d.app.show("status_result").show(step.result, on_print=lambda: answer(s.RECEIPT))
    d.app.say(step.says)
    _ends_on_removal(d, step)


REMOVAL_WATCH_S = 3600     # a last screen watches for the cards as long as it is on (its step_over ends it)


def _ends_on_removal(d: JourneyDriver, step) -> None:
    """A journey's last screen ends by itself (as if "完成" were pressed) once the cards are taken out; the
    presence is asked on the worker, never on the UI thread."""
    watch = getattr(step, "until_removed", None)
    if watch is None:
        return
    answer, over = d.answer_of(step), d.step_over
    screen = d.app.sm.current_screen

    def inside(_key) -> None:          # a card is in: the screen says it ends by itself once it is taken
        d.cards_seen = True
        if hasattr(screen, "body") and ENDS_BY_ITSELF not in screen.body:
            screen.body = join(screen.body, "\n", ENDS_BY_ITSELF) if screen.body else ENDS_BY_ITSELF

    def removed(gone) -> None:
        if gone:
            log.info("%s: the cards were taken out; the last screen ends by itself", d.name)
            answer(s.DONE)
    report = d.progress(step, inside)
    d.app.worker.run(lambda: watch(REMOVAL_WATCH_S, over, on_progress=report), removed,
                     lambda exc: log.warning("%s: card presence not known: %s", d.name, exc))


def _take_cards(d: JourneyDriver, step: s.TakeCards) -> None:
    """Shown only when the wait reports a card still inside; reminded with a beep and the words; staff
    called when it stays (the wait does that on the worker and reports it)."""
    def show(key: str) -> None:
        if key in s.TakeCards.titles:
            d.app.take_cards(s.TakeCards.titles[key], key)
        elif key == "remind":
            d.app.remind()
        elif key == "staff":
            d.app.sm.get_screen("take_cards").note = s.TakeCards.staff_called
    cancelled = d.cancelled
    report = d.progress(step, show)
    d.run_blocking(step, lambda: step.wait(step.timeout_s, cancelled, on_progress=report))


def _qr(d: JourneyDriver, step: s.ShowQr) -> None:
    d.app.qr(step.title, step.body, step.note, step.payload, _button(d, step, step.close),
             extra=_button(d, step, step.extra))


def _confirm_photo(d: JourneyDriver, step: ConfirmPhoto) -> None:
    d.app.show("photo").show(step.title, step.body, step.snapshot, _button(d, step, step.primary),
                             _button(d, step, step.secondary))
    d.app.say(step.title)


def _camera(d: JourneyDriver, step: s.LookAtCamera) -> None:
    """The camera loop runs on the worker and hands each frame here: converted to bytes there, drawn on the
    UI thread; a frame still waiting to be drawn is replaced by the newer one (never a queue of frames)."""
    timeout = d.app.timeout_s(step.timeout_s)
    screen = d.app.camera(step.title, timeout)
    cancelled = d.cancelled
    latest: list = [None]
    lock = threading.Lock()

    def draw(_dt) -> None:
        with lock:
            frame, latest[0] = latest[0], None
        if frame is None or d.step is not step or d.finished:
            return
        if screen.show_frame(*frame):
            d.app.say(frame[2].text)

    def on_frame(image, guidance) -> None:          # the worker thread
        with lock:
            waiting = latest[0] is not None
            latest[0] = (image.size, image.convert("RGB").tobytes(), guidance)
        if not waiting:
            Clock.schedule_once(draw)
    d.run_blocking(step, lambda: step.run(timeout, cancelled, on_frame))


def _heading(d: JourneyDriver, step: s.Heading) -> None:
    d.app.root.title_text = step.title
    d.answer_of(step)(None)


VIEWS = {s.PlaceIdCard: _place_id, s.InsertCard: _insert_card, s.Work: _work, s.Pay: _pay,
         s.MakeCard: _make_card, s.Choose: _choose, s.EnterDigits: _keypad, s.Message: _message,
         s.ShowStatus: _status, s.ShowQr: _qr, s.Heading: _heading, s.TakeCards: _take_cards,
         ConfirmPhoto: _confirm_photo, s.LookAtCamera: _camera}
