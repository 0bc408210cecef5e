"""What every flow shares: the devices it may use and the check that they are usable before it starts."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from kiosk.backend.client import ServiceClient, ServiceError, ServiceRefused
from kiosk.deviceevents import DeviceEvents
from kiosk.hw.base import Action, DeviceError, DeviceStatus
from kiosk.hw.cardissuer.branding import Branding
from kiosk.journal import Journal
from kiosk.policy import PolicyProfile
from kiosk.ports import (CameraPort, CardIssuerPort, CardReaderPort, FacePrinterPort, IdReaderPort,
                         KeyTransportPort, PhotoDecoderPort, ReceiptPrinterPort, SecurityModulePort)

log = logging.getLogger(__name__)

DEVICE_NAMES = {"idreader": ("身份证读卡器", "ID card reader"), "cardreader": ("社保卡读卡器", "card reader"),
                "security": ("安全模块", "security module"), "cardissuer": ("制卡模块", "card-issuing module"),
                "issuer_reader": ("制卡芯片读写器", "card module's chip reader"),
                "faceprinter": ("卡面打印机", "card face printer"), "camera": ("摄像头", "camera"),
                "key_transport": ("制卡数据安全通道", "secure channel to the card service"),
                "printer": ("凭条打印机", "receipt printer"), "service": ("社保卡管理系统", "card service")}


class ServiceUnavailable(DeviceError):
    """A device or the service a flow needs is down: the flow refuses before it starts."""
    action = Action.MAINTENANCE


@dataclass
class Devices:
    """The devices a flow may use, each behind its port (kiosk.ports); kiosk.wiring.build_devices makes them."""
    idreader: IdReaderPort | None
    cardreader: CardReaderPort | None
    printer: ReceiptPrinterPort | None
    service: ServiceClient
    journal: Journal
    policy: PolicyProfile
    kiosk_id: str
    photo: PhotoDecoderPort | None = None
    security: SecurityModulePort | None = None
    cardissuer: CardIssuerPort | None = None
    issuer_reader: CardReaderPort | None = None   # the card reader inside the issuing module
    faceprinter: FacePrinterPort | None = None
    camera: CameraPort | None = None              # None: [camera] device = "none"
    # the session the service seals a new card's personalisation data under (issuance only)
    key_transport: KeyTransportPort | None = None
    events: DeviceEvents | None = None            # the sink every driver's events go to (kiosk.deviceevents)
    # what the card face carries besides the holder's data (authority, bank mark, hotline); None: the
    # region's authority and no bank (kiosk/hw/cardissuer/branding.py)
    card_face: Branding | None = None

    def branding(self) -> Branding:
        return self.card_face or Branding(self.policy.card_issuer, "")

    def status(self, name: str) -> DeviceStatus:
        if name == "security":
            return self.security.status()
        if name == "service":
            from kiosk.hw.base import DeviceState
            try:
                self.service.health()
                return DeviceStatus("service", DeviceState.ONLINE)
            except (ServiceRefused, ServiceError) as exc:   # even a refusal of a health check: not usable
                return DeviceStatus("service", DeviceState.OFFLINE, detail=exc.detail)
        device = getattr(self, name)
        if device is None:
            from kiosk.hw.base import DeviceState
            return DeviceStatus(name, DeviceState.NO_DEVICE, detail="not configured")
        return device.status()

    def require(self, *names: str) -> None:
        """Raise ServiceUnavailable naming, in plain words, each needed device that is not usable."""
        down = []
        for name in names:
            status = self.status(name)
            if not status.usable:
                log.warning("%s unusable: %s %s", name, status.state.value, status.detail)
                down.append(name)
        if down:
            zh = "、".join(DEVICE_NAMES[n][0] for n in down)
            en = ", ".join(DEVICE_NAMES[n][1] for n in down)
            raise ServiceUnavailable(f"unusable: {', '.join(down)}",
                                     zh=f"{zh}暂不可用，本业务暂停办理，请联系工作人员或到窗口办理",
                                     en=f"The {en} is not available, so this service is paused; please call "
                                        f"staff or go to a counter")


def now() -> dt.datetime:
    return dt.datetime.now()
