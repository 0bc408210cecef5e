"""The kiosk's start-up step after its devices are built: settle what a crash or power cut left unfinished.

Not part of building the devices (kiosk.wiring) because it acts: it initialises the card module, which
captures a card left inside, and it tells cards and the service to finish or undo transactions. The app's
start-up (kiosk.runtime.Kiosk) runs it once; the technician's selftest never does.
"""
from __future__ import annotations

import logging

from kiosk.flows.base import Devices
from kiosk.hw.base import DeviceError

log = logging.getLogger(__name__)


def recover_at_start(devices: Devices) -> None:
    from kiosk.flows import (change_pin, issuance, replacement, reset_pin, service_writes, staff_audit, staff_notices,
                             unlock)
    # PIN set with or without the old one: the same write-ahead recovery
    for txn, outcome in [*change_pin.recover(devices), *reset_pin.recover(devices), *unlock.recover(devices)]:
        log.info("recovered %s: %s", txn, outcome)
    # Initialise the module first, always, capturing a card a power cut left inside; then settle interrupted
    # issuances and replacements, which need to know whether it did
    try:
        devices.cardissuer.initialize()
    except DeviceError as exc:
        log.warning("card module not initialised: %s", exc.detail)
    else:
        for txn, outcome in [*issuance.recover(devices), *replacement.recover(devices)]:
            log.info("recovered %s: %s", txn, outcome)
    # loss reports and releases whose answer was lost: sent again with the same key (no device involved)
    for txn, outcome in service_writes.recover(devices):
        log.info("recovered %s: %s", txn, outcome)
    for txn in staff_notices.deliver(devices):    # what earlier starts owed staff while the service was down
        log.info("staff notice for %s delivered", txn)
    for txn in staff_audit.deliver(devices):      # staff actions the service has not heard of yet
        log.info("staff audit event %s delivered", txn)
