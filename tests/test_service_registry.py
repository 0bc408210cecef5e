"""The registry (kiosk/flows/registry.py) is the one list of services: the menu, the acting menu, the device
watch, the representation rules and the README all follow it; a region hides what it cannot offer; and a
service is never done for someone acting for the holder unless the registry says it may be."""
import inspect
import pathlib

import pytest

from kiosk import devicewatch
from kiosk.config import Config
from kiosk.flows import registry, registry_table
from kiosk.flows.representation import Acting, MayNotAct, RepresentationFlow, Role, require_role_may
from kiosk.policy import PROFILES, profile
from kiosk.runtime import Kiosk
from tests.ui_touches import readme_counts

KEYS = [s.key for s in registry.SERVICES]
README = pathlib.Path(__file__).parent.parent / "README.md"
ACTORS = {Role.HOLDER: Acting(), Role.GUARDIAN: Acting(Role.GUARDIAN, "guardian"),
          Role.AGENT: Acting(Role.AGENT, "agent", power_of_attorney=True)}


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    k = Kiosk(Config(state_dir=str(tmp_path_factory.mktemp("state")), policy="shaanxi", issuer_timing=0))
    yield k
    k.close()


# -- one list ---------------------------------------------------------------------------------------------
def test_the_menu_the_watch_and_the_journeys_list_exactly_the_registrys_services():
    from kiosk.screens.menu import menu_for
    assert len(set(KEYS)) == len(KEYS)
    assert [tile.key for tile in menu_for(profile("shaanxi"))] == KEYS          # every tile, in registry order
    assert all(inspect.isgeneratorfunction(s.journey) for s in registry.SERVICES)
    assert list(devicewatch.NEEDS) == KEYS
    assert all(devicewatch.NEEDS[s.key] == s.needs for s in registry.SERVICES)


def test_the_representation_rules_know_exactly_the_registrys_services():
    for key in KEYS:
        require_role_may(ACTORS[Role.HOLDER], key)                     # every service serves its holder
    with pytest.raises(KeyError, match="no service 'apply'"):         # not a silent pass for a stray name
        require_role_may(ACTORS[Role.AGENT], "apply")


@pytest.mark.parametrize("key", KEYS)
def test_the_devices_a_service_needs_are_device_names(key):
    from kiosk.flows.base import DEVICE_NAMES
    assert set(registry.service(key).needs) <= set(DEVICE_NAMES)


# -- regions ----------------------------------------------------------------------------------------------
def test_sichuan_has_no_activation_tile_because_its_profile_has_no_initial_pin():
    from kiosk.screens.menu import menu_for
    assert profile("sichuan").initial_pin is None
    assert "activate" not in [tile.key for tile in menu_for(profile("sichuan"))]
    assert "activate" not in [s.key for s in registry.offered_to(profile("sichuan"), Role.GUARDIAN)]
    for region in ("shaanxi", "henan"):
        assert "activate" in [tile.key for tile in menu_for(profile(region))]
        assert "activate" in [s.key for s in registry.offered_to(profile(region), Role.GUARDIAN)]


# -- who may act ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", sorted(PROFILES))
@pytest.mark.parametrize("role", [Role.GUARDIAN, Role.AGENT])
def test_the_acting_menu_offers_only_what_the_registry_lets_the_role_do(region, role):
    offered = [s.key for s in registry.offered_to(profile(region), role)]
    assert offered and all(registry.service(key).allows(role) for key in offered)
    assert "cancel" not in offered and "agent" not in offered
    assert "replace" in offered and "release" in offered          # with both ID cards (seeds/002)


@pytest.mark.parametrize("key", ["cancel"])
def test_the_cancellation_guide_refuses_an_agent_instead_of_ignoring_them(kiosk, key):
    """Before the registry both controllers took ``acting`` and served the agent as if they were the holder."""
    with pytest.raises(MayNotAct) as refused:
        registry.begin(key, kiosk.devices, ACTORS[Role.AGENT])
    assert "窗口" in refused.value.zh
    with pytest.raises(MayNotAct):                                     # and refused before any card is placed
        RepresentationFlow(kiosk.devices, key).choose(Role.AGENT, power_of_attorney=True)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("role", list(Role))
def test_every_journey_starts_for_exactly_the_actors_the_registry_allows(kiosk, key, role):
    if registry.service(key).allows(role):
        journey = registry.begin(key, kiosk.devices, ACTORS[role])
        assert inspect.getgeneratorstate(journey) == inspect.GEN_CREATED
        journey.close()
    else:
        with pytest.raises(MayNotAct):
            registry.begin(key, kiosk.devices, ACTORS[role])


# -- the README -------------------------------------------------------------------------------------------
def test_the_readmes_service_table_is_the_registrys():
    readme = README.read_text(encoding="utf-8")
    assert registry_table.table() in readme, \
        "README's service table is stale: run `python -m kiosk.flows.registry_table --write README.md`"


def test_the_readmes_touch_table_measures_every_service():
    assert set(KEYS) <= set(readme_counts()), sorted(set(KEYS) - set(readme_counts()))
