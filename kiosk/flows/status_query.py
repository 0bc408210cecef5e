"""Query card status (社保卡状态查询): ID card → the service's record → the state in plain words → receipt.
The journey (``journey`` at the end) reads top to bottom; kiosk/flows/steps.py says what a step is."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from kiosk import cardstates, receipts
from kiosk.flows import representation
from kiosk.flows.base import Devices, now
from kiosk.flows.representation import HOLDER, Acting
from kiosk.flows.steps import RECEIPT, PlaceIdCard, ShowStatus, Work, print_receipt
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _
from kiosk.journal import new_txn_id

NEEDS = ("idreader", "service")


@dataclass
class StatusResult:
    name: str
    id_number: str
    card_number: str | None
    state: cardstates.StateText
    lost_until: str | None
    pin_outcome_unknown: bool = False      # the last PIN command was cut off (cardstates.PIN_OUTCOME_UNKNOWN)
    expiry_date: dt.date | None = None     # the card's validity end (10 years, seeds/000)
    expiry: cardstates.StateText | None = None   # what the expiry means for this holder now, if anything


class StatusQueryFlow:
    SERVICE = "status"

    def __init__(self, devices: Devices, acting: Acting = HOLDER):
        self.devices = devices
        self.acting = acting          # a guardian or an agent may ask for the holder
        self.id_card: IdCard | None = None
        self.result: StatusResult | None = None
        self.txn = new_txn_id(devices.kiosk_id)

    def check_devices(self) -> None:
        self.devices.require(*NEEDS)

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        self.id_card = self.devices.idreader.wait_for_card(timeout, cancelled)
        if self.id_card is not None:
            representation.require_may_act(self.devices.policy, self.acting, self.SERVICE, self.id_card)
        return self.id_card

    def query(self) -> StatusResult:
        assert self.id_card is not None
        answer = self.devices.service.card_status(self.id_card.id_number)
        card, application = answer["card"], answer["application"]
        state = cardstates.describe(card["state"] if card else None,
                                    application["state"] if application else None,
                                    kiosk_activates=bool(self.devices.policy.initial_pin))
        expiry_date = _date(card.get("expiry_date")) if card else None
        self.result = StatusResult(self.id_card.name, self.id_card.id_number,
                                   card["card_number"] if card else None, state,
                                   card.get("lost_until") if card else None,
                                   bool(card and card.get("pin_outcome_unknown")), expiry_date,
                                   cardstates.expiry_advice(expiry_date, dt.date.today(), self.devices.policy,
                                                            card.get("bank"), card.get("generation"))
                                   if card and card["state"] not in ("cancelled", "lost") else None)
        return self.result

    def receipt(self):
        r = self.result
        assert r is not None
        advice = r.state.advice_zh
        if r.pin_outcome_unknown:
            advice += "\n" + cardstates.PIN_OUTCOME_UNKNOWN.label_zh + "：" + cardstates.PIN_OUTCOME_UNKNOWN.advice_zh
        if r.expiry_date:
            advice += f"\n有效期至：{r.expiry_date:%Y年%m月%d日}"
        if r.expiry:
            advice += "\n" + r.expiry.advice_zh
        return receipts.status_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(), name=r.name,
                                       id_number=r.id_number, card_number=r.card_number,
                                       state_label=r.state.label_zh, advice=advice)


    def wipe(self) -> None:
        if self.id_card:
            self.id_card.wipe()
        self.id_card = self.result = None


def _date(text: str | None) -> dt.date | None:
    """The service's ISO date, or None when it has none or sends something that is not a date."""
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except (TypeError, ValueError):
        return None


def journey(devices: Devices, acting: Acting = HOLDER):
    """The citizen's journey: the (holder's) ID card → the card's state in plain words → a receipt if asked."""
    flow = StatusQueryFlow(devices, acting)
    try:
        yield Work(_("正在检查设备"), flow.check_devices)
        card = yield PlaceIdCard(representation.holder_id_title(acting),
                                 _("请将身份证平放在下方读卡区，读取完成前请勿移动"), flow.wait_for_id_card)
        if card is None:           # nobody placed a card in time: nobody is there
            return
        result = yield Work(_("正在查询"), flow.query)
        if (yield ShowStatus(result)) == RECEIPT:
            yield from print_receipt(devices, flow.receipt)
    finally:
        flow.wipe()
