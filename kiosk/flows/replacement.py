"""Replace or renew a card (补卡/换卡, domain.md §8): the rules and the fee are the service's, by region
(kiosk/backend/rules.py); the kiosk proves who asks, takes the old card back, shows the fee as a QR code
and makes the new card with IssuanceFlow.

The order, and why:
1. ID card → the service's record of the holder's card. No card, a cancelled card or an application in
   progress are refused in words. A replacement of this holder that is unpaid, or paid but not yet made
   (a card not taken and voided), is taken up again instead of blocking them.
2. The old card, unless it is lost: inserted at the card module's gate, read in the module and *held*
   there. This comes before any money moves, so someone else's card goes back at once and nobody pays
   for a replacement the kiosk then cannot finish; and the chip says what only the chip knows: whether it
   reads at all, its generation (Xi'an's free 2nd→3rd generation swap) and the name written on it.
3. The reasons this card may be replaced for: by its state, its dates, the region and the chip.
4. The fee confirmed (the card, masked, the amount, what happens to the old card) → apply → fee → QR code →
   paid (the payment provider tells the service; the kiosk asks the service). Not confirmed: no application,
   nothing to pay, the old card back. Someone who cannot scan ("不能扫码？") pays at a counter with a printed
   slip carrying the same fee order (kiosk/flows/counter_payment.py), or calls staff.
5. The old card is captured into the reject bin (journalled first), then the new card is made.
   Before 5, a cancel hands the old card back at the gate; a card left there is captured.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from kiosk import masking, receipts
from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.errors import Refusal
from kiosk.flows import face_check, identity, issuance, representation, staff_notices
from kiosk.flows.photo_step import approve_photo, photo_needed
from kiosk.flows import replacement_reasons as reasons_for
from kiosk.flows.replacement_reasons import OldCard, Reason
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.base import Devices, now
from kiosk.flows.issuance import IssuanceFlow
from kiosk.flows import counter_payment
from kiosk.flows.steps import (DONE, Choose, CitizenLeft, InsertCard, Message, Option, Pay, PlaceIdCard, Work,
                               finish)
from kiosk.hw.cardreader.apdu import CardStatusError
from kiosk.hw.cardreader.readers import CardMute, CardRemoved
from kiosk.hw.cardreader.ssse import CardAlgorithmUnsupported, CardNotGenuine, SocialSecurityCard
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _, both, join
from kiosk.journal import new_txn_id

log = logging.getLogger(__name__)
KIND = "replacement"
NEEDS = ("idreader", "service", "cardissuer", "issuer_reader", "faceprinter")
RETURN_TIMEOUT_S = 30.0      # a card handed back waits this long at the gate, then it is captured
CHIP_WAIT_S = 5.0            # a card at the contact station that does not power up in this time is unreadable
RESUMABLE = ("awaiting_payment", "accepted")
# journal steps after which the old card is still inside the module
INSIDE_STEPS = ("old_card_inside", "old_card_held", "old_card_refused", "old_card_read_failed", "old_card_returning",
                "old_card_capturing")


class NoCardToReplace(Refusal):
    pass


class ApplicationInProgress(Refusal):
    pass


class ReplacementAtCounter(Refusal):
    """The region's rules leave nothing this kiosk can do for the card (no fee set by the price authority)."""
    counter = True


class ReasonNotOffered(Refusal):
    pass


class RecordNotUpdated(Refusal):
    """The ID card's name differs from the service's record: the new card (chip and face, both made from the
    record) would carry the old name. seeds/002: the change is recorded at the agency first."""


class NotReady(Refusal):
    """A step was asked for before the one it depends on: unpaid, or the old card not yet taken."""


