"""The menu's tiles. Which services exist, their tiles, who may use them, where they are offered and their
journeys are kiosk/flows/registry.py; the screens run any journey with one driver (kiosk/screens/driver.py)."""
from __future__ import annotations

from kiosk.flows import registry
from kiosk.flows.registry import Service


def menu_for(policy) -> list[Service]:
    """The tiles this region's kiosk shows (e.g. activation only where the kiosk knows the initial PIN)."""
    return registry.offered(policy)
