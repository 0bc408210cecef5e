"""The security module as the service's key service: a 3rd-generation card read, a PIN reset and an unlock,
with every cryptogram computed at the service and the PIN sent only SM4-encrypted."""
import pytest

from kiosk import demo
from kiosk.backend.client import ServiceClient, ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.hw.cardreader.inprocess import InProcessReader
from kiosk.hw.cardreader.ssse import SocialSecurityCard
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.pin import PinBuffer
from kiosk.policy import profile
from kiosk.security.module import KeyServiceModule, SecurityModuleError, SoftSecurityModule, demo_masters
from kiosk.security.sm2 import PrivateKey


@pytest.fixture
def module(service_db):
    svc = ServiceThread(service_db.location, profile("shaanxi"), key_file=service_db.key_file).start()
    client = ServiceClient(svc.url, "KS-01", key=PrivateKey.generate())
    client.enrol(svc.enrolment_code)
    yield KeyServiceModule(client)
    client.close()
    svc.stop()


pin = PinBuffer.typed


def app_for(key, module, **changes):
    profile_ = demo.by_key(key).card_profile()
    for k, v in changes.items():
        setattr(profile_, k, v)
    card = personalise(profile_, SoftSecurityModule(demo_masters()))
    reader = InProcessReader()
    reader.insert(card)
    return card, SocialSecurityCard(reader.wait_for_card(1), module)


def test_third_generation_read_through_the_key_service(module):
    _, app = app_for("normal", module)
    assert app.read_info().name == "王小明"
    assert module.status().usable


@pytest.mark.parametrize("key", ["normal", "gen2"])
def test_reset_and_unlock_through_the_key_service(module, key):
    card, app = app_for(key, module, pin_tries_left=0)
    app.unblock_pin(pin("802468"))
    assert card.pin_is("802468") and card.pin_tries_left == 6
    app.reload_pin(pin("913579"))
    assert card.pin_is("913579")


def test_an_expired_session_is_reopened(module):
    card, app = app_for("gen2", module)
    module._session = ("0" * 32, b"\x00" * 16, float("inf"))      # a session the service does not know
    with pytest.raises(SecurityModuleError) as refused:   # the key service's no is a security-module fault
        app.reload_pin(pin("802468"))
    assert refused.value.vendor_code == "no_session"
    module._session = None
    app.reload_pin(pin("802468"))
    assert card.pin_is("802468")


# -- instant issuance: the personalisation data travels sealed under the session key -----------------------
def test_issuance_hands_sealed_personalisation_data_then_confirms(module):
    import json
    client = module.client
    person = demo.by_key("no_card")
    application = client.apply(person.id_number, "new", photo=True)
    code = bytes.fromhex("610100D15600000599110199FFFFFFFF")
    started = client.start_issuance(application["id"], code, module.session_id())
    assert person.name.encode("gbk", errors="replace").hex() not in started["personalisation"]
    records = json.loads(module.open_sealed(started["personalisation"]))
    assert records["ef06"]["08"] == person.id_number.encode().hex() and records["ef05"]["01"] == code.hex().upper()
    assert client.card_status(person.id_number)["card"] is None          # not a card until it is taken
    assert client.confirm_issuance(started["card_number"])["state"] == "sealed"
    assert client.card_status(person.id_number)["card"]["state"] == "sealed"


def test_a_voided_issuance_can_be_retried_and_a_replacement_cancels_the_old_card(module):
    client = module.client
    person = demo.by_key("gen2")
    application = client.apply(person.id_number, "replacement", reason="upgrade")
    client.pay(application["fee_order"]["id"])     # an early swap of a valid 2nd-generation card: 20 yuan
    code = bytes.fromhex("610100D15600000599110198FFFFFFFF")
    first = client.start_issuance(application["id"], code, module.session_id())
    assert client.void_issuance(first["card_number"], "jam at the printer")["state"] == "void"
    second = client.start_issuance(application["id"], code, module.session_id())
    assert second["card_number"] != first["card_number"]
    client.confirm_issuance(second["card_number"])
    assert client.card(person.card_number)["state"] == "cancelled"
    assert client.card_status(person.id_number)["card"]["card_number"] == second["card_number"]
    with pytest.raises(ServiceRefused) as refused:
        client.confirm_issuance(second["card_number"])
    assert refused.value.code == "not_issuing"
