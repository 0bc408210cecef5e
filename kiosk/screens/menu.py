"""The menu's tiles and the controller of each service. Which services exist, their tiles, who may use them
and where they are offered is kiosk/flows/registry.py; only the Kivy controller is mapped here, by key
(the core must not import Kivy)."""
from __future__ import annotations

from kiosk.flows import registry
from kiosk.flows.registry import Service
from kiosk.screens.services import ChangePinService, IssueService, LossService, ReleaseService, StatusService
from kiosk.screens.services_more import (AgentService, CancelInfoService, ContactService, EcardService,
                                         ReplaceService)
from kiosk.screens.services_pin import ActivateService, ResetPinService, UnlockService

CONTROLLERS = {controller.name: controller for controller in (
    StatusService, IssueService, ActivateService, ChangePinService, ResetPinService, UnlockService, LossService,
    ReleaseService, ReplaceService, ContactService, EcardService, AgentService, CancelInfoService)}


def menu_for(policy) -> list[Service]:
    """The tiles this region's kiosk shows (e.g. activation only where the kiosk knows the initial PIN)."""
    return registry.offered(policy)
