"""The two flows without a screen, on the embedded default (simulated devices, service over HTTP)."""
import threading

import pytest

from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.config import Config
from kiosk.flows import change_pin
from kiosk.flows.base import ServiceUnavailable
from kiosk.flows.change_pin import CardNotUsable, ChangePinFlow, PinRuleBroken
from kiosk.flows.status_query import StatusQueryFlow
from kiosk.hw.cardreader.apdu import PinBlocked, PinWrong
from kiosk.journal import new_txn_id
from kiosk.pin import PinBuffer
from kiosk.runtime import Kiosk


pin = PinBuffer.typed


@pytest.fixture
def kiosk(tmp_path, request):
    policy = getattr(request, "param", "shaanxi")
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), policy=policy))
    yield k
    k.close()


def read_card(kiosk, key):
    flow = ChangePinFlow(kiosk.devices)
    flow.check_devices()
    kiosk.hands.insert_card(key)
    flow.wait_for_card(2, threading.Event())
    return flow


def test_status_query_reads_the_id_card_and_asks_the_service(kiosk):
    flow = StatusQueryFlow(kiosk.devices)
    flow.check_devices()
    kiosk.hands.place_id_card("sealed")
    assert flow.wait_for_id_card(3, threading.Event()).name == "李秀兰"
    assert flow.query().state.label_zh == "未启用"
    receipt = flow.receipt().text()
    assert "李*兰" in receipt and demo.by_key("sealed").id_number not in receipt
    flow.wipe()
    assert flow.id_card is None and flow.result is None


def test_waiting_for_an_id_card_can_be_cancelled(kiosk):
    cancelled = threading.Event()
    cancelled.set()
    assert StatusQueryFlow(kiosk.devices).wait_for_id_card(5, cancelled) is None


def test_a_flow_refuses_early_when_a_device_is_down(kiosk):
    kiosk.devices.service = ServiceClient("http://127.0.0.1:9", "T", timeout=(0.3, 0.3), retries=0)
    with pytest.raises(ServiceUnavailable) as refused:
        StatusQueryFlow(kiosk.devices).check_devices()
    assert "社保卡管理系统" in refused.value.zh


@pytest.mark.parametrize("kiosk,initial", [("shaanxi", "666666"), ("henan", "123456")], indirect=["kiosk"])
def test_new_pin_may_not_be_the_regions_initial_pin(kiosk, initial):
    flow = read_card(kiosk, "normal")
    with pytest.raises(PinRuleBroken) as broken:
        flow.check_new(pin("135790"), pin(initial))
    assert "初始密码" in broken.value.zh


@pytest.mark.parametrize("kiosk", ["sichuan"], indirect=True)
def test_region_without_a_stated_initial_pin_only_applies_the_general_rules(kiosk):
    flow = read_card(kiosk, "normal")
    flow.check_new(pin("135790"), pin("802468"))
    with pytest.raises(PinRuleBroken) as broken:        # refused as weak, not as "the initial PIN"
        flow.check_new(pin("135790"), pin("666666"))
    assert "相同" in broken.value.zh


@pytest.mark.parametrize("new,rule", [("111111", "相同"), ("654321", "连续"), ("135790", "原密码")])
def test_weak_or_unchanged_pins_are_refused(kiosk, new, rule):
    flow = read_card(kiosk, "normal")
    with pytest.raises(PinRuleBroken) as broken:
        flow.check_new(pin("135790"), pin(new))
    assert rule in broken.value.zh


def test_new_pin_must_be_entered_the_same_twice(kiosk):
    flow = read_card(kiosk, "normal")
    flow.verify_old(pin("135790"))
    with pytest.raises(PinRuleBroken, match="mismatch"):
        flow.change(pin("135790"), pin("802468"), pin("802469"))


@pytest.mark.parametrize("kiosk, words", [("shaanxi", "启用社保卡"), ("sichuan", "窗口")], indirect=["kiosk"])
def test_a_sealed_card_is_not_activated_by_a_pin_change_without_the_id_card(kiosk, words):
    """Activation needs the card and the ID card (seeds/002, 003): the initial PIN is published. Before, the
    change-PIN flow took a sealed card and its initial PIN and activated it with the card alone."""
    kiosk.hands.insert_card("sealed")
    with pytest.raises(CardNotUsable) as refused:
        ChangePinFlow(kiosk.devices).wait_for_card(2, threading.Event())
    assert words in refused.value.zh and "身份证" in refused.value.zh
    assert kiosk.devices.service.card("A00000002")["state"] == "sealed"


def test_lost_card_is_refused_before_any_pin_is_asked(kiosk):
    kiosk.hands.insert_card("temp_lost")
    flow = ChangePinFlow(kiosk.devices)
    with pytest.raises(CardNotUsable) as refused:
        flow.wait_for_card(2, threading.Event())
    assert "挂失" in refused.value.zh


