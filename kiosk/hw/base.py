"""Ports' shared vocabulary: the status model (kiosk.devicestatus) and the typed faults (kiosk.errors).

Errors say who must act (XFS4IoT ``ErrorEvent`` actions), so a screen can choose between "please try again",
"please call staff" and "this machine is out of order". Both live outside ``kiosk.hw`` so that the backend
client and the security module can use them without importing drivers; they are re-exported here for them.
"""
from __future__ import annotations

from kiosk.devicestatus import DeviceState, DeviceStatus
from kiosk.errors import Action, DeviceError, Fault

__all__ = ["Action", "DeviceError", "DeviceOffline", "DeviceState", "DeviceStatus", "DeviceTimeout", "Fault"]


class DeviceOffline(DeviceError):
    action = Action.MAINTENANCE


class DeviceTimeout(DeviceError):
    action = Action.RETRY
