"""The one status model every device reports (after CEN/XFS4IoT Common.Status).

A flow asks a device for its :class:`DeviceStatus` before it starts and tells the citizen plainly what
is unavailable. Outside ``kiosk.hw`` because the security module and the service report it too.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class DeviceState(enum.Enum):
    ONLINE = "online"
    OFFLINE = "offline"            # not answering: unplugged, powered off, port gone
    BUSY = "busy"
    HARDWARE_ERROR = "hardware_error"
    USER_ERROR = "user_error"      # a person prevents operation (card held in the slot, …)
    NO_DEVICE = "no_device"        # not configured on this kiosk


@dataclass(frozen=True)
class DeviceStatus:
    device: str                       # "idreader", "cardreader", "printer", "cardissuer"
    state: DeviceState
    media: dict = field(default_factory=dict)   # e.g. {"paper": "ok"|"low"|"out"|"unknown"}
    detail: str = ""                  # technician-facing, English
    vendor_code: str = ""

    @property
    def usable(self) -> bool:
        return self.state is DeviceState.ONLINE