def test_wrong_pins_are_counted_and_a_blocked_card_is_reported(kiosk):
    flow = read_card(kiosk, "normal")
    with pytest.raises(PinWrong) as wrong:
        flow.verify_old(pin("000000"))
    assert wrong.value.tries_left == 5
    locked = read_card(kiosk, "pin_locked")
    with pytest.raises(PinBlocked):
        locked.verify_old(pin("975310"))
    events = kiosk.service.store.events("A00000001")
    assert "pin_wrong_pin" in [e["kind"] for e in events]


def test_change_made_while_the_service_was_down_is_reconciled_at_next_start(kiosk):
    flow = read_card(kiosk, "normal")
    flow.verify_old(pin("135790"))
    real = kiosk.devices.service
    kiosk.devices.service = ServiceClient("http://127.0.0.1:9", "T", timeout=(0.3, 0.3), retries=0)
    flow.change(pin("135790"), pin("802468"), pin("802468"))    # the card changed; the service missed it
    assert flow.done and [r["txn"] for r in kiosk.devices.journal.unfinished()] == [flow.txn]
    assert "pin_changed" not in [e["kind"] for e in kiosk.service.store.events("A00000001")]
    kiosk.devices.service = real
    assert change_pin.recover(kiosk.devices) == [(flow.txn, "reconciled")]
    assert "pin_changed" in [e["kind"] for e in kiosk.service.store.events("A00000001")]
    assert kiosk.devices.journal.unfinished() == []


def test_interrupted_card_command_is_reported_as_unknown(kiosk):
    journal, txn = kiosk.devices.journal, new_txn_id("T")
    journal.begin(txn, change_pin.KIND, card_number="A00000001", activating=False)
    journal.step(txn, "card_change_sent")
    assert change_pin.recover(kiosk.devices) == [(txn, "outcome_unknown_reported")]
    assert kiosk.devices.service.card("A00000001")["pin_outcome_unknown"]["operation"] == "changed"


def test_a_change_the_service_refuses_is_closed_not_retried_at_every_start(kiosk):
    """A definite refusal (here: a card the service does not know) gets the same answer every time."""
    journal = kiosk.devices.journal
    journal.begin("T-2", change_pin.KIND, card_number="Z99999999", activating=False)
    journal.step("T-2", "card_changed")
    assert change_pin.recover(kiosk.devices) == [("T-2", "service_refused")]
    assert journal.unfinished() == []


def test_the_embedded_demo_restarts_with_its_service_key_and_closes_the_old_demos_transactions(tmp_path):
    """The demo service is recreated at every start, so what the journal left unfinished refers to cards
    and applications it no longer knows: closed at start-up ("demo_restarted"), never retried."""
    state = str(tmp_path / "state")
    first = Kiosk(Config(state_dir=state))
    first.devices.journal.begin("T-OLD", change_pin.KIND, card_number="A00000002", activating=True)
    first.devices.journal.step("T-OLD", "card_changed")
    first.devices.journal.begin("T-ISS", "issuance", application_id=1)
    first.devices.journal.step("T-ISS", "number_allocated", card_number="B10000001")
    first.close()
    for _ in range(2):
        again = Kiosk(Config(state_dir=state))
        try:
            assert again.devices.service.health()                   # the pinned key verifies its answers
            assert again.devices.journal.unfinished() == []
            outcomes = {t["txn"]: t["outcome"] for kind in (change_pin.KIND, "issuance")
                        for t in again.devices.journal.transactions(kind)}
            assert outcomes == {"T-OLD": "demo_restarted", "T-ISS": "demo_restarted"}
        finally:
            again.close()


def test_a_demo_state_dir_from_before_the_kept_key_starts_with_the_key_it_pinned(tmp_path):
    state = tmp_path / "state"
    Kiosk(Config(state_dir=str(state))).close()
    for name in ("demo-service-key.pem", "demo-service-key.pub.pem"):   # as older versions left it
        (state / name).unlink()
    again = Kiosk(Config(state_dir=str(state)))
    try:
        assert again.devices.service.health()
        assert (state / "demo-service-key.pem").stat().st_mode & 0o777 == 0o600
    finally:
        again.close()


def test_an_expired_id_card_is_refused_saying_why(kiosk):
    from kiosk.hw.idreader.idcard import IdCardRefused
    from kiosk.hw.idreader.samples import expired
    kiosk.hands.idreader_sim.place(expired())
    with pytest.raises(IdCardRefused) as refused:
        StatusQueryFlow(kiosk.devices).wait_for_id_card(3, threading.Event())
    assert "过期" in refused.value.zh


def test_a_foreign_resident_unknown_to_the_service_is_told_to_enrol(kiosk):
    from kiosk.backend.client import ServiceRefused
    from kiosk.hw.idreader.samples import foreign_2023
    kiosk.hands.idreader_sim.place(foreign_2023())
    flow = StatusQueryFlow(kiosk.devices)
    flow.wait_for_id_card(3, threading.Event())
    with pytest.raises(ServiceRefused) as refused:
        flow.query()
    assert refused.value.code == "person_not_found"
