"""Change non-key data (非关键信息变更, domain.md §10; seeds/002, 003): phone number and address, without a
new card. ID card → the service's record (the current phone, masked) → a new mainland mobile number and/or
an address (the one on the ID card is offered, so most holders type nothing) → PATCH contact, idempotent
per transaction → receipt with the phone masked and the address only said to be changed.

A new phone number is read back (shown large and spoken digit by digit) for the holder to confirm, then the
service texts a verification code to it and the number changes only when that code is typed back: one typo
would otherwise send every future notice to a stranger. The service enforces the code
(kiosk/backend/contact_codes.py); the code is kept in a buffer wiped at the end, never journalled or printed.

Name and ID number are key data: they change at a counter and need a new card (seeds/002).
"""
from __future__ import annotations

import re
import threading

from kiosk import digits, masking, receipts
from kiosk.backend.client import ServiceRefused
from kiosk.errors import Refusal
from kiosk.flows import representation
from kiosk.flows.base import Devices, now
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.steps import DONE, Choose, EnterDigits, Message, Option, PlaceIdCard, Work, finish
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _, join, of_error
from kiosk.journal import new_txn_id
from kiosk.pin import DigitBuffer

NEEDS = ("idreader", "service")
MOBILE = re.compile(r"^1[3-9]\d{9}$")      # mainland mobile numbers: 11 digits, 13x–19x
ADDRESS_MIN, ADDRESS_MAX = 4, 100          # the service's bounds (ContactChange)


class ContactInvalid(Refusal):
    """What the holder typed cannot be a phone number or an address; the texts say how to fix it."""


