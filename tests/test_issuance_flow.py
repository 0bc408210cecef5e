"""The issuance transaction on the embedded default: taken, not taken, and failures at the devices."""
import dataclasses
import threading
import time

import pytest

from kiosk import demo
from kiosk.config import Config
from kiosk.flows.issuance import IssuanceFlow
from kiosk.hw.base import DeviceError
from kiosk.runtime import Kiosk


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0))
    yield k
    k.close()


def paid_replacement(kiosk):
    service = kiosk.devices.service
    person = demo.by_key("normal")
    service.report_loss(person.card_number, "formal", id_verified=True)
    application = service.apply(person.id_number, "replacement", reason="lost")
    service.pay(application["fee_order"]["id"])
    return person, application


def citizen_takes_the_card(sim):
    while not sim.take_card():          # as soon as it is at the gate
        time.sleep(0.05)


def flow(kiosk, person, application):
    return IssuanceFlow(kiosk.devices, application["id"], person.name, person.id_number)


def order_state(kiosk, application):
    return kiosk.service.store.query("SELECT state FROM fee_orders WHERE application_id = ?", application["id"])[0][0]


def test_a_card_not_taken_is_captured_and_voided_and_the_fee_kept(kiosk):
    person, application = paid_replacement(kiosk)
    outcome = flow(kiosk, person, application).run(take_timeout=0.5)
    assert not outcome.taken and kiosk.hands.issuer_sim.bin_count == 1
    assert kiosk.devices.service.card(outcome.card_number)["state"] == "void"
    assert order_state(kiosk, application) == "paid"
    # and the citizen can try again without paying again
    threading.Thread(target=citizen_takes_the_card, args=(kiosk.hands.issuer_sim,), daemon=True).start()
    again = flow(kiosk, person, application).run(take_timeout=5)
    assert again.taken and kiosk.devices.service.card(again.card_number)["state"] == "sealed"
    assert kiosk.devices.service.card(person.card_number)["state"] == "cancelled"      # the old card


def test_a_face_printer_jam_captures_the_card_and_voids_its_number(kiosk):
    person, application = paid_replacement(kiosk)
    kiosk.hands.faceprinter_sim.inject("jam")
    issuance = flow(kiosk, person, application)
    with pytest.raises(DeviceError) as failure:
        issuance.run(take_timeout=1)
    assert "卡面" in failure.value.zh
    assert kiosk.hands.issuer_sim.bin_count == 1 and kiosk.hands.station.card is None
    assert kiosk.devices.service.card(issuance.card_number)["state"] == "void"
    assert kiosk.devices.journal.transactions("issuance")[0]["outcome"] == "failed"


def test_an_empty_hopper_fails_before_any_number_is_allocated(kiosk):
    person, application = paid_replacement(kiosk)
    kiosk.hands.issuer_sim.inject("hopper_empty")
    issuance = flow(kiosk, person, application)
    with pytest.raises(DeviceError) as failure:
        issuance.run(take_timeout=1)
    assert failure.value.vendor_code == "EA0" and issuance.card_number is None


def test_a_region_that_refunds_a_failed_issuance(kiosk):
    kiosk.devices.policy = dataclasses.replace(kiosk.devices.policy, refund_fee_on_failed_issuance=True)
    person, application = paid_replacement(kiosk)
    kiosk.hands.faceprinter_sim.inject("jam")
    with pytest.raises(DeviceError):
        flow(kiosk, person, application).run(take_timeout=1)
    assert order_state(kiosk, application) == "refunded"
