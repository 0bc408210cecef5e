"""PIN reset, unlock and activation at the kiosk (domain.md §2, 4, 5), each region's profile, on the embedded
default: simulated ID reader and card slot, the reference service over HTTP, the journal on disk."""
import dataclasses
import threading

import pytest

from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.flows import change_pin, pin_writes, reset_pin, unlock
from kiosk.flows.activate import ActivateFlow, ActivationNotOffered, InitialPinNotAccepted
from kiosk.flows.holder_card import CardStateRefused
from kiosk.flows.identity import NotCurrentCard, NotTheHolder
from kiosk.flows.pin_rules import PinRuleBroken
from kiosk.flows.representation import Acting, MayNotAct, Role
from kiosk.flows.reset_pin import ResetPinFlow, UseUnlockInstead
from kiosk.flows.unlock import NotBlocked, UnlockFlow
from kiosk.hw.cardreader.apdu import CardStatusError
from kiosk.hw.cardreader.virtualcard import personalise
from kiosk.pin import PinBuffer

pin = PinBuffer.typed
REGIONS = ["shaanxi", "henan", "sichuan"]
INITIAL = {"shaanxi": "666666", "henan": "123456", "sichuan": None}
NEW = "802468"


class Crash(BaseException):
    """A power cut: nothing in the flow catches it."""


def custom_card(kiosk, key, **changes):
    """The demo citizen's card with other personalisation (a region's initial PIN, a try counter)."""
    return personalise(dataclasses.replace(demo.by_key(key).card_profile(), **changes), kiosk.hands.card_factory)


def start(kiosk, flow_class, id_key, card=None, card_key=None, acting=None):
    """ID card of ``id_key`` placed, then a card inserted (the demo card of ``card_key``, or ``card``)."""
    flow = flow_class(kiosk.devices) if acting is None else flow_class(kiosk.devices, acting)
    flow.check_devices()
    kiosk.hands.place_id_card(id_key)
    assert flow.wait_for_id_card(3, threading.Event()) is not None
    if card is None:
        kiosk.hands.insert_card(card_key or id_key)
    else:
        kiosk.hands.card_slot.insert(card)
    flow.wait_for_card(3, threading.Event())
    return flow


def events(kiosk, key):
    return [e["kind"] for e in kiosk.service.store.events(demo.by_key(key).card_number)]


def service_state(kiosk, key):
    return kiosk.devices.service.card(demo.by_key(key).card_number)["state"]


def go_offline(kiosk):
    kiosk.devices.service = ServiceClient("http://127.0.0.1:9", "T", timeout=(0.3, 0.3), retries=0)


def set_service_state(kiosk, key, state):
    with kiosk.service.store.transaction() as db:
        db.execute("UPDATE cards SET state = ? WHERE card_number = ?", (state, demo.by_key(key).card_number))


