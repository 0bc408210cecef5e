"""A PIN command cut off mid-way (power lost between sending it and the card's answer) has an unknown outcome:
the service is told so, staff see it, and the holder's next visit settles it. On the embedded default: the
reference service over HTTP, the journal on disk, the virtual card behind the in-process reader."""
import json
import threading

import pytest

from kiosk import demo
from kiosk.flows import change_pin, pin_writes, replacement, reset_pin, unlock
try:                                     # new in this change: absent before the fix
    from kiosk.flows import staff_notices
except ImportError:
    staff_notices = None
from kiosk.flows.activate import ActivateFlow
from kiosk.flows.change_pin import ChangePinFlow
from kiosk.flows.reset_pin import ResetPinFlow
from kiosk.flows.status_query import StatusQueryFlow
from kiosk.flows.unlock import NotBlocked, UnlockFlow
from kiosk.pin import PinBuffer
from tests.test_flows_pin_services import Crash, crash_after_card_acts, go_offline, start

pin = PinBuffer.typed
NEW = "802468"
CHANGE, RELOAD_OR_CHANGE, UNBLOCK = 0x5E, 0x5E, 0x24


def number(key):
    return demo.by_key(key).card_number


def record(kiosk, key):
    return kiosk.devices.service.card(number(key))


def card_events(kiosk, key):
    return [e["kind"] for e in kiosk.service.store.events(number(key))]


def staff_events(kiosk):
    """The kiosk's staff notices; device events (a card captured at start is one too) are listed beside them
    and are tested in tests/test_device_events.py."""
    return [e for e in kiosk.devices.service.staff_events(kiosk.devices.kiosk_id)["events"] if e["device"] is None]


def cut_off(kiosk, flow_class, key, ins):
    """``flow_class`` for the holder ``key``: the card carries out ``ins`` (the new PIN is set), and the kiosk
    loses power before it reads the answer."""
    flow = start(kiosk, flow_class, key)
    crash_after_card_acts(flow, ins)
    act = {ActivateFlow: "activate", ResetPinFlow: "reset", UnlockFlow: "unlock"}[flow_class]
    with pytest.raises(Crash):
        getattr(flow, act)(pin(NEW), pin(NEW))
    flow.wipe()
    assert kiosk.hands.card_of(key).pin_is(NEW)
    return flow


def cut_off_activation(kiosk):
    return cut_off(kiosk, ActivateFlow, "sealed", CHANGE)


# -- reported, never buried ---------------------------------------------------------------------------------
def test_an_activation_cut_off_mid_command_is_reported_to_the_service_and_staff(kiosk):
    flow = cut_off_activation(kiosk)
    assert change_pin.recover(kiosk.devices) == [(flow.txn, "outcome_unknown_reported")]
    assert kiosk.devices.journal.unfinished() == []
    shown = record(kiosk, "sealed")
    assert shown["state"] == "sealed" and shown["pin_outcome_unknown"]["operation"] == "changed"
    assert "pin_outcome_unknown" in card_events(kiosk, "sealed")
    [event] = staff_events(kiosk)
    assert event["kind"] == "pin_outcome_unknown" and event["card_number"] == number("sealed")
    assert event["txn"] == flow.txn


@pytest.mark.parametrize("flow_class,key,ins,operation", [(ResetPinFlow, "normal", RELOAD_OR_CHANGE, "reloaded"),
                                                          (UnlockFlow, "pin_locked", UNBLOCK, "unblocked")])
def test_a_reset_or_unlock_cut_off_mid_command_is_reported(kiosk, flow_class, key, ins, operation):
    flow = cut_off(kiosk, flow_class, key, ins)
    recovered = (reset_pin if flow_class is ResetPinFlow else unlock).recover(kiosk.devices)
    assert recovered == [(flow.txn, "outcome_unknown_reported")]
    assert record(kiosk, key)["pin_outcome_unknown"]["operation"] == operation
    assert [e["kind"] for e in staff_events(kiosk)] == ["pin_outcome_unknown"]


