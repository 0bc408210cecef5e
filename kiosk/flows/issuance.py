"""Instant issuance (即时制卡, 立等可取): a blank card from the hopper to the citizen's hand.

empty the module (a card found inside is captured first) → dispense to the IC position → check the card is
blank → the service allocates the card number and hands over the personalisation data, sealed → write the
chip (EXTERNAL AUTHENTICATE 04, UPDATE RECORD) → read every item back and compare → print the face →
present at the gate → the citizen takes it (or it is captured after the timeout) → confirm (or void) at the
service. Every step is journalled before the device or service is told to act and after it answers, so a
crash or power cut is settled at the next start (kiosk.flows.issuance_settle).

Any failure, typed or not, from a device, the service or this code ends through one path (``_fail``): the
module is asked where the card is; a card inside or at the gate is captured, one that left through the gate
after being presented is the citizen's; the number is voided (or confirmed), the record closed, and the
citizen told in words. A paid fee stays with the application: a voided card leaves it open to retry
without paying again.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import traceback
from dataclasses import dataclass

from kiosk import masking
from kiosk.errors import KioskError
from kiosk.flows.base import Devices
from kiosk.flows.issuance_settle import KIND, recover, settle_unfinished
from kiosk.hw.base import Action, DeviceError
from kiosk.hw.cardissuer.codec import CardPosition
from kiosk.hw.cardissuer.face import FaceData, render
from kiosk.hw.cardreader.apdu import CardStatusError
from kiosk.hw.cardreader.ssse import KEY_UPDATE, SFI_EF05, SFI_EF06, SocialSecurityCard, an_ascii
from kiosk.journal import new_txn_id

__all__ = ["IssuanceFlow", "IssuanceFailed", "Outcome", "recover", "KIND", "NEEDS", "STEPS_ZH", "STEPS_DONE_ZH", "TAKE_TIMEOUT_S",
           "holder_of", "make_card", "not_taken"]
log = logging.getLogger(__name__)
NEEDS = ("cardissuer", "issuer_reader", "faceprinter", "service")
# each step while it runs, and once it is done (a finished step must not still read "正在…")
STEPS_DONE_ZH = {"dispense": "已出卡", "personalise": "芯片已写入", "verify": "芯片已校验", "print": "卡面已打印"}
STEPS_ZH = {"dispense": "正在出卡", "personalise": "正在写入芯片", "verify": "正在校验芯片", "print": "正在打印卡面",
            "present": "请取卡"}
CHIP_WAIT_S = 5.0
FACTORY_TAGS = ("01", "02", "03", "04")     # EF05 items the card factory wrote; never rewritten
TAG_CARD_NUMBER, RECORD_NOT_FOUND = 0x07, 0x6A83


class IssuanceFailed(DeviceError):
    action = Action.CLEAR


def _not_blank(number: str) -> IssuanceFailed:
    return IssuanceFailed(f"dispensed card already carries card number {masking.card_number(number)}",
                          zh="制卡失败：卡片不是空白卡，已回收，请联系工作人员",
                          en="Issuance failed: the card was not blank and was retained; please call staff")


def _unexpected(exc: BaseException, step: str) -> IssuanceFailed:
    """What the citizen is told of a failure no device typed. The technician's detail names the exception's
    type and where it was raised, not its text, which could carry personal data."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" in {frame.name} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return IssuanceFailed(f"issuance failed at {step}: {type(exc).__name__}{where}",
                          zh="制卡失败，请联系工作人员或到窗口办理，本次费用不会重复收取",
                          en="Issuance failed; please call staff or go to a counter. You will not be charged again",
                          action=Action.MAINTENANCE)


@dataclass
class Outcome:
    card_number: str | None
    taken: bool


