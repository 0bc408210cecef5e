"""Loss reports and their release at the kiosk, with each region's profile."""
import threading

import pytest

from kiosk import demo
from kiosk.backend.client import ServiceRefused
from kiosk.flows.loss import LossReportFlow, NothingToReport, NotTheHolder, ReleaseFlow
from kiosk.flows.representation import Acting, MayNotAct, Role


def reporting(kiosk, key):
    flow = LossReportFlow(kiosk.devices)
    flow.check_devices()
    kiosk.hands.place_id_card(key)
    flow.wait_for_id_card(3, threading.Event())
    return flow


@pytest.mark.parametrize("kiosk,kinds", [("shaanxi", ["temporary", "formal"]), ("henan", ["formal"]),
                                         ("sichuan", ["temporary", "formal"])], indirect=["kiosk"])
def test_the_kinds_offered_follow_the_region(kiosk, kinds):
    assert LossReportFlow(kiosk.devices).kinds() == kinds


def test_a_temporary_report_lapses_after_seven_days_in_xian(kiosk):
    flow = reporting(kiosk, "normal")
    result = flow.report("temporary")
    assert result["state"] == "temp_lost" and result["lapses_at"]
    receipt = flow.receipt().text()
    assert "临时挂失" in receipt and "王*明" in receipt and demo.by_key("normal").id_number not in receipt


@pytest.mark.parametrize("kiosk", ["henan"], indirect=True)
def test_henan_takes_no_temporary_report(kiosk):
    flow = reporting(kiosk, "normal")
    with pytest.raises(ServiceRefused) as refused:
        flow.report("temporary")
    assert refused.value.code == "not_offered_in_region"
    assert flow.report("formal")["state"] == "lost"


def test_someone_without_a_card_has_nothing_to_report(kiosk):
    with pytest.raises(NothingToReport):
        reporting(kiosk, "no_card")


def releasing(kiosk, id_key, card_key):
    flow = ReleaseFlow(kiosk.devices)
    flow.check_devices()
    kiosk.hands.place_id_card(id_key)
    flow.wait_for_id_card(3, threading.Event())
    kiosk.hands.insert_card(card_key)
    return flow


def test_release_with_the_holders_own_card(kiosk):
    flow = releasing(kiosk, "temp_lost", "temp_lost")
    assert flow.wait_for_card(3, threading.Event()) == demo.by_key("temp_lost").card_number
    assert flow.release()["state"] == "normal"
    receipt = flow.receipt().text()
    assert "已解除挂失" in receipt and "张*国" in receipt and demo.by_key("temp_lost").id_number not in receipt


def test_release_refuses_someone_elses_card(kiosk):
    flow = releasing(kiosk, "normal", "temp_lost")
    with pytest.raises(NotTheHolder) as refused:
        flow.wait_for_card(3, threading.Event())
    assert "同一人" in refused.value.zh


def test_a_card_that_is_not_reported_cannot_be_released(kiosk):
    flow = releasing(kiosk, "normal", "normal")
    flow.wait_for_card(3, threading.Event())
    with pytest.raises(ServiceRefused) as refused:
        flow.release()
    assert refused.value.code == "not_reported"


def acting_loss_report(kiosk, acting, holder_key):
    flow = LossReportFlow(kiosk.devices, acting)
    kiosk.hands.place_id_card(holder_key)
    flow.wait_for_id_card(3, threading.Event())
    return flow


def test_an_agent_with_a_power_of_attorney_reports_the_loss_and_the_service_records_who(kiosk):
    agent = demo.by_key("gen2").id_number
    flow = acting_loss_report(kiosk, Acting(Role.AGENT, agent, power_of_attorney=True), "normal")
    assert flow.report("formal")["state"] == "lost"
    event = kiosk.service.store.events(demo.by_key("normal").card_number)[-1]
    assert event["kind"] == "loss_formal" and agent in event["detail"]


@pytest.mark.parametrize("kiosk", ["henan", "sichuan"], indirect=True)
def test_an_adult_holders_loss_is_not_reported_by_a_guardian(kiosk):
    with pytest.raises(MayNotAct):
        acting_loss_report(kiosk, Acting(Role.GUARDIAN, demo.by_key("gen2").id_number), "normal")


def test_the_service_refuses_an_agent_without_a_power_of_attorney_too(kiosk):
    flow = LossReportFlow(kiosk.devices)
    kiosk.hands.place_id_card("normal")
    flow.wait_for_id_card(3, threading.Event())
    flow.acting = Acting(Role.AGENT, demo.by_key("gen2").id_number, power_of_attorney=False)  # past the kiosk
    with pytest.raises(ServiceRefused) as refused:
        flow.report("formal")
    assert refused.value.code == "power_of_attorney_required"