class ReplacementFlow:
    SERVICE = "replace"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        self.devices = devices
        self.acting = acting          # an agent with both ID cards (seeds/002), or a minor's guardian
        self.txn = new_txn_id(devices.kiosk_id)
        self.id_card: IdCard | None = None
        self.card: dict | None = None          # the service's record of the card being replaced
        self.old_card: OldCard | None = None   # once inserted and read (or found unreadable)
        self.application: dict | None = None
        self.reason: Reason | None = None
        self.resumed = False
        self.quote: dict | None = None         # the service's fee for replacing this card today
        self.photo = None                      # the approved card photo (358 × 441); None: a card without one
        self._begun = self._finished = False

    # -- journal ------------------------------------------------------------------------------------------
    def _step(self, step: str, **detail) -> None:
        if not self._begun:
            self.devices.journal.begin(self.txn, KIND)
            self._begun = True
        self.devices.journal.step(self.txn, step, **detail)

    def _finish(self, outcome: str) -> None:
        """The old card's fate is settled (kept, handed back or captured); the new card is IssuanceFlow's."""
        if self._begun and not self._finished:
            self.devices.journal.finish(self.txn, outcome)
            self._finished = True

    def _next_attempt(self) -> None:
        """A card was handed back: another one may be inserted, under a transaction of its own."""
        self.txn = new_txn_id(self.devices.kiosk_id)
        self._begun = self._finished = False

    # -- 1. who asks, and for which card ----------------------------------------------------------------
    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        """The holder's ID card (after the actor's own, when someone acts for the holder)."""
        id_card = representation.read_holder_id_card(self.devices, self.acting, self.SERVICE, timeout, cancelled)
        if id_card is None:
            return None
        status = self.devices.service.card_status(id_card.id_number)
        card, pending = status["card"], status["application"]
        resumable = pending is not None and pending["kind"] in ("replacement", "renewal") and \
            pending["state"] in RESUMABLE
        if not status["person"]["insured"]:
            raise NoCardToReplace("not insured", zh="您尚未参保，不能办理社保卡。请携带身份证到参保地社保经办机构办理参保登记",
                                  en="You are not insured yet, so no card can be made. Take your ID card to the "
                                     "social insurance agency where you live or work to enrol")
        if pending is not None and not resumable:      # first: it says more than "no card" to someone waiting
            raise ApplicationInProgress(f"open application ({pending['kind']}, {pending['state']})",
                                        zh="您已有正在办理的申请，无需重复申请。办理进度请选择“社保卡状态查询”",
                                        en="You already have an application in progress, so there is no need to "
                                           "apply again. To see how it is going, choose 'Card status'",
                                        offer="status")
        if card is None:
            raise NoCardToReplace("no card on record", zh="您名下没有社保卡，无需补换。办理新卡请选择“申领社保卡”。",
                                  en="You have no card to replace. To get a new one, choose 'Apply for a card'.",
                                  offer="issue")
        if card["state"] == "cancelled":
            raise NoCardToReplace("card cancelled", zh="您的社保卡已注销，不能补换。办理新卡请选择“申领社保卡”。",
                                  en="Your card is cancelled and cannot be replaced. To get a new one, choose "
                                     "'Apply for a card'.", offer="issue")
        if status["person"]["name"] != id_card.name:
            # said before the old card goes in; the service refuses the application the same way
            raise RecordNotUpdated("ID card name differs from the record",
                                   zh="您身份证上的姓名与社保登记信息不一致，暂不能补换卡。请先携带本人身份证原件和社保卡到"
                                      "参保地社保经办机构办理个人信息变更，变更后再来补换卡",
                                   en="The name on your ID card differs from your social insurance record, so the card "
                                      "cannot be replaced yet. First take your ID card and your social security card to "
                                      "the social insurance agency where you are insured to have the change recorded, "
                                      "then come back")
        if resumable:
            self.application = self.devices.service.application(pending["id"])
            self.resumed = True
        elif (status.get("replacement") or {}).get("fee_fen") is None:
            # the service sets no fee for this card (none configured and no waiver): every replacement would be
            # refused as fee_not_configured, so say so before the old card goes in
            raise ReplacementAtCounter("no replacement fee configured for the region",
                                       zh="本机暂不能收取本地区的补换卡费用。请携带身份证和原社保卡到社会保障卡服务窗口办理",
                                       en="This kiosk cannot take this region's replacement fee yet. Go to a social "
                                          "security card counter with your ID card and your old card")
        self.id_card, self.card = id_card, card
        self.quote = status.get("replacement")
        return id_card

    # -- 2. the old card --------------------------------------------------------------------------------
    def old_card_expected(self) -> bool:
        """A lost card is not handed back; neither is one this kiosk already took for this application."""
        if self.card is None or self.card["state"] in ("lost", "temp_lost"):
            return False
        if self.resumed and self._taken_before():
            return False
        return self.old_card is None or not self.old_card.captured

    def _taken_before(self) -> bool:
        """This kiosk captured the card in an earlier session (the new card then failed or was not taken)."""
        for row in self.devices.journal.transactions(KIND):
            for step, detail in self.devices.journal.details(row["txn"]):
                if step == "old_card_captured" and detail.get("card_number") == self.card["card_number"]:
                    return True
        return False

    def take_old_card(self, timeout: float, cancelled: threading.Event, on_progress=None,
                      return_timeout: float = RETURN_TIMEOUT_S) -> OldCard | None:
        """Open the module's gate for the old card, read it and hold it inside. None when no card came.

        Someone else's card, a card that is not the holder's current one, or a card that fails its
        authentication is handed back at the gate (captured if left there) and refused in words. A card
        whose chip does not answer is held as unreadable: only "damaged" is then offered for it."""
        if self.old_card is not None and not self.old_card.captured:
            return self.old_card
        if not self.old_card_expected():
            raise NotReady("no old card expected", zh="本次补卡无需交回原卡", en="No old card is needed this time")
        progress = on_progress or (lambda _step: None)
        issuer = self.devices.cardissuer
        if not issuer.accept_card(timeout, cancelled, on_open=lambda: progress("insert")):
            return None
        self._step("old_card_inside", expected_card_number=self.card["card_number"])   # not read yet
        progress("reading")
        info = None
        try:
            info = self._read_chip()
            if info is None:
                self.old_card = OldCard(False, self.card["card_number"])
                self._step("old_card_held", card_number=self.card["card_number"], readable=False)
                progress("held")
                return self.old_card
            identity.check_chip(self.id_card, info)
            if info.card_number != self.card["card_number"]:
                raise identity.NotCurrentCard(
                    "not the card on record", zh="此卡不是您当前有效的社保卡，请插入您正在使用的社保卡",
                    en="This is not your current card; please insert the card you use now")
            self.old_card = OldCard(True, info.card_number, info.generation, info.name != self.id_card.name)
            self._step("old_card_held", card_number=info.card_number, readable=True)
            progress("held")
            return self.old_card
        except (identity.NotTheHolder, identity.NotCurrentCard, CardNotGenuine, CardAlgorithmUnsupported) as refusal:
            self._step("old_card_refused", reason=type(refusal).__name__)
            progress("returning")
            self._hand_back(return_timeout, None, "refused")     # a cancel meanwhile must not cost the card
            raise
        except Exception as failure:   # e.g. the key service unreachable mid-read: the card must not stay inside
            self._step("old_card_read_failed", reason=type(failure).__name__)
            progress("returning")
            try:
                self._hand_back(return_timeout, None, "failed")
            except Exception as exc:   # typed or not: the read failure is what the citizen is told about;
                # a card still inside is captured by the next issuance before it dispenses
                log.warning("old card not handed back after a failed read: %s",
                            getattr(exc, "detail", type(exc).__name__))
            raise
        finally:
            if info is not None:
                info.wipe()

    def _read_chip(self):
        """The chip's data, or None when the chip does not answer (a damaged card)."""
        connection = self.devices.issuer_reader.wait_for_card(CHIP_WAIT_S)
        if connection is None:
            return None
        try:
            return SocialSecurityCard(connection, self.devices.security).read_info()
        except (CardNotGenuine, CardAlgorithmUnsupported):
            raise
        except (CardMute, CardRemoved, CardStatusError) as exc:
            log.info("old card does not read: %s", exc.detail)
            return None
        finally:
            connection.disconnect()

    def return_old_card(self, timeout: float = RETURN_TIMEOUT_S, cancelled: threading.Event | None = None) -> bool:
        """The citizen stops before paying: the held card goes back out of the gate. False when it was left
        there and captured instead."""
        if self.old_card is None or self.old_card.captured:
            return True
        return self._hand_back(timeout, cancelled, "cancelled")

    def _hand_back(self, timeout: float, cancelled: threading.Event | None, outcome: str) -> bool:
        issuer = self.devices.cardissuer
        self._step("old_card_returning")
        taken = issuer.give_back(timeout, cancelled)
        if taken:
            self._step("old_card_returned")
        else:       # never left at the gate: the next issuance would pull it in as if it were a blank card
            self._step("old_card_capturing", reason="not taken back")
            issuer.capture()
            self._step("old_card_captured_not_taken")
        self._finish(outcome if taken else outcome + "_captured_not_taken")
        self._next_attempt()
        self.old_card = None
        return taken

    # -- 3. reasons ---------------------------------------------------------------------------------------
    def reasons(self) -> list[Reason]:
        """What this card may be replaced for (kiosk.flows.replacement_reasons); empty until a card in hand is
        read."""
        if self.resumed:
            return reasons_for.resumed(self.application)
        return reasons_for.for_card(self.card, self.old_card, self.devices.policy, dt.date.today(), self.quote)

    # -- 4. apply and pay ---------------------------------------------------------------------------------
    def apply(self, reason: str) -> dict:
        chosen = next((r for r in self.reasons() if r.key == reason and r.offered), None)
        if chosen is None:
            raise ReasonNotOffered(f"reason {reason!r} not offered for this card",
                                   zh="此原因不适用于您的社保卡，请重新选择", en="This reason does not apply to your card")
        self.reason = chosen
        if not self.resumed:
            self.application = self.devices.service.apply(
                self.id_card.id_number, chosen.kind, reason=None if chosen.kind == "renewal" else chosen.key,
                photo=self.photo is not None, name_on_id=self.id_card.name,
                idempotency_key=f"{self.txn}:apply", **self.acting.apply_fields())
        self._step("applied", application_id=self.application["id"], reason=chosen.key)
        return self.application

    @property
    def fee_yuan(self) -> float:
        return self.application["fee_fen"] / 100 if self.application else 0

    @property
    def pay_qr(self) -> str | None:
        """What the on-screen QR code carries; None when nothing is to be paid."""
        order = self.application and self.application.get("fee_order")
        return order["pay_qr"] if order and order["state"] == "unpaid" else None

    def wait_for_payment(self, timeout: float, cancelled: threading.Event | None = None, poll: float = 1.0) -> bool:
        """True once the fee is paid (at once when there is none). The payment provider tells the service,
        so the kiosk asks the service; a lost answer is asked again rather than ending the wait."""
        if not self.application["fee_fen"] and self.application["state"] == "accepted":
            return True
        deadline = time.monotonic() + timeout
        pause = cancelled or threading.Event()      # an Event's wait, so a cancel ends the pause at once
        while True:
            try:
                self.application = self.devices.service.application(self.application["id"])
            except ServiceRefused:
                raise
            except ServiceError as exc:
                log.info("payment state not known yet: %s", exc.detail)
            order = self.application.get("fee_order")
            if self.application["state"] == "accepted" and (order is None or order["state"] == "paid"):
                if order is not None:
                    self._step("paid", order=order["id"])
                return True
            left = deadline - time.monotonic()
            if left <= 0 or pause.wait(min(poll, left)):
                return False

    @property
    def fee_order(self) -> dict | None:
        return self.application.get("fee_order") if self.application else None

    def paid_meanwhile(self) -> bool:
        """Asks the service once: the phone payment may have landed while the citizen turned to the counter."""
        self.application = self.devices.service.application(self.application["id"])
        order = self.fee_order
        if self.application["state"] == "accepted" and (order is None or order["state"] == "paid"):
            if order is not None:
                self._step("paid", order=order["id"])
            return True
        return False

    def counter_slip(self):
        """The slip for paying at a counter: the SAME fee order the QR on screen carries (its QR and its code),
        so paying both ways cannot charge twice — the service refuses an order already paid — and a slip
        printed again carries the same code."""
        order = self.fee_order
        if order is None or order["state"] != "unpaid":
            raise NotReady("no unpaid fee order", zh="没有待缴的费用", en="There is no fee to pay")
        return receipts.counter_payment_slip(
            kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(), name=self.id_card.name,
            id_number=self.id_card.id_number, card_number=self.card["card_number"], reason_label=self.reason.zh,
            amount_fen=order["amount_fen"], order_code=order["order_code"], pay_qr=order["pay_qr"],
            pay_by=counter_payment.local_time(order["pay_by"]),
            old_card_lost=self.card["state"] in ("lost", "temp_lost"))

    def print_counter_slip(self) -> bool:
        """Prints the slip unless the fee was paid meanwhile (then True: the card is made now)."""
        if self.paid_meanwhile():
            return True
        self.devices.require("printer")
        self.devices.printer.print_receipt(self.counter_slip())
        self._step("counter_slip_printed", order=self.fee_order["id"])      # the order's id: nothing personal
        return False

    def reprint_counter_slip(self) -> None:
        """The same order's slip again (the same code): the order is the one the first slip carries."""
        self.devices.require("printer")
        self.devices.printer.print_receipt(self.counter_slip())

    def leave_unpaid(self) -> None:
        """The citizen goes to the counter: the application waits unpaid at the service (void after the
        region's hours), a held old card goes back out of the gate."""
        if self.old_card is not None and not self.old_card.captured:
            self._hand_back(RETURN_TIMEOUT_S, None, "awaiting_counter_payment")
        else:
            self._finish("awaiting_counter_payment")

    # -- 5. the old card in, the new card out ---------------------------------------------------------------
    def capture_old_card(self) -> None:
        """After payment: the old card goes to the reject bin, for staff to destroy (domain.md §8).

        An unreadable card of a "damaged" replacement is captured too, although the kiosk could not check
        it: the counter would take it back as well, a dead chip is of no use to anyone, and the service
        cancels only the card on this holder's record, so a stranger's broken card captured here costs its
        owner nothing. Its face can be checked in the bin against the journal."""
        self._require_paid()
        old = self.old_card
        if old is None or old.captured:
            if self.old_card_expected():
                raise NotReady("old card not taken", zh="请先插入原社保卡", en="Please insert your old card first")
            return
        self._step("old_card_capturing", card_number=old.card_number, readable=old.readable)
        self.devices.cardissuer.capture()
        self._step("old_card_captured", card_number=old.card_number)
        self._finish("old_card_captured")
        old.captured = True

    def _require_paid(self) -> None:
        if self.application is None or self.application["state"] != "accepted":
            raise NotReady("application not accepted (unpaid)", zh="尚未缴费，不能制卡",
                           en="The fee is not paid yet, so no card can be made")

    def issuance(self, on_progress=None) -> IssuanceFlow:
        """The new card on the accepted application (IssuanceFlow journals and recovers it)."""
        self._require_paid()
        if self.old_card_expected():
            raise NotReady("old card still to be captured", zh="请先交回原社保卡", en="Please hand in your old card first")
        if not self._begun:        # a lost card: nothing was journalled yet
            self._step("issuing", application_id=self.application["id"])
        self._finish("issuing")
        return IssuanceFlow(self.devices, self.application["id"], self.id_card.name, self.id_card.id_number,
                            photo=self.photo, on_progress=on_progress)

    def receipt(self, card_number: str):
        order = self.application.get("fee_order")
        paid = order is not None and order["state"] == "paid"
        return receipts.replacement_receipt(
            kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(), name=self.id_card.name,
            id_number=self.id_card.id_number, reason_label=self.reason.zh, old_card_number=self.card["card_number"],
            old_card_taken=self.card["state"] not in ("lost", "temp_lost"), card_number=card_number,
            fee_fen=self.application["fee_fen"] if paid else 0, order_id=order["id"] if paid else None,
            initial_pin_hint=bool(self.devices.policy.initial_pin))

    def wipe(self) -> None:
        """End of the session. A card still held is captured rather than left inside: the next issuance
        would otherwise pull it to the chip station as if it were a blank. (Screens hand it back first with
        return_old_card when the citizen cancels.)"""
        if self.old_card is not None and not self.old_card.captured:
            try:
                self._step("old_card_capturing", card_number=self.old_card.card_number, reason="session ended")
                self.devices.cardissuer.capture()
                self._step("old_card_captured", card_number=self.old_card.card_number, at="session end")
                self._finish("old_card_captured_at_session_end")
            except Exception as exc:   # typed or not, the session still ends; the next issuance captures it
                log.warning("held card not captured at session end: %s", getattr(exc, "detail", type(exc).__name__))
        self._finish("session_ended")
        if self.id_card:
            self.id_card.wipe()
        self.id_card = self.card = self.old_card = self.application = self.reason = self.quote = None
        self.photo = None
        self.acting = HOLDER