def test_the_status_query_says_the_outcome_is_unknown(kiosk):
    cut_off_activation(kiosk)
    change_pin.recover(kiosk.devices)
    query = StatusQueryFlow(kiosk.devices)
    kiosk.hands.place_id_card("sealed")
    query.wait_for_id_card(3, threading.Event())
    result = query.query()
    assert result.pin_outcome_unknown and "未确认" in query.receipt().text()


def test_nothing_reported_carries_the_pin(kiosk):
    cut_off_activation(kiosk)
    change_pin.recover(kiosk.devices)
    stored = json.dumps([kiosk.service.store.events(number("sealed")), staff_events(kiosk)], ensure_ascii=False)
    journal = json.dumps([kiosk.devices.journal.details(r["txn"]) for r in
                          kiosk.devices.journal.transactions(change_pin.KIND)])
    for text in (stored, journal):
        assert NEW not in text and "666666" not in text and demo.by_key("sealed").id_number not in text


# -- the service down: left for the next start, but not forever ------------------------------------------------
def test_an_unknown_outcome_waits_for_the_service_then_is_reported(kiosk):
    flow = cut_off_activation(kiosk)
    real = kiosk.devices.service
    go_offline(kiosk)
    assert change_pin.recover(kiosk.devices) == []                      # left open for the next start
    assert [r["txn"] for r in kiosk.devices.journal.unfinished()] == [flow.txn]
    kiosk.devices.service = real
    assert change_pin.recover(kiosk.devices) == [(flow.txn, "outcome_unknown_reported")]
    assert record(kiosk, "sealed")["pin_outcome_unknown"] is not None


def age(kiosk, txn, days):
    kiosk.devices.journal._db.execute(
        "UPDATE transactions SET started_at = datetime(started_at, ?) WHERE txn = ?", (f"-{days} days", txn))


@pytest.mark.parametrize("cut", ["mid_command", "after_card_answered"])
def test_past_the_limit_an_unreachable_service_closes_it_unreported_and_staff_hear_when_it_returns(kiosk, cut):
    flow = start(kiosk, ResetPinFlow, "normal")
    real = kiosk.devices.service
    if cut == "mid_command":
        crash_after_card_acts(flow, RELOAD_OR_CHANGE)
        with pytest.raises(Crash):
            flow.reset(pin(NEW), pin(NEW))
    else:
        go_offline(kiosk)
        assert flow.reset(pin(NEW), pin(NEW)) is False
    go_offline(kiosk)
    age(kiosk, flow.txn, 4)
    assert reset_pin.recover(kiosk.devices) == [(flow.txn, "unreported")]
    assert kiosk.devices.journal.unfinished() == []                     # no longer retried
    kiosk.devices.service = real
    assert staff_notices.deliver(kiosk.devices) == [flow.txn]           # the service is back: staff are told
    [event] = staff_events(kiosk)
    assert event["kind"] == "pin_unreported" and event["card_number"] == number("normal")
    assert staff_notices.deliver(kiosk.devices) == []                   # once


def test_a_definite_refusal_closes_the_transaction(kiosk):
    flow = cut_off_activation(kiosk)
    with kiosk.service.store.transaction() as db:                       # a record the service no longer has
        db.execute("DELETE FROM card_events WHERE card_number = ?", (number("sealed"),))
        db.execute("UPDATE cards SET card_number = 'Z99999999' WHERE card_number = ?", (number("sealed"),))
    assert change_pin.recover(kiosk.devices) == [(flow.txn, "service_refused")]
    assert kiosk.devices.journal.unfinished() == []
    [event] = staff_events(kiosk)                                       # closed, but a person hears of it
    assert event["kind"] == "pin_unreported" and event["note"] == "unknown_changed"


