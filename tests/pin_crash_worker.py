"""A kiosk process for the PIN and replacement crash matrices (tests/test_crash_matrix.py). The cards are not
here: the citizen's card sits behind pcscd (vpcd reader 00 00) and the card module is a simulator on a pty,
both owned by the test process, so killing this process does not take the card with it.

``run SERVICE`` runs one service and is SIGKILLed by its own journal at the step named; ``recover`` starts the
kiosk (which recovers), then, with ``--visit SERVICE`` and the PIN the holder types on stdin, makes the
holder's next visit; both print the journal as JSON on their last line.
"""
import json
import os
import signal
import sys
import threading

from kiosk.config import Config
from kiosk.logsetup import configure
from kiosk.pin import PinBuffer
from kiosk.runtime import Kiosk
from kiosk.startup import recover_at_start

NEW = "802468"
KINDS = ("change_pin", "reset_pin", "unlock", "replacement")
HOLDER = {"activate": "sealed", "reset_pin": "normal", "unlock": "pin_locked", "replacement": "normal"}


def kiosk_for(state_dir: str, service_url: str, kiosk_id: str, issuer_port: str) -> Kiosk:
    """The kiosk's start-up as run_kiosk.py makes it: devices, then the recovery step (in both modes)."""
    configure(state_dir)
    kiosk = Kiosk(Config(state_dir=state_dir, service_url=service_url, kiosk_id=kiosk_id, cardreader="vpcd",
                         security="keyservice", issuer_port=issuer_port,
                         issuer_reader="vpcd" if issuer_port != "sim" else "sim", issuer_timing=0), recover=False)
    try:
        recover_at_start(kiosk.devices)
    except BaseException:
        kiosk.close()
        raise
    return kiosk


def holder_flow(kiosk: Kiosk, service: str):
    from kiosk.flows.activate import ActivateFlow
    from kiosk.flows.reset_pin import ResetPinFlow
    from kiosk.flows.unlock import UnlockFlow
    flow = {"activate": ActivateFlow, "reset_pin": ResetPinFlow, "unlock": UnlockFlow}[service](kiosk.devices)
    kiosk.hands.place_id_card(HOLDER[service])
    flow.wait_for_id_card(10, threading.Event())
    flow.wait_for_card(10, threading.Event())
    return flow


def run(kiosk: Kiosk, service: str) -> None:
    if service == "replacement":
        return replace(kiosk)
    flow = holder_flow(kiosk, service)
    write = {"activate": "activate", "reset_pin": "reset", "unlock": "unlock"}[service]
    getattr(flow, write)(PinBuffer.typed(NEW), PinBuffer.typed(NEW))


def replace(kiosk: Kiosk) -> None:
    """Old card in at the gate (the test's citizen pushes it), read and held; apply; pay; capture."""
    from kiosk.flows.replacement import ReplacementFlow
    flow = ReplacementFlow(kiosk.devices)
    kiosk.hands.place_id_card("normal")
    flow.wait_for_id_card(10, threading.Event())
    assert flow.take_old_card(10, threading.Event()) is not None
    flow.apply("damaged")
    kiosk.hands.pay(flow.pay_qr)                  # the citizen's phone
    assert flow.wait_for_payment(10, threading.Event(), poll=0.05)
    flow.capture_old_card()


def visit(kiosk: Kiosk, service: str, typed: str) -> str:
    """The holder comes back: an unlock is tried again; otherwise the card is used with the PIN they know."""
    from kiosk.flows.change_pin import ChangePinFlow
    from kiosk.errors import KioskError
    if service == "unlock":
        try:
            holder_flow(kiosk, service)
        except KioskError as told:          # told in words: a refusal (NotBlocked) or a fault
            return type(told).__name__
        return "unlock_offered"
    flow = ChangePinFlow(kiosk.devices)
    flow.wait_for_card(10, threading.Event())
    try:
        flow.verify_old(PinBuffer.typed(typed))
    except KioskError as told:
        # the initial PIN still works: the VERIFY settled the unknown activation as not applied, and the
        # holder is sent to activation with the ID card (a PIN change never activates: seeds/002, 003)
        return type(told).__name__
    return "verified"


def journal_of(kiosk: Kiosk) -> list[dict]:
    journal = kiosk.devices.journal
    return [{"txn": r["txn"], "kind": kind, "outcome": r["outcome"], "steps": journal.steps(r["txn"])}
            for kind in KINDS for r in journal.transactions(kind)]


def main() -> None:
    mode, state_dir, service_url, kiosk_id, issuer_port = sys.argv[1:6]
    kiosk = kiosk_for(state_dir, service_url, kiosk_id, issuer_port)
    try:
        if mode == "run":
            service, crash_at = sys.argv[6:8]
            kiosk.devices.journal.after_step = (
                lambda _txn, step: os.kill(os.getpid(), signal.SIGKILL) if step == crash_at else None)
            run(kiosk, service)
            print(json.dumps({"finished": True}), flush=True)
        else:
            seen = None
            if len(sys.argv) > 6:
                seen = visit(kiosk, sys.argv[6], sys.stdin.readline().strip())
            print(json.dumps({"journal": journal_of(kiosk), "visit": seen}), flush=True)
    finally:
        kiosk.close()


if __name__ == "__main__":
    main()