def recover(devices: Devices) -> list[tuple[str, str]]:
    """Settle replacements a crash interrupted while the old card was inside the module. Run after the
    module's initialize-with-capture: a card still inside went to the reject bin then, and staff must hand it
    back if its replacement was never made (its record is still valid) — so the service is told, with the
    card number, as a staff event (kiosk/flows/staff_notices.py: kept and sent later if it is down)."""
    outcomes = []
    for row in devices.journal.unfinished(KIND):
        steps = devices.journal.details(row["txn"])
        card_number = next((d["card_number"] for _, d in reversed(steps) if "card_number" in d), None)
        # a card never read is noted by the number expected, for staff to check against its face
        expected = next((d["expected_card_number"] for _, d in steps if "expected_card_number" in d), None)
        where = [name for name, _ in steps if name.startswith("old_card_")]
        last = where[-1] if where else None
        # a capture the crash cut short ended in the bin all the same: the command's, or the start-up's
        in_bin = last in INSIDE_STEPS and (devices.cardissuer.leftover_captured or last == "old_card_capturing")
        if last == "old_card_captured":          # captured as planned; only the journal's close was lost
            outcome = "old_card_captured"
        elif in_bin:
            devices.journal.step(row["txn"], "old_card_captured", card_number=card_number, at_start=True)
            outcome = "old_card_captured_at_start"
            log.warning("replacement %s: the old card %s was captured at start-up; staff are told to return it "
                        "if its replacement was not made", row["txn"], masking.card_number(card_number or ""))
        else:
            outcome = "interrupted"
        devices.journal.finish(row["txn"], outcome)
        if outcome == "old_card_captured_at_start":
            staff_notices.notify(devices, row["txn"], "old_card_captured", card_number or expected,
                                 None if card_number else "not_read")
        outcomes.append((row["txn"], outcome))
    return outcomes