def check_phone(text: str) -> str:
    """The number as the service takes it (digits only). Spaces and hyphens the holder typed are dropped."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits.isdigit() or len(digits) != 11:
        raise ContactInvalid("phone: not 11 digits", zh="手机号码应为11位数字，请重新输入",
                             en="A mobile number has 11 digits; please enter it again")
    if not MOBILE.match(digits):
        raise ContactInvalid("phone: not a mainland mobile prefix", zh="请输入中国大陆手机号码（以13至19开头）",
                             en="Please enter a mainland China mobile number (starting 13 to 19)")
    return digits


def check_address(text: str) -> str:
    address = " ".join(text.split())
    if len(address) < ADDRESS_MIN:
        raise ContactInvalid("address too short", zh="通讯地址过短，请填写到街道门牌",
                             en="The address is too short; give the street and number")
    if len(address) > ADDRESS_MAX:
        raise ContactInvalid("address too long", zh=f"通讯地址不能超过{ADDRESS_MAX}个字",
                             en=f"The address may have at most {ADDRESS_MAX} characters")
    return address


class ContactFlow:
    SERVICE = "contact"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        self.devices = devices
        self.acting = acting
        self.id_card: IdCard | None = None
        self.current_phone_masked: str | None = None   # what the service has now, e.g. 138****0000
        self.phone: str | None = None
        self.address: str | None = None
        self.result: dict | None = None
        self.verification: dict | None = None   # the service's answer to "text a code": its id and expiry
        self._codes_sent = 0
        self.txn = new_txn_id(devices.kiosk_id)

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        id_card = representation.read_holder_id_card(self.devices, self.acting, self.SERVICE, timeout, cancelled)
        if id_card is None:
            return None
        try:
            person = self.devices.service.card_status(id_card.id_number)["person"]   # refuses the unknown
        except BaseException:    # refused (unknown person), failed or cancelled: the ID card's data goes
            id_card.wipe()
            raise
        self.current_phone_masked = person.get("phone_masked")
        self.id_card = id_card
        return id_card

    def address_on_id_card(self) -> str:
        """Offered as the new address: the holder confirms it rather than types it."""
        return self.id_card.address if self.id_card else ""

    def set_phone(self, text: str) -> str:
        """Returns the new number masked, to show back to the holder."""
        self.phone = check_phone(text)
        return masking.phone(self.phone)

    def set_address(self, text: str) -> None:
        self.address = check_address(text)

    def use_id_card_address(self) -> None:
        self.set_address(self.address_on_id_card())

    def send_code(self) -> dict:
        """The service texts a code to the new number; each new code is a request of its own (its own key)."""
        self._codes_sent += 1
        self.verification = self.devices.service.send_contact_code(
            self.id_card.id_number, self.phone, idempotency_key=f"{self.txn}:code{self._codes_sent}")
        return self.verification

    def submit(self, code: DigitBuffer | None = None) -> dict:
        """The change, with the code typed back when the phone changes (the service refuses it otherwise)."""
        if self.phone is None and self.address is None:
            raise ContactInvalid("nothing to change", zh="请填写新的手机号码或通讯地址",
                                 en="Give a new mobile number or address")
        proof = {}
        if self.phone is not None and self.verification is not None and code is not None:
            proof = {"verification_id": self.verification["verification_id"], "code": code.text()}
        # one key per code: a wrong code is refused (and not remembered), the next code is a new request
        self.result = self.devices.service.change_contact(self.id_card.id_number, phone=self.phone,
                                                          address=self.address,
                                                          idempotency_key=f"{self.txn}:contact{self._codes_sent}",
                                                          **proof)
        return self.result

    def receipt(self):
        return receipts.contact_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                        name=self.id_card.name, id_number=self.id_card.id_number,
                                        phone=self.phone, address_changed=self.address is not None)

    def wipe(self) -> None:
        if self.id_card:
            self.id_card.wipe()
        self.id_card = self.phone = self.address = self.current_phone_masked = self.result = None
        self.verification = None
        self.acting = HOLDER


PHONE, ADDRESS, CONFIRM = "phone", "address", "confirm"
CORRECT, RETYPE, RESEND = "correct", "retype", "resend"
CODE_ASKED_AGAIN = ("code_wrong",)                          # the same code may still be typed again
CODE_ENDED = ("code_spent", "code_expired", "code_invalid")   # a new code is needed


def journey(devices: Devices, acting: Acting = HOLDER):
    """修改联系方式: the holder's ID card → a new mobile number on the keypad (asked again until valid, the refused
    number kept on screen), read back and confirmed → a code texted to it and typed back, or the ID card's
    address confirmed → sent to the service → receipt."""
    flow = ContactFlow(devices, acting)
    phone = DigitBuffer(11)
    code = DigitBuffer(6)
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        if (yield PlaceIdCard(representation.holder_id_title(acting), _("修改联系方式须核验持卡人身份证"),
                              flow.wait_for_id_card)) is None:
            return
        current = flow.current_phone_masked
        what = yield Choose(_("请选择要修改的内容"),
                            _("当前登记手机号：{phone}", phone=current) if current else _("当前未登记手机号"),
                            [Option(PHONE, _("修改手机号码")), Option(ADDRESS, _("通讯地址改为身份证地址"))])
        if what == PHONE:
            if not (yield from _new_phone(flow, phone, code)):
                return
            changed = _("手机号码已改为 {phone}。", phone=masking.phone(flow.phone))
        else:
            if (yield Message(_("确认通讯地址"), _("将您的通讯地址改为身份证上的地址：\n{address}",
                                                address=flow.address_on_id_card()), tone="info",
                              primary=(CONFIRM, _("确认修改")), secondary=(DONE, _("返回首页")))) != CONFIRM:
                return
            flow.use_id_card_address()
            changed = _("通讯地址已更新。")
            yield Work(_("正在提交"), flow.submit)
        yield from finish(devices, _("联系方式已修改"), join(changed, _("请取走身份证。")), receipt=flow.receipt)
    finally:
        phone.clear()
        code.clear()
        flow.wipe()


def _new_phone(flow: ContactFlow, phone: DigitBuffer, code: DigitBuffer):
    """The number typed, read back and confirmed, then proven by the texted code and changed. False when the
    holder stops."""
    error = ""
    while True:
        # a refused number stays on the keypad's display, with the error under it: the mistake can be seen
        yield EnterDigits("digits", _("请输入新的手机号码"), _("11位手机号码，用于接收社保卡业务通知"), phone, error)
        try:
            flow.set_phone(phone.text())
        except ContactInvalid as exc:
            error = of_error(exc)
            continue
        error = ""
        shown = digits.grouped(flow.phone, 11)
        answer = yield Message(_("请核对手机号码"),
                               _("号码有误，短信和社保卡业务通知会发给别人。核对无误后，我们将向此号码发送短信验证码。"),
                               tone="info", primary=(CORRECT, _("号码正确")), secondary=(RETYPE, _("重新输入")),
                               emphasis=shown, read_back=_("请核对手机号码：{digits}", digits=digits.spoken(flow.phone)))
        if answer != CORRECT:
            phone.clear()
            continue
        return (yield from _prove_and_change(flow, code))


def _prove_and_change(flow: ContactFlow, code: DigitBuffer):
    yield Work(_("正在发送短信验证码"), flow.send_code)
    error = ""
    while True:
        yield EnterDigits("digits", _("请输入短信验证码"),
                          _("请查看手机短信，验证码已发送至：\n{phone}", phone=digits.grouped(flow.phone, 11)), code, error)
        try:
            yield Work(_("正在提交"), lambda: flow.submit(code))
            return True
        except ServiceRefused as refused:
            if refused.code in CODE_ASKED_AGAIN:
                error = of_error(refused)
                continue
            if refused.code not in CODE_ENDED:
                raise
            code.clear()
            if (yield Message(_("验证码已失效"), of_error(refused), tone="warn",
                              primary=(RESEND, _("重新发送验证码")), secondary=(DONE, _("返回首页")))) != RESEND:
                return False
            error = ""
            yield Work(_("正在发送短信验证码"), flow.send_code)
