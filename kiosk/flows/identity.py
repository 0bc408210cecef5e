"""Is this social security card the holder's own, and the one the service knows as theirs?

Services that need "the card and the holder's valid ID" (release, reset, unlock, activation: domain.md
§2, 4, 5, 7) check two things, here and nowhere else:
- the chip's social security number (EF06 tag 08) is the ID number read from the ID card — the number
  on the chip *is* the ID number (protocols.md §3), so another person's card fails here;
- the service's card for that ID number is this card number — an old card a replacement has cancelled, or
  a card the service does not know, fails here even when it is the holder's.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from kiosk.backend.client import ServiceClient
from kiosk.errors import Refusal
from kiosk.flows.base import Devices
from kiosk.hw.cardreader.ssse import CardInfo, SocialSecurityCard
from kiosk.hw.idreader.idcard import IdCard


class NotTheHolder(Refusal):
    """The card's chip belongs to someone other than the person whose ID card was read."""


class NotCurrentCard(Refusal):
    """The card is the holder's, but the service records another card (or none) as their current one."""


def same_number(a: str, b: str) -> bool:
    # the check character X may be read in either case from older chips
    return a.strip().upper() == b.strip().upper()


def check_chip(id_card: IdCard, info: CardInfo) -> None:
    if not same_number(info.ssn, id_card.id_number):
        raise NotTheHolder("card and ID card belong to different people",
                           zh="社保卡与身份证不是同一人，请持本人证件办理",
                           en="The card and the ID card are not the same person's; please bring your own")


def check_record(service: ServiceClient, id_number: str, card_number: str) -> dict:
    """The service's record of this card, when it is the person's current card; else NotCurrentCard."""
    record = service.card_status(id_number)["card"]
    if record is None:
        # this kiosk makes cards (registry "issue"): someone with no card applies here, not at a counter
        raise NotCurrentCard("no card on record for this person",
                             zh="未查询到您名下的社保卡。如还没有社保卡，请选择“申领社保卡”",
                             en="There is no card on record for you. If you have none yet, choose "
                                "'Apply for a card'", offer="issue")
    if record["card_number"] != card_number:
        raise NotCurrentCard("service's current card is another",
                             zh="此卡不是您当前有效的社保卡（可能已补换新卡）。请插入新卡；如新卡丢失，"
                                "请携带身份证到社会保障卡服务窗口咨询",
                             en="This is not your current card (it may have been replaced). Please insert your "
                                "new card; if it is lost, ask at a social security card counter and bring your ID "
                                "card")
    return record


def confirm(service: ServiceClient, id_card: IdCard, info: CardInfo) -> dict:
    """Both checks; returns the service's record of the card (its "state" among others)."""
    check_chip(id_card, info)
    return check_record(service, id_card.id_number, info.card_number)


@dataclass
class HoldersCard:
    card: SocialSecurityCard     # still connected, for a PIN command that follows
    info: CardInfo
    record: dict                 # the service's record: card_number, state, …


def read_holders_card(devices: Devices, id_card: IdCard, timeout: float,
                      cancelled: threading.Event) -> HoldersCard | None:
    """Wait for the card, read it and confirm it is ``id_card``'s current card. None when the wait ended
    without a card; the connection is closed again when the check refuses or the read fails."""
    connection = devices.cardreader.wait_for_card(timeout, cancelled)
    if connection is None:
        return None
    card = SocialSecurityCard(connection, devices.security)
    info = None
    try:
        info = card.read_info()
        record = confirm(devices.service, id_card, info)
    except BaseException:
        if info is not None:
            info.wipe()
        connection.disconnect()
        raise
    return HoldersCard(card, info, record)