# -- reset ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kiosk", REGIONS, indirect=True)
def test_reset_sets_a_forgotten_pin_and_tells_the_service(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")
    assert flow.reset(pin(NEW), pin(NEW)) is True
    card = kiosk.hands.card_of("normal")
    assert card.pin_is(NEW) and not card.pin_is(demo.by_key("normal").pin)
    assert "pin_reloaded" in events(kiosk, "normal")
    assert kiosk.devices.journal.steps(flow.txn) == ["card_command_sent", "card_pin_set", "service_told"]
    receipt = flow.receipt().text()
    assert "密码重置" in receipt and "王*明" in receipt and NEW not in receipt
    assert demo.by_key("normal").id_number not in receipt and "A00000001" not in receipt


@pytest.mark.parametrize("kiosk", REGIONS, indirect=True)
def test_reset_refuses_someone_elses_card(kiosk):
    with pytest.raises(NotTheHolder) as refused:
        start(kiosk, ResetPinFlow, "normal", card_key="gen2")
    assert "同一人" in refused.value.zh
    assert kiosk.devices.journal.transactions(reset_pin.KIND) == []


def test_reset_refuses_the_holders_old_card_once_replaced(kiosk):
    person = demo.by_key("normal")
    with kiosk.service.store.transaction() as db:        # a replacement was issued: the old card is cancelled
        db.execute("UPDATE cards SET state = 'cancelled' WHERE card_number = ?", (person.card_number,))
        db.execute("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, lost_until, "
                   "updated_at) VALUES ('A00000099', ?, '610100', 'normal', '2025-01-01', '2035-01-01', NULL, "
                   "'2025-01-01T00:00:00')", (person.id_number,))
    with pytest.raises(NotCurrentCard) as refused:
        start(kiosk, ResetPinFlow, "normal")
    assert "补换" in refused.value.zh
    assert kiosk.hands.card_of("normal").pin_is(person.pin)


@pytest.mark.parametrize("key", ["temp_lost", "lost"])
def test_reset_of_a_card_reported_lost_asks_for_release_first(kiosk, key):
    with pytest.raises(CardStateRefused) as refused:
        start(kiosk, ResetPinFlow, key)
    assert "解除挂失" in refused.value.zh


@pytest.mark.parametrize("kiosk,where", [("shaanxi", "启用"), ("henan", "启用"), ("sichuan", "窗口")],
                         indirect=["kiosk"])
def test_reset_of_a_sealed_card_sends_the_holder_to_activation(kiosk, where):
    with pytest.raises(CardStateRefused) as refused:
        start(kiosk, ResetPinFlow, "sealed")
    assert where in refused.value.zh and "未启用" in refused.value.zh


@pytest.mark.parametrize("kiosk", ["shaanxi", "henan"], indirect=True)
def test_reset_of_a_locked_card_points_to_unlock_where_they_are_two_services(kiosk):
    with pytest.raises(UseUnlockInstead) as refused:
        start(kiosk, ResetPinFlow, "pin_locked")
    assert "密码解锁" in refused.value.zh
    assert kiosk.hands.card_of("pin_locked").pin_tries_left == 0


@pytest.mark.parametrize("kiosk", ["sichuan"], indirect=True)
def test_reset_of_a_locked_card_also_unlocks_it_in_sichuan(kiosk):
    flow = start(kiosk, ResetPinFlow, "pin_locked")
    assert flow.unlocking
    flow.reset(pin(NEW), pin(NEW))
    card = kiosk.hands.card_of("pin_locked")
    assert card.pin_is(NEW) and card.pin_tries_left == 6
    assert service_state(kiosk, "pin_locked") == "normal" and "pin_unblocked" in events(kiosk, "pin_locked")
    assert "解除锁定" in flow.receipt().text()


@pytest.mark.parametrize("kiosk,new,rule", [
    ("shaanxi", "666666", "初始密码"), ("henan", "123456", "初始密码"),
    ("sichuan", "666666", "相同数字"),          # no initial PIN stated: refused as weak, not as "initial"
    ("sichuan", "123456", "连续"), ("henan", "111111", "相同数字"), ("shaanxi", "12345", "6位"),
], indirect=["kiosk"])
def test_a_reset_pin_follows_the_same_rules_as_a_change(kiosk, new, rule):
    flow = start(kiosk, ResetPinFlow, "normal")
    with pytest.raises(PinRuleBroken) as broken:
        flow.reset(pin(new), pin(new))
    assert rule in broken.value.zh
    assert kiosk.hands.card_of("normal").pin_is(demo.by_key("normal").pin)
    assert kiosk.devices.journal.transactions(reset_pin.KIND) == []     # refused before anything is journalled


def test_a_reset_pin_must_be_typed_the_same_twice(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")
    with pytest.raises(PinRuleBroken, match="mismatch"):
        flow.reset(pin(NEW), pin("802469"))


def test_reset_made_while_the_service_was_down_is_told_at_recovery_once(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")
    real = kiosk.devices.service
    go_offline(kiosk)
    assert flow.reset(pin(NEW), pin(NEW)) is False
    assert kiosk.hands.card_of("normal").pin_is(NEW)
    assert [r["txn"] for r in kiosk.devices.journal.unfinished(reset_pin.KIND)] == [flow.txn]
    assert reset_pin.recover(kiosk.devices) == []             # still down: left open for the next start
    kiosk.devices.service = real
    assert reset_pin.recover(kiosk.devices) == [(flow.txn, "reconciled")]
    assert kiosk.devices.journal.unfinished() == []
    pin_writes.tell(kiosk.devices, flow.txn, "A00000001", "reloaded")    # told again: the same answer, no new event
    assert events(kiosk, "normal").count("pin_reloaded") == 1


def test_a_crash_after_the_card_answered_is_reconciled(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")

    def power_cut(txn, step):
        if step == pin_writes.DONE:
            raise Crash()
    kiosk.devices.journal.after_step = power_cut
    with pytest.raises(Crash):
        flow.reset(pin(NEW), pin(NEW))
    kiosk.devices.journal.after_step = None
    assert "pin_reloaded" not in events(kiosk, "normal")
    assert reset_pin.recover(kiosk.devices) == [(flow.txn, "reconciled")]
    assert "pin_reloaded" in events(kiosk, "normal")


def crash_after_card_acts(flow, ins):
    """The card executes the command, then the kiosk loses power before it reads the answer."""
    connection = flow.card.connection
    real = connection.transmit

    def transmit(apdu):
        answer = real(apdu)
        if apdu[1] == ins:
            raise Crash()
        return answer
    connection.transmit = transmit


def test_a_crash_between_journal_and_card_answer_is_reported_as_unknown(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")
    crash_after_card_acts(flow, 0x5E)
    with pytest.raises(Crash):
        flow.reset(pin(NEW), pin(NEW))
    assert kiosk.hands.card_of("normal").pin_is(NEW)                # only the card knows it changed
    assert reset_pin.recover(kiosk.devices) == [(flow.txn, "outcome_unknown_reported")]
    assert kiosk.devices.journal.unfinished() == []
    assert "pin_reloaded" not in events(kiosk, "normal") and "pin_outcome_unknown" in events(kiosk, "normal")


def test_a_card_refusing_the_command_closes_the_journal_as_failed(kiosk):
    flow = start(kiosk, ResetPinFlow, "normal")
    kiosk.hands.card_of("normal").inject("reject_mac")
    with pytest.raises(CardStatusError) as refused:
        flow.reset(pin(NEW), pin(NEW))
    assert refused.value.vendor_code == "SW=6988" and refused.value.zh
    assert kiosk.devices.journal.steps(flow.txn) == ["card_command_sent", "card_refused"]
    assert kiosk.devices.journal.unfinished() == []


# -- unlock --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kiosk", REGIONS, indirect=True)
def test_unlock_clears_a_locked_pin_and_tells_the_service(kiosk):
    assert service_state(kiosk, "pin_locked") == "pin_locked"
    flow = start(kiosk, UnlockFlow, "pin_locked")
    assert flow.unlock(pin(NEW), pin(NEW)) is True
    card = kiosk.hands.card_of("pin_locked")
    assert card.pin_is(NEW) and card.pin_tries_left == 6
    assert service_state(kiosk, "pin_locked") == "normal" and "pin_unblocked" in events(kiosk, "pin_locked")
    assert kiosk.devices.journal.steps(flow.txn) == ["card_command_sent", "card_pin_set", "service_told"]
    receipt = flow.receipt().text()
    assert "密码解锁" in receipt and "赵*芳" in receipt and NEW not in receipt


def test_unlock_refuses_a_card_that_is_not_locked_even_when_the_service_thinks_so(kiosk):
    set_service_state(kiosk, "normal", "pin_locked")      # unlocked at a counter; the service not told yet
    with pytest.raises(NotBlocked) as refused:
        start(kiosk, UnlockFlow, "normal")
    assert "未锁定" in refused.value.zh and "“忘记密码”" in refused.value.zh and refused.value.offer == "reset_pin"


def test_unlock_trusts_the_cards_counter_over_the_services_record(kiosk):
    locked = custom_card(kiosk, "normal", pin_tries_left=0)   # locked at a hospital; the service says normal
    flow = start(kiosk, UnlockFlow, "normal", card=locked)
    flow.unlock(pin(NEW), pin(NEW))
    assert locked.pin_is(NEW) and locked.pin_tries_left == 6
    assert "pin_unblocked" in events(kiosk, "normal")


def test_unlock_refuses_someone_elses_card(kiosk):
    with pytest.raises(NotTheHolder):
        start(kiosk, UnlockFlow, "normal", card_key="pin_locked")
    assert kiosk.hands.card_of("pin_locked").pin_tries_left == 0


@pytest.mark.parametrize("key,words", [("temp_lost", "解除挂失"), ("lost", "解除挂失"), ("sealed", "窗口")])
def test_unlock_refuses_cards_it_cannot_serve(kiosk, key, words):
    with pytest.raises(CardStateRefused) as refused:
        start(kiosk, UnlockFlow, key)
    assert words in refused.value.zh


@pytest.mark.parametrize("kiosk,new,rule", [("shaanxi", "666666", "初始密码"), ("henan", "123456", "初始密码"),
                                            ("sichuan", "654321", "连续")], indirect=["kiosk"])
def test_an_unlock_pin_follows_the_same_rules(kiosk, new, rule):
    flow = start(kiosk, UnlockFlow, "pin_locked")
    with pytest.raises(PinRuleBroken) as broken:
        flow.unlock(pin(new), pin(new))
    assert rule in broken.value.zh
    assert kiosk.hands.card_of("pin_locked").pin_tries_left == 0


def test_an_interrupted_unlock_is_recovered(kiosk):
    flow = start(kiosk, UnlockFlow, "pin_locked")
    crash_after_card_acts(flow, 0x24)
    with pytest.raises(Crash):
        flow.unlock(pin(NEW), pin(NEW))
    assert kiosk.hands.card_of("pin_locked").pin_is(NEW)
    assert unlock.recover(kiosk.devices) == [(flow.txn, "outcome_unknown_reported")]
    assert service_state(kiosk, "pin_locked") == "pin_locked"      # unknown to the kiosk: not claimed


def test_an_unlock_the_service_missed_is_told_at_recovery(kiosk):
    flow = start(kiosk, UnlockFlow, "pin_locked")
    real = kiosk.devices.service
    go_offline(kiosk)
    assert flow.unlock(pin(NEW), pin(NEW)) is False
    kiosk.devices.service = real
    assert unlock.recover(kiosk.devices) == [(flow.txn, "reconciled")]
    assert service_state(kiosk, "pin_locked") == "normal"


# -- activation ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kiosk", ["shaanxi", "henan"], indirect=True)
def test_activation_verifies_the_regions_initial_pin_itself(kiosk):
    region = kiosk.devices.policy.key
    sealed = custom_card(kiosk, "sealed", pin=INITIAL[region])
    flow = start(kiosk, ActivateFlow, "sealed", card=sealed)
    assert sealed.pin_tries_left == 6                      # the kiosk's own VERIFY was right
    assert flow.activate(pin(NEW), pin(NEW)) is True
    assert sealed.pin_is(NEW) and service_state(kiosk, "sealed") == "normal"
    assert kiosk.devices.journal.transactions(change_pin.KIND)[0]["context"]["activating"] is True
    assert kiosk.devices.journal.steps(flow.txn) == ["card_change_sent", "card_changed", "service_told"]
    receipt = flow.receipt().text()
    assert "社保功能已启用" in receipt and "李*兰" in receipt and INITIAL[region] not in receipt


@pytest.mark.parametrize("kiosk", ["sichuan"], indirect=True)
def test_activation_is_not_offered_where_the_initial_pin_is_not_known(kiosk):
    assert not ActivateFlow.offered(kiosk.devices.policy)
    with pytest.raises(ActivationNotOffered) as refused:
        ActivateFlow(kiosk.devices).check_devices()
    assert "窗口" in refused.value.zh


@pytest.mark.parametrize("kiosk", ["shaanxi", "henan"], indirect=True)
def test_the_new_pin_may_not_be_the_initial_pin(kiosk):
    initial = INITIAL[kiosk.devices.policy.key]
    sealed = custom_card(kiosk, "sealed", pin=initial)
    flow = start(kiosk, ActivateFlow, "sealed", card=sealed)
    with pytest.raises(PinRuleBroken) as broken:
        flow.activate(pin(initial), pin(initial))
    assert "初始密码" in broken.value.zh
    assert sealed.pin_is(initial) and service_state(kiosk, "sealed") == "sealed"


@pytest.mark.parametrize("kiosk", ["henan"], indirect=True)
def test_a_card_that_no_longer_takes_the_initial_pin_costs_one_try_only(kiosk):
    # the demo's sealed card holds Xi'an's 666666, not Henan's 123456
    with pytest.raises(InitialPinNotAccepted) as refused:
        start(kiosk, ActivateFlow, "sealed")
    assert "修改社保卡密码" in refused.value.zh
    assert kiosk.hands.card_of("sealed").pin_tries_left == 5
    assert "pin_wrong_pin" in events(kiosk, "sealed")


def test_activation_never_risks_the_last_try(kiosk):
    sealed = custom_card(kiosk, "sealed", pin="666666", pin_tries_left=1)
    with pytest.raises(InitialPinNotAccepted) as refused:
        start(kiosk, ActivateFlow, "sealed", card=sealed)
    assert "窗口" in refused.value.zh
    assert sealed.pin_tries_left == 1                       # no VERIFY was sent


@pytest.mark.parametrize("key,words", [("normal", "已启用"), ("pin_locked", "密码解锁"), ("temp_lost", "解除挂失")])
def test_only_a_sealed_card_is_activated(kiosk, key, words):
    with pytest.raises(CardStateRefused) as refused:
        start(kiosk, ActivateFlow, key)
    assert words in refused.value.zh


def test_activation_needs_the_holders_own_id_card(kiosk):
    with pytest.raises(NotTheHolder):
        start(kiosk, ActivateFlow, "normal", card_key="sealed")
    assert kiosk.hands.card_of("sealed").pin_tries_left == 6


def test_activation_interrupted_before_the_service_heard_is_reconciled(kiosk):
    flow = start(kiosk, ActivateFlow, "sealed")
    real = kiosk.devices.service
    go_offline(kiosk)
    assert flow.activate(pin(NEW), pin(NEW)) is False
    kiosk.devices.service = real
    assert service_state(kiosk, "sealed") == "sealed"
    assert change_pin.recover(kiosk.devices) == [(flow.txn, "reconciled")]
    assert service_state(kiosk, "sealed") == "normal"


# -- who may act on the holder's PIN ---------------------------------------------------------------------------
@pytest.mark.parametrize("flow_class", [ResetPinFlow, UnlockFlow, ActivateFlow])
def test_an_agent_may_not_set_the_holders_pin(kiosk, flow_class):
    agent = Acting(Role.AGENT, demo.by_key("gen2").id_number, power_of_attorney=True)
    flow = flow_class(kiosk.devices, agent)
    kiosk.hands.place_id_card("normal")
    with pytest.raises(MayNotAct) as refused:
        flow.wait_for_id_card(3, threading.Event())
    assert "本人" in refused.value.zh
    assert flow.id_card is None