# -- the citizen's journey ------------------------------------------------------------------------------------
OLD_CARD_TIMEOUT_S = 60
PAY_TIMEOUT_S = 180          # scanning, confirming on the phone and paying: three minutes


def journey(devices: Devices, acting=None):
    """补卡/换卡, in the order of the module docstring. Leaving before the new card is made — giving up at
    the fee, a refusal on screen, the inactivity timer — hands a held old card back at the gate first."""
    flow = ReplacementFlow(devices, acting or HOLDER)
    try:
        yield from _replace(flow)
        yield from _hand_back(flow)              # ended before the new card: the old one goes back
    except Exception:                            # the citizen left, or a refusal or a fault ended it: the
        yield from _hand_back(flow)              # card goes back first, then the words (the runner's path)
        raise
    finally:
        flow.wipe()                              # a card still held (never handed back) is captured


def _replace(flow: ReplacementFlow):
    devices = flow.devices
    yield Work(_("正在检查设备"), flow.check_devices)
    if (yield PlaceIdCard(representation.holder_id_title(flow.acting),
                          _("补换卡须核验本人身份证") if flow.acting is HOLDER else
                          _("代办补换卡，须放置持卡人（被代办人）的身份证"), flow.wait_for_id_card)) is None:
        return
    yield from face_check.verify_holder(devices, flow.acting, flow.id_card, flow.SERVICE)
    if flow.old_card_expected():
        # one name for the module's gate, the one slot on the right where new cards come out (issuance
        # says 出卡口 too); the old card is kept only after the reason is chosen and the fee paid
        old = yield InsertCard(_("请将原社保卡插入右侧出卡口"), _("芯片朝上插入。本机先读取原卡，您选好原因、缴费后，原卡才会被收回"),
                               flow.take_old_card, OLD_CARD_TIMEOUT_S,
                               progress={"reading": _("正在读取原卡，请稍候"),
                                         "returning": _("此卡不能受理，已退到右侧出卡口，请取回")})
        if old is None:
            return
    reasons = flow.reasons()
    offered = [r for r in reasons if r.offered]
    if not offered:
        note = next((both(r.note_zh, r.note_en) for r in reasons if r.note_zh), _("您的社保卡目前不能补换。请携带身份证和社保卡到社会保障卡服务窗口咨询。"))
        yield Message(_("暂不能补换卡"), note, tone="warn", primary=(DONE, _("返回首页")))
        return
    # seeds/001 Q5, Q6: benefits are never lost; the bank account is kept or moved by the bank's own rules
    reason = yield Choose(_("请选择补换卡原因"), _("选好原因并缴费后，原卡才会被收回；社保待遇不受影响，银行账户按发卡银行规定办理。"),
                          [Option(r.key, join(both(r.zh, r.en), _fee_label(r))) for r in offered])
    chosen = next(r for r in offered if r.key == reason)
    if photo_needed(devices, flow.id_card):      # taken and approved before anything is paid or kept
        flow.photo = yield from approve_photo(devices, flow.id_card.name, flow.id_card.id_number)
    if (yield counter_payment.confirm_fee(flow, chosen)) != counter_payment.CONFIRM_FEE:
        return                                   # nothing applied for, nothing to pay; the old card goes back
    yield Work(_("正在提交申请"), lambda: flow.apply(reason))
    if flow.pay_qr is not None:
        paid = yield from counter_payment.pay(flow, PAY_TIMEOUT_S)
        if paid == counter_payment.AT_COUNTER:
            yield from counter_payment.leave_for_counter(flow)
            return
        if not paid:
            yield Message(_("未完成缴费"), _("未收到缴费，没有制卡。原卡已退到右侧出卡口，请取走。"), tone="warn",
                          primary=(DONE, _("返回首页")))
            return

    def capture_old_and_prepare() -> IssuanceFlow:
        flow.capture_old_card()
        return flow.issuance()
    new_card = yield Work(_("正在回收原卡"), capture_old_and_prepare)
    outcome = yield issuance.make_card(new_card)
    if not outcome.taken:
        yield issuance.not_taken()
        return
    body = _("新卡（卡号 {number}）已取走，原卡已收回。新卡须先启用再使用。", number=masking.card_number(outcome.card_number))
    if (new_card.confirmed or {}).get("temporary_cards_cancelled"):
        # seeds/002 "持卡人在领取新卡时须办理临时社会保障卡注销手续": the service ended it as the card was collected
        body = join(body, _("您的临时社会保障卡已同时注销，不能再使用。"))
    yield from finish(devices, _("补换卡完成"), body, receipt=lambda: flow.receipt(outcome.card_number))


def _fee_label(reason: Reason):
    if reason.fee_yuan == 0:
        return _("（免费）")
    return _("（{yuan}元）", yuan=reason.fee_yuan) if reason.fee_yuan else ""


def _hand_back(flow: ReplacementFlow):
    """A held old card goes back out of the gate (captured if left there: ReplacementFlow.return_old_card)."""
    if flow.old_card is not None and not flow.old_card.captured:
        yield Work(_("正在退回原卡，请在右侧出卡口取回"), flow.return_old_card)
