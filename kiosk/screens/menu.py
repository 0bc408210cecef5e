"""The home screen's tiles. Which services exist, their tiles, who may use them, where they are offered and
their journeys are kiosk/flows/registry.py; the screens run any journey with one driver
(kiosk/screens/driver.py). A tile whose service cannot run now says so in plain words (no device jargon)."""
from __future__ import annotations

from kiosk.devicewatch import REASONS
from kiosk.flows import registry
from kiosk.flows.registry import Service
from kiosk.i18n import Text, both

# What a citizen calls the part that is down (devicewatch's names are the technician's: "读卡器未就绪")
PLAIN_NAMES = {"idreader": ("身份证读卡设备", "the ID card reader"),
               "cardreader": ("社保卡读卡设备", "the card reader"),
               "security": ("本机安全设备", "this kiosk's security unit"),
               "cardissuer": ("制卡设备", "the card-making unit"),
               "issuer_reader": ("制卡设备", "the card-making unit"),
               "faceprinter": ("制卡设备", "the card-making unit"),
               "camera": ("拍照设备", "the camera"),
               "key_transport": ("网络连接", "the network connection"),
               "printer": ("凭条打印机", "the receipt printer"),
               "service": ("网络连接", "the network connection")}


def menu_for(policy) -> list[Service]:
    """The tiles this region's kiosk shows (e.g. activation only where the kiosk knows the initial PIN)."""
    return registry.offered(policy)


def paused_notice(watch, service: str) -> Text | str:
    """"" while ``service`` can run; else "暂停办理" and, on the next line, why: e.g. "身份证读卡设备暂时不能使用"
    or "空白卡已用完"."""
    zh, en = [], []
    for name in watch.needs(service):
        status = watch.statuses.get(name)
        if status is None or status.usable:        # unknown counts as up
            continue
        reason = next((REASONS[item] for item in status.media.items() if item in REASONS), None)
        plain_zh, plain_en = PLAIN_NAMES.get(name, ("设备", "a device"))
        words = reason or (f"{plain_zh}暂时不能使用", f"{plain_en} is not working at the moment")
        if words[0] not in zh:
            zh.append(words[0])
            en.append(words[1])
    if not zh:
        return ""
    reason_en = "; ".join(en)
    return both("暂停办理\n" + "，".join(zh), "Paused\n" + reason_en[0].upper() + reason_en[1:])
