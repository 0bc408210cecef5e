"""The one status model every device reports (after CEN/XFS4IoT Common.Status).

A flow asks a device for its :class:`DeviceStatus` before it starts and tells the citizen plainly what
is unavailable. Errors say who must act (XFS4IoT ``ErrorEvent`` actions), so a screen can choose between
"please try again", "please call staff" and "this machine is out of order".
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


class Action(enum.Enum):
    """Who must act to clear an error (XFS4IoT ErrorEvent.action)."""
    RETRY = "retry"                # the citizen may simply try again
    RESET = "reset"                # the software resets the device
    CLEAR = "clear"                # staff clear it by hand: paper, jam, bin
    MAINTENANCE = "maintenance"    # a field engineer is needed
    CONFIGURATION = "configuration"  # the technician's configuration is wrong


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


class DeviceError(Exception):
    """A typed device failure with a citizen-facing message in Chinese and English.

    ``str(error)`` is the technician-facing text; it never contains a PIN or key.
    """

    action = Action.RETRY

    def __init__(self, detail: str, *, zh: str, en: str, vendor_code: str = "",
                 action: Action | None = None):
        super().__init__(detail)
        self.detail = detail
        self.zh = zh
        self.en = en
        self.vendor_code = vendor_code
        if action is not None:
            self.action = action

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class DeviceOffline(DeviceError):
    action = Action.MAINTENANCE


class DeviceTimeout(DeviceError):
    action = Action.RETRY
