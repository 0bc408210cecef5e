"""Instant issuance (即时制卡, 立等可取): a blank card from the hopper to the citizen's hand.

dispense to the IC position → the service allocates the card number and hands over the personalisation
data, sealed → write the chip (EXTERNAL AUTHENTICATE 04, UPDATE RECORD) → read it back and compare →
print the face → present at the gate → the citizen takes it (or it is captured after the timeout) →
confirm (or void) at the service. Every step is journalled before the device or service is told to act
and after it answers, so recover() can settle a transaction a crash or power cut interrupted. A paid fee
stays with the application: a voided card leaves it open to retry without paying again.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.flows.base import Devices
from kiosk.hw.base import Action, DeviceError
from kiosk.hw.cardissuer.face import FaceData, render
from kiosk.hw.cardreader.ssse import KEY_READ, KEY_UPDATE, SFI_EF05, SFI_EF06, SocialSecurityCard
from kiosk.journal import new_txn_id
from kiosk.security.module import KeyServiceModule

log = logging.getLogger(__name__)
KIND = "issuance"
NEEDS = ("cardissuer", "issuer_reader", "faceprinter", "service")
STEPS_ZH = {"dispense": "正在出卡", "personalise": "正在写入芯片", "verify": "正在校验芯片", "print": "正在打印卡面",
            "present": "请取卡"}


class IssuanceFailed(DeviceError):
    action = Action.CLEAR


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
        self._keys = KeyServiceModule(devices.service)

    def _step(self, step: str, **detail) -> None:
        self.devices.journal.step(self.txn, step, **detail)

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def run(self, take_timeout: float, cancelled: threading.Event | None = None) -> Outcome:
        d = self.devices
        d.journal.begin(self.txn, KIND, application_id=self.application_id)
        try:
            self.on_progress("dispense")
            self._step("dispensing")
            d.cardissuer.dispense_to_chip()
            self._step("dispensed")
            connection = d.issuer_reader.wait_for_card(5)
            if connection is None:
                raise IssuanceFailed("no card at the module's contact station", zh="制卡失败：芯片读写器未检测到卡片",
                                     en="Issuance failed: the chip reader found no card")
            app = SocialSecurityCard(connection, d.security)
            identity = app.identify()
            self._step("number_requested")
            started = d.service.start_issuance(self.application_id, identity.card_id_code, self._keys.session_id(),
                                               idempotency_key=f"{self.txn}:start")
            self.card_number = started["card_number"]
            self._step("number_allocated", card_number=self.card_number)
            records = json.loads(self._keys.open_sealed(started["personalisation"]))

            self.on_progress("personalise")
            self._step("personalising", card_number=self.card_number)
            app.external_authenticate(KEY_UPDATE)
            for sfi, key in ((SFI_EF05, "ef05"), (SFI_EF06, "ef06")):
                for tag, value in records[key].items():
                    if key == "ef05" and tag in ("01", "02", "03", "04"):
                        continue                  # written by the card factory
                    app.write_item(sfi, int(tag, 16), bytes.fromhex(value))
            self._step("personalised")

            self.on_progress("verify")
            app.external_authenticate(KEY_READ)
            info = app.read_info()
            if (info.ssn, info.card_number) != (self.id_number, self.card_number):
                raise IssuanceFailed(f"read-back mismatch on {self.card_number}", zh="制卡失败：芯片校验不一致",
                                     en="Issuance failed: the chip does not read back correctly")
            self._step("verified")
            connection.disconnect()

            self.on_progress("print")
            self._step("face_printing")
            face = render(FaceData(self.name, self.id_number, self.card_number, dt.date.today()), self.photo)
            d.faceprinter.print_face(face)
            self._step("face_printed")

            self.on_progress("present")
            self._step("presenting")
            d.cardissuer.present()
            self._step("presented")
            taken = d.cardissuer.wait_taken(take_timeout, cancelled)
            if taken:
                self._step("taken")
                d.service.confirm_issuance(self.card_number, idempotency_key=f"{self.txn}:confirm")
                self._step("confirmed")
                d.journal.finish(self.txn, "issued")
                return Outcome(self.card_number, True)
            self._step("capturing", reason="not taken")
            d.cardissuer.capture()
            self._step("captured")
            self._void("card not taken within the time limit")
            d.journal.finish(self.txn, "captured_not_taken")
            return Outcome(self.card_number, False)
        except (DeviceError, ValueError, KeyError) as exc:
            self._fail(exc)
            if isinstance(exc, DeviceError):
                raise
            raise IssuanceFailed(f"issuance failed: {exc}", zh="制卡失败，卡片已回收，请到窗口办理",
                                 en="Issuance failed; the card was retained; please go to a counter") from None

    def _void(self, reason: str) -> None:
        if self.card_number is None:
            return
        try:
            self.devices.service.void_issuance(self.card_number, reason, idempotency_key=f"{self.txn}:void")
            self._step("voided")
        except ServiceError as exc:        # left for recover() at the next start
            log.warning("void of %s not delivered: %s", self.card_number, exc.detail)

    def _fail(self, exc: Exception) -> None:
        """Capture whatever card is in the module, void its number, close the record."""
        log.warning("issuance %s failed: %s", self.txn, getattr(exc, "detail", exc))
        self._step("capturing", reason=type(exc).__name__)
        try:
            self.devices.cardissuer.capture()
            self._step("captured")
        except DeviceError as capture_error:
            self._step("capture_failed", reason=capture_error.vendor_code or type(capture_error).__name__)
        self._void(f"issuance failed: {type(exc).__name__}")
        self._refund_if_policy()
        if "voided" in self.devices.journal.steps(self.txn) or self.card_number is None:
            self.devices.journal.finish(self.txn, "failed")

    def _refund_if_policy(self) -> None:
        if not self.devices.policy.refund_fee_on_failed_issuance:
            return
        try:
            application = self.devices.service.application(self.application_id)
            order = application.get("fee_order")
            if order and order["state"] == "paid":
                self.devices.service.refund(order["id"], idempotency_key=f"{self.txn}:refund")
                self._step("refunded", order=order["id"])
        except ServiceError as exc:
            log.warning("refund for %s not delivered: %s", self.txn, exc.detail)

    def receipt(self, card_number: str):
        from kiosk import receipts
        return receipts.issuance_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=dt.datetime.now(),
                                         name=self.name, id_number=self.id_number, card_number=card_number,
                                         initial_pin_hint=bool(self.devices.policy.initial_pin))


def _number_being_issued(devices: Devices, application_id) -> str | None:
    if not isinstance(application_id, int):
        return None
    number = devices.service.application(application_id).get("issuing_card")
    return number if isinstance(number, str) and number.isalnum() and len(number) == 9 else None


def recover(devices: Devices) -> list[tuple[str, str]]:
    """Settle issuances a crash interrupted. Run after the module's initialize-with-capture at start-up:
    a card still inside was captured (issuer.leftover_captured); a card no longer inside left through the
    gate, into a citizen's hand."""
    outcomes = []
    unfinished = devices.journal.unfinished(KIND)
    for i, row in enumerate(sorted(unfinished, key=lambda r: r["started_at"])):
        txn = row["txn"]
        steps = devices.journal.details(txn)
        names = [name for name, _ in steps]
        card_number = next((detail["card_number"] for _, detail in steps if "card_number" in detail), None)
        latest = i == len(unfinished) - 1
        captured_now = latest and devices.cardissuer.leftover_captured
        try:
            if card_number is None and "number_requested" in names:
                # asked, and the answer was lost (or never sent): the service says which number it holds
                card_number = _number_being_issued(devices, row["context"].get("application_id"))
                if card_number is not None:
                    devices.journal.step(txn, "number_learned", card_number=card_number)
            if card_number is None:
                outcome = "recovered_nothing_allocated"
            elif "voided" in names:
                outcome = "failed"
            elif "captured" in names or captured_now or "presenting" not in names:
                devices.service.void_issuance(card_number, "recovered after interruption", idempotency_key=f"{txn}:void")
                devices.journal.step(txn, "voided")
                outcome = "recovered_voided"
            else:                         # presented and no longer in the module: the citizen has it
                devices.service.confirm_issuance(card_number, idempotency_key=f"{txn}:confirm")
                devices.journal.step(txn, "confirmed")
                outcome = "recovered_confirmed"
        except ServiceRefused as refused:
            if refused.code != "not_issuing":
                log.warning("recovery of %s postponed: %s", txn, refused.detail)
                continue
            state = devices.service.card(card_number)["state"]        # already settled at the service
            outcome = "recovered_voided" if state == "void" else "recovered_confirmed"
        except ServiceError as exc:
            log.warning("recovery of %s postponed: %s", txn, exc.detail)
            continue
        devices.journal.finish(txn, outcome)
        outcomes.append((txn, outcome))
    return outcomes