# -- the next visit settles it --------------------------------------------------------------------------------
def test_the_next_change_pin_visit_confirms_the_activation_with_the_new_pin(kiosk):
    cut_off_activation(kiosk)
    change_pin.recover(kiosk.devices)
    flow = ChangePinFlow(kiosk.devices)
    kiosk.hands.insert_card("sealed")
    flow.wait_for_card(3, threading.Event())
    flow.verify_old(pin(NEW))                          # not the initial PIN, and the card takes it: changed
    shown = record(kiosk, "sealed")
    assert shown["state"] == "normal" and shown["pin_outcome_unknown"] is None


def activation_cut_off_before_the_card(kiosk) -> None:
    """An activation whose power went after the journal said "sent" and before the card was told; the next
    start reports its outcome as unknown."""
    flow = start(kiosk, ActivateFlow, "sealed")
    kiosk.devices.journal.after_step = lambda txn, step: (_ for _ in ()).throw(Crash()) \
        if step == "card_change_sent" else None        # power lost before the command left the kiosk
    with pytest.raises(Crash):
        flow.activate(pin(NEW), pin(NEW))
    kiosk.devices.journal.after_step = None
    flow.wipe()
    change_pin.recover(kiosk.devices)


def test_a_change_pin_visit_finding_an_unknown_activation_not_taken_does_not_activate_without_the_id_card(kiosk):
    """The initial PIN still works: the interrupted activation had not taken. Settling it is fine; going on
    to set a PIN would be activation with the card alone (seeds/002, 003 need the ID card too)."""
    activation_cut_off_before_the_card(kiosk)
    changer = ChangePinFlow(kiosk.devices)
    kiosk.hands.insert_card("sealed")
    changer.wait_for_card(3, threading.Event())        # let in: only a VERIFY can settle the unknown outcome
    with pytest.raises(change_pin.CardNotUsable) as refused:
        changer.verify_old(pin("666666"))
    assert "启用社保卡" in refused.value.zh
    shown = record(kiosk, "sealed")
    assert shown["state"] == "sealed" and shown["pin_outcome_unknown"] is None     # settled, not activated


def test_activation_finding_the_initial_pin_still_there_settles_it_as_not_changed(kiosk):
    activation_cut_off_before_the_card(kiosk)
    assert record(kiosk, "sealed")["pin_outcome_unknown"] is not None
    again = start(kiosk, ActivateFlow, "sealed")       # the kiosk's own VERIFY of the initial PIN succeeds
    assert record(kiosk, "sealed")["pin_outcome_unknown"] is None
    assert "pin_outcome_settled" in card_events(kiosk, "sealed")
    assert again.activate(pin(NEW), pin(NEW)) is True and record(kiosk, "sealed")["state"] == "normal"


def test_an_unlock_found_done_at_the_next_visit_is_confirmed(kiosk):
    cut_off(kiosk, UnlockFlow, "pin_locked", UNBLOCK)
    unlock.recover(kiosk.devices)
    with pytest.raises(NotBlocked) as told:
        start(kiosk, UnlockFlow, "pin_locked")          # the card is no longer blocked: the unlock took
    assert "已解锁" in told.value.zh
    shown = record(kiosk, "pin_locked")
    assert shown["state"] == "normal" and shown["pin_outcome_unknown"] is None


def test_an_unlock_verified_with_the_new_pin_is_confirmed(kiosk):
    cut_off(kiosk, UnlockFlow, "pin_locked", UNBLOCK)
    unlock.recover(kiosk.devices)
    changer = ChangePinFlow(kiosk.devices)
    kiosk.hands.insert_card("pin_locked")
    changer.wait_for_card(3, threading.Event())
    changer.verify_old(pin(NEW))
    assert record(kiosk, "pin_locked")["state"] == "normal"


# -- smaller findings -----------------------------------------------------------------------------------------
def crash_at(kiosk, step):
    def power_cut(_txn, name):
        if name == step:
            raise Crash()
    kiosk.devices.journal.after_step = power_cut


def test_a_change_whose_last_step_was_service_told_is_closed_as_done(kiosk):
    flow = start(kiosk, ActivateFlow, "sealed")
    crash_at(kiosk, "service_told")
    with pytest.raises(Crash):
        flow.activate(pin(NEW), pin(NEW))
    kiosk.devices.journal.after_step = None
    assert change_pin.recover(kiosk.devices) == [(flow.txn, "done")]