class IssuanceFlow:
    def __init__(self, devices: Devices, application_id: int, name: str, id_number: str, photo=None,
                 on_progress=None):
        self.devices = devices
        self.application_id = application_id
        self.name, self.id_number, self.photo = name, id_number, photo
        self.on_progress = on_progress or (lambda _step: None)
        self.txn = new_txn_id(devices.kiosk_id)
        self.card_number: str | None = None
        self.confirmed: dict | None = None     # the service's answer to the confirmation (a temporary card ended)

    def _step(self, step: str, **detail) -> None:
        self.devices.journal.step(self.txn, step, **detail)

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def run(self, take_timeout: float, cancelled: threading.Event | None = None) -> Outcome:
        self.devices.journal.begin(self.txn, KIND, application_id=self.application_id)
        try:
            return self._issue(take_timeout, cancelled)
        except Exception as exc:     # whatever raised it, typed or not: the card must not stay in the module
            step = self._last_step()
            taken = self._fail(exc, step)
            if taken:                # it left through the gate: the citizen has a finished card
                return Outcome(self.card_number, True)
            if isinstance(exc, KioskError):   # typed (a fault, or the service's refusal): its own words
                raise
            raise _unexpected(exc, step) from None

    # -- the steps ----------------------------------------------------------------------------------------
    def _issue(self, take_timeout: float, cancelled: threading.Event | None) -> Outcome:
        d = self.devices
        self._empty_module()
        self.on_progress("dispense")
        self._step("dispensing")
        d.cardissuer.dispense_to_chip()
        self._step("dispensed")
        self._write_chip()

        self.on_progress("print")
        self._step("face_printing")
        face = render(FaceData(self.name, self.id_number, self.card_number, dt.date.today()), self.photo,
                      d.branding())
        d.faceprinter.print_face(face)
        self._step("face_printed")

        self.on_progress("present")
        self._step("presenting")
        d.cardissuer.present()
        self._step("presented")
        if d.cardissuer.wait_taken(take_timeout, cancelled):
            self._step("taken")
            self._settle("issued", taken=True)
            return Outcome(self.card_number, True)
        self._step("capturing", reason="not taken")
        d.cardissuer.capture()
        self._step("captured")
        self._settle("captured_not_taken", taken=False)
        return Outcome(self.card_number, False)

    def _empty_module(self) -> None:
        """Before every dispense: a card already inside (a failure that could not capture it, an old card no
        flow took back) would otherwise be moved to the chip station and written as if it were blank."""
        d = self.devices
        position = d.cardissuer.card_position()
        if position is not CardPosition.NONE:
            self._step("leftover_found", position=position.value)
            log.warning("issuance %s: a card was left in the module (%s); capturing it", self.txn, position.value)
            d.cardissuer.capture()
            self._step("leftover_captured")
        # an earlier transaction whose number the service was not told about is settled now
        for txn, outcome in settle_unfinished(d, leftover_captured=position is not CardPosition.NONE, skip=self.txn):
            log.info("settled %s before dispensing: %s", txn, outcome)

    def _write_chip(self) -> None:
        d = self.devices
        connection = d.issuer_reader.wait_for_card(CHIP_WAIT_S)
        if connection is None:
            raise IssuanceFailed("no card at the module's contact station", zh="制卡失败：芯片读写器未检测到卡片",
                                 en="Issuance failed: the chip reader found no card")
        try:
            app = SocialSecurityCard(connection, d.security)
            identity = app.identify()
            self._require_blank(app)
            self._step("number_requested")
            # the service seals the personalisation data under the key-transport session's key (kiosk.wiring)
            started = d.service.start_issuance(self.application_id, identity.card_id_code,
                                               d.key_transport.session_id(), idempotency_key=f"{self.txn}:start")
            self.card_number = started["card_number"]
            self._step("number_allocated", card_number=self.card_number)
            records = json.loads(d.key_transport.open_sealed(started["personalisation"]))
            # the face is printed from what the chip is written with, not from the ID card: one source, the
            # service's record (seeds/002: a changed name is recorded at the agency first, then the card made)
            self.name, self.id_number = holder_of(records)

            self.on_progress("personalise")
            self._step("personalising", card_number=self.card_number)
            written = self._personalise(app, records)
            self._step("personalised")

            self.on_progress("verify")
            self._verify(app, written)
            self._step("verified")
        finally:
            try:
                connection.disconnect()
            except Exception as exc:  # a reader gone mid-failure: the failure, not this, is what matters
                log.info("chip station connection not released: %s", type(exc).__name__)

    def _require_blank(self, app: SocialSecurityCard) -> None:
        """A card carrying a card number is not ours to write, whoever's it is."""
        try:
            number = an_ascii(app.read_item(SFI_EF05, TAG_CARD_NUMBER, 9, "card_number"))
        except CardStatusError as exc:
            if exc.sw == RECORD_NOT_FOUND:
                return
            raise
        if number.strip("\0 "):
            raise _not_blank(number)

    @staticmethod
    def _personalise(app: SocialSecurityCard, records: dict) -> list[tuple[int, int, bytes]]:
        app.external_authenticate(KEY_UPDATE)
        written = []
        for sfi, key in ((SFI_EF05, "ef05"), (SFI_EF06, "ef06")):
            for tag, value in records[key].items():
                if key == "ef05" and tag in FACTORY_TAGS:
                    continue
                app.write_item(sfi, int(tag, 16), bytes.fromhex(value))
                written.append((sfi, int(tag, 16), bytes.fromhex(value)))
        return written

    def _verify(self, app: SocialSecurityCard, written: list[tuple[int, int, bytes]]) -> None:
        """Read the chip as any kiosk will (authenticated) and compare every item written, not a sample: a
        write the card acknowledged but did not keep shows here."""
        info = app.read_info()
        try:
            if (info.ssn, info.card_number) == (self.id_number, self.card_number):
                for sfi, tag, value in written:
                    if app.read_item(sfi, tag, len(value), f"{sfi:02X}/{tag:02X}") != value:
                        break
                else:
                    return
        finally:
            info.wipe()
        raise IssuanceFailed(f"read-back mismatch on {masking.card_number(self.card_number or '')}",
                             zh="制卡失败：芯片校验不一致", en="Issuance failed: the chip does not read back correctly")

    # -- settling -----------------------------------------------------------------------------------------
    def _settle(self, outcome: str, taken: bool) -> bool:
        """Tell the service (confirm a taken card, void any other) and close the record. A service that
        cannot be told leaves the record open: settle_unfinished finishes it before the next dispense, or
        recover() at the next start."""
        if self.card_number is None:
            self.devices.journal.finish(self.txn, outcome)
            return True
        service, key = self.devices.service, f"{self.txn}:{'confirm' if taken else 'void'}"
        try:
            if taken:
                self.confirmed = service.confirm_issuance(self.card_number, idempotency_key=key)
                self._step("confirmed")
            else:
                service.void_issuance(self.card_number, outcome, idempotency_key=key)
                self._step("voided")
        except Exception as exc:     # the service down or answering nonsense: settled later, from the journal
            log.warning("issuance %s: %s of %s not delivered: %s", self.txn, "confirm" if taken else "void",
                        masking.card_number(self.card_number), getattr(exc, "detail", type(exc).__name__))
            return False
        self.devices.journal.finish(self.txn, outcome)
        return True

    def _last_step(self) -> str:
        try:
            steps = self.devices.journal.steps(self.txn)
        except Exception:  # the journal itself failing: the card is still secured below
            return "unknown"
        return steps[-1] if steps else "begun"

    def _fail(self, exc: Exception, step: str) -> bool:
        """Secure the card, settle the number, close the record. True when the card turned out to be in
        the citizen's hand (it left through the gate after being presented)."""
        log.warning("issuance %s failed after %s: %s", self.txn, step,
                    exc.detail if isinstance(exc, KioskError) else type(exc).__name__)
        where = self._secure_card(type(exc).__name__)
        if where == "taken":
            self._guarded(self._settle, "taken_after_failure", taken=True)
            return True
        self._guarded(self._settle, "failed", taken=False)
        self._guarded(self._refund_if_policy)
        return False

    def _secure_card(self, reason: str) -> str:
        """Where the card ended: captured, capture_failed (still inside: the next dispense captures it),
        taken (left through the gate after being presented) or none (none was dispensed)."""
        issuer = self.devices.cardissuer
        presented = "presenting" in self._guarded(self.devices.journal.steps, self.txn, default=[])
        try:
            position = issuer.card_position()
        except Exception as exc:     # unknown: capture anyway, the module may still manage that
            log.warning("issuance %s: card position unknown: %s", self.txn, type(exc).__name__)
            position = None
        if position is CardPosition.NONE:
            where = "taken" if presented else "none"
            self._guarded(self._step, "card_" + where)
            return where
        self._guarded(self._step, "capturing", reason=reason)
        try:
            issuer.capture()
        except Exception as exc:
            self._guarded(self._step, "capture_failed",
                          reason=getattr(exc, "vendor_code", "") or type(exc).__name__)
            if position is CardPosition.GATE and self._guarded(issuer.card_position) is CardPosition.NONE:
                self._guarded(self._step, "card_taken")      # pulled from the gate before the capture
                return "taken"
            return "capture_failed"
        self._guarded(self._step, "captured")
        return "captured"

    def _guarded(self, call, *args, default=None, **kwargs):
        """One part of the failure path; its own failure is logged and must not stop the parts after it."""
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            log.warning("issuance %s: %s failed while settling a failure: %s", self.txn,
                        getattr(call, "__name__", "step"), getattr(exc, "detail", type(exc).__name__))
            return default

    def _refund_if_policy(self) -> None:
        if not self.devices.policy.refund_fee_on_failed_issuance:
            return
        application = self.devices.service.application(self.application_id)
        order = application.get("fee_order")
        if order and order["state"] == "paid":
            self.devices.service.refund(order["id"], idempotency_key=f"{self.txn}:refund")
            self._step("refunded", order=order["id"])

    def receipt(self, card_number: str):
        from kiosk import receipts
        return receipts.issuance_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=dt.datetime.now(),
                                         name=self.name, id_number=self.id_number, card_number=card_number,
                                         initial_pin_hint=bool(self.devices.policy.initial_pin))


def holder_of(records: dict) -> tuple[str, str]:
    """(name, ID number) in the personalisation records: EF06 08 the number, 09 the name (GB18030, NUL padded)
    and 4E its continuation for a long name."""
    ef06 = records["ef06"]
    name = (bytes.fromhex(ef06["09"]) + bytes.fromhex(ef06.get("4E", ""))).replace(b"\0", b"")
    return name.decode("gb18030"), bytes.fromhex(ef06["08"]).decode("ascii")


TAKE_TIMEOUT_S = 60      # a new card waits this long at the gate before it is captured


def make_card(flow: IssuanceFlow):
    """The journey's step that runs this issuance, its sub-steps shown as they happen. The photo was taken
    and approved before (kiosk/flows/photo_step.py); None: a card without one (a child under 7, no camera)."""
    from kiosk.flows.steps import MakeCard

    def run(take_timeout: float, cancelled: threading.Event, on_progress) -> Outcome:
        flow.on_progress = on_progress
        return flow.run(take_timeout, cancelled)
    return MakeCard(STEPS_ZH, run, TAKE_TIMEOUT_S, STEPS_DONE_ZH)


def not_taken():
    """What the citizen is told when the new card was left at the gate and captured."""
    from kiosk.flows.steps import Message
    from kiosk.i18n import _
    return Message(_("卡片已回收"), _("您未在规定时间内取卡，卡片已被安全回收，申请仍然有效，请重新办理。"), tone="warn")