def test_a_reset_whose_last_step_was_service_told_is_closed_as_done(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")
    crash_at(kiosk, pin_writes.TOLD)
    with pytest.raises(Crash):
        flow.reset(pin(NEW), pin(NEW))
    kiosk.devices.journal.after_step = None
    assert reset_pin.recover(kiosk.devices) == [(flow.txn, "done")]


def test_an_old_card_captured_at_start_is_reported_with_its_number_for_staff(kiosk):
    from tests.test_flows_replacement import hand_in, start as start_replacement
    flow = start_replacement(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    kiosk.devices.cardissuer.initialize()              # what the next start does first
    assert replacement.recover(kiosk.devices) == [(flow.txn, "old_card_captured_at_start")]
    [event] = staff_events(kiosk)
    assert event["kind"] == "old_card_captured" and event["card_number"] == number("normal")
    assert "kiosk_old_card_captured" in card_events(kiosk, "normal")


def old_card_captured_while_offline(kiosk):
    """A replacement holds the old card, power is lost, and the kiosk starts while the service is down: the
    card is captured at start and the notice about it is owed. The service is back when this returns."""
    from tests.test_flows_replacement import hand_in, start as start_replacement
    flow = start_replacement(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    kiosk.devices.cardissuer.initialize()
    real = kiosk.devices.service
    go_offline(kiosk)
    assert replacement.recover(kiosk.devices) == [(flow.txn, "old_card_captured_at_start")]
    kiosk.devices.service = real
    return flow


def test_an_old_card_captured_while_the_service_is_down_is_reported_when_it_returns(kiosk):
    flow = old_card_captured_while_offline(kiosk)
    assert staff_notices.deliver(kiosk.devices) == [flow.txn]
    assert [e["kind"] for e in staff_events(kiosk)] == ["old_card_captured"]


def test_a_notice_owed_goes_with_the_first_heartbeat_the_service_answers(kiosk):
    from kiosk.devicewatch import DeviceWatch
    old_card_captured_while_offline(kiosk)
    DeviceWatch(kiosk.devices).poll_once()              # no restart needed
    assert [e["kind"] for e in staff_events(kiosk)] == ["old_card_captured"]


# -- the service's side of it -------------------------------------------------------------------------------
def test_a_kiosk_reports_only_for_itself_and_a_notice_is_kept_once(kiosk):
    from kiosk.backend.client import ServiceRefused
    service = kiosk.devices.service
    with pytest.raises(ServiceRefused) as refused:
        service._post("/v1/kiosks/OTHER-01/events", {"kind": "old_card_captured", "txn": "T-1"})
    assert refused.value.code == "other_kiosk"
    for _ in range(2):
        service.kiosk_event("old_card_captured", "SIM-0001-1", number("normal"), idempotency_key="SIM-0001-1:notice")
    assert len(staff_events(kiosk)) == 1


@pytest.mark.parametrize("payload", [{"kind": "pin_unreported", "txn": "T-1", "note": "802468"},
                                     {"kind": "pin_unreported", "txn": "T-1", "card_number": "610103196111020021"},
                                     {"kind": "anything", "txn": "T-1"}])
def test_a_staff_event_has_no_room_for_a_pin_or_an_id_number(kiosk, payload):
    from kiosk.backend.client import ServiceRefused
    with pytest.raises(ServiceRefused) as refused:
        kiosk.devices.service._post(f"/v1/kiosks/{kiosk.devices.kiosk_id}/events", payload)
    assert refused.value.code == "invalid_request"


def test_an_unknown_outcome_names_the_command(kiosk):
    from kiosk.backend.client import ServiceRefused
    with pytest.raises(ServiceRefused) as refused:
        kiosk.devices.service.pin_event(number("normal"), "outcome_unknown")
    assert refused.value.code == "operation_missing"
    assert record(kiosk, "normal")["pin_outcome_unknown"] is None
