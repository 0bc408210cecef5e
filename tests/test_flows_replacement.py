"""Replacement and renewal at the kiosk (domain.md §8), with each region's profile, on the embedded default:
the old card goes in at the card module's gate and is checked before any fee, the fee is paid by QR code,
the old card is captured, the new card made."""
import dataclasses
import datetime as dt
import threading

import pytest

from kiosk import demo, policy
from kiosk.backend.client import ServiceRefused
from kiosk.flows import replacement
from kiosk.flows.issuance import IssuanceFlow
from kiosk.flows import replacement_reasons as reasons_for
from kiosk.flows.identity import NotCurrentCard, NotTheHolder
from kiosk.flows.loss import LossReportFlow
from kiosk.flows.replacement import (ApplicationInProgress, NoCardToReplace, NotReady, ReasonNotOffered,
                                     ReplacementAtCounter, ReplacementFlow)
from kiosk.flows.replacement_reasons import OldCard
from kiosk.hw.cardissuer.codec import Command
from kiosk.hw.cardreader.ssse import SFI_EF05
from kiosk.hw.cardreader.virtualcard import personalise


def citizen_takes_cards_from_the_gate(kiosk):
    """Whatever card the module holds out at the gate is taken as soon as it gets there."""
    sim = kiosk.hands.issuer_sim
    inner = sim.on_move

    def on_move(position, cause, card=None):
        inner(position, cause, card)
        if position == "gate":      # called inside the module's move: take it once the move has finished
            threading.Thread(target=sim.take_card, daemon=True).start()
    sim.on_move = on_move


def start(kiosk, key) -> ReplacementFlow:
    flow = ReplacementFlow(kiosk.devices)
    flow.check_devices()
    kiosk.hands.place_id_card(key)
    flow.wait_for_id_card(3, threading.Event())
    return flow


def hand_in(kiosk, flow, key, card=None, **kw):
    """The citizen pushes their card (or ``card``) into the gate the moment the screen says so."""
    def on_progress(step):
        if step == "insert":
            assert (kiosk.hands.issuer_sim.insert_at_gate(card) if card else kiosk.hands.insert_old_card(key))
    return flow.take_old_card(3, threading.Event(), on_progress=on_progress, **kw)


def offered(flow):
    return [r.key for r in flow.reasons() if r.offered]


def make_new_card(kiosk, flow):
    flow.capture_old_card()
    return flow.issuance().run(take_timeout=5)


def chip_number(card) -> str:
    return card.records[SFI_EF05][0x07].decode()


def order_state(kiosk, flow):
    return kiosk.devices.service.application(flow.application["id"])["fee_order"]["state"]


# -- Shaanxi (Xi'an): 20 yuan, paid by QR before the card is made; the whole way through -----------------------
def test_a_damaged_card_is_replaced_for_20_yuan_paid_by_qr_before_the_card_is_made(kiosk):
    person = demo.by_key("normal")
    citizen_takes_cards_from_the_gate(kiosk)
    flow = start(kiosk, "normal")
    assert flow.old_card_expected() and flow.reasons() == []          # the card in hand is read first
    old = hand_in(kiosk, flow, "normal")
    assert old.readable and old.card_number == person.card_number and old.generation == 3
    assert offered(flow) == ["damaged", "changed_appearance"]        # not due for renewal, not 2nd generation
    assert all(r.fee_yuan == 20 for r in flow.reasons())

    application = flow.apply("damaged")
    assert flow.fee_yuan == 20 and application["state"] == "awaiting_payment"
    assert flow.pay_qr == f"sbkpay://order/{application['fee_order']['id']}"
    with pytest.raises(NotReady):
        flow.issuance()
    with pytest.raises(NotReady):
        flow.capture_old_card()
    assert kiosk.hands.issuer_sim.hopper == 50 and kiosk.hands.station.in_bin == []

    kiosk.hands.pay(flow.pay_qr)                                         # the citizen's phone scans and pays
    assert flow.wait_for_payment(5, threading.Event(), poll=0.05)
    inside_when_journalled = []
    kiosk.devices.journal.after_step = lambda _txn, step: step == "old_card_capturing" and \
        inside_when_journalled.append(kiosk.hands.issuer_sim.position)
    outcome = make_new_card(kiosk, flow)

    assert inside_when_journalled == ["ic"]                              # written down before the capture
    station = kiosk.hands.station
    assert [chip_number(c) for c in station.in_bin] == [person.card_number]
    assert outcome.taken and [chip_number(c) for c in station.in_hand] == [outcome.card_number]
    service = kiosk.devices.service
    assert service.card(person.card_number)["state"] == "cancelled"
    current = service.card_status(person.id_number)["card"]
    assert (current["card_number"], current["state"]) == (outcome.card_number, "sealed")
    assert order_state(kiosk, flow) == "paid"

    text = flow.receipt(outcome.card_number).text()
    assert "补换卡" in text and "¥20.00" in text and "已支付" in text and "王*明" in text
    assert person.id_number not in text and person.card_number not in text and outcome.card_number not in text
    flow.wipe()


def test_a_valid_2nd_generation_card_swapped_early_pays_the_fee(kiosk):
    flow = start(kiosk, "gen2")                # 工商银行, valid until 2031: not due, so not the free swap
    assert hand_in(kiosk, flow, "gen2").generation == 2
    upgrade = next(r for r in flow.reasons() if r.key == "upgrade")
    assert upgrade.offered and upgrade.fee_yuan == 20
    flow.apply("upgrade")
    assert flow.fee_yuan == 20 and flow.pay_qr is not None
    flow.wipe()


def test_xian_swaps_an_expired_2nd_generation_card_of_a_named_bank_for_free(kiosk):
    """seeds/000: the named banks' cards must be replaced after expiry, "二代卡补换三代卡首次免收手续费"."""
    person = demo.by_key("gen2")
    with kiosk.service.store.transaction() as db:
        db.execute("UPDATE cards SET expiry_date = ? WHERE card_number = ?",
                   ((dt.date.today() - dt.timedelta(days=3)).isoformat(), person.card_number))
    citizen_takes_cards_from_the_gate(kiosk)
    flow = start(kiosk, "gen2")
    assert hand_in(kiosk, flow, "gen2").generation == 2
    reasons = {r.key: r for r in flow.reasons() if r.offered}
    assert reasons["renewal"].fee_yuan == reasons["upgrade"].fee_yuan == reasons["damaged"].fee_yuan == 0
    assert "免收工本费" in reasons["renewal"].note_zh
    flow.apply("renewal")
    assert flow.fee_yuan == 0 and flow.pay_qr is None
    assert flow.wait_for_payment(0)                                     # nothing to pay: at once
    outcome = make_new_card(kiosk, flow)
    new_card = kiosk.hands.station.in_hand[-1]
    assert outcome.taken and new_card.generation == 3 and chip_number(new_card) == outcome.card_number
    assert kiosk.devices.service.card(demo.by_key("gen2").card_number)["state"] == "cancelled"


def test_a_3rd_generation_card_gets_no_free_upgrade(kiosk):
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    assert "upgrade" not in offered(flow)
    with pytest.raises(ReasonNotOffered):
        flow.apply("upgrade")
    flow.wipe()


# -- lost cards ---------------------------------------------------------------------------------------------
def test_a_temporarily_reported_card_needs_a_formal_report_first(kiosk):
    person = demo.by_key("temp_lost")
    flow = start(kiosk, "temp_lost")
    assert not flow.old_card_expected()
    [lost] = flow.reasons()
    assert lost.key == "lost" and not lost.offered and "正式挂失" in lost.note_zh
    with pytest.raises(ReasonNotOffered):
        flow.apply("lost")
    with pytest.raises(ServiceRefused) as refused:                      # the service holds the same rule
        kiosk.devices.service.apply(person.id_number, "replacement", reason="lost")
    assert refused.value.code == "formal_loss_first"

    report = LossReportFlow(kiosk.devices)
    kiosk.hands.place_id_card("temp_lost")
    report.wait_for_id_card(3, threading.Event())
    report.report("formal")
    again = start(kiosk, "temp_lost")
    assert offered(again) == ["lost"] and again.reasons()[0].fee_yuan == 20


def test_a_formally_lost_card_is_replaced_without_handing_anything_in(kiosk):
    person = demo.by_key("lost")
    citizen_takes_cards_from_the_gate(kiosk)
    flow = start(kiosk, "lost")
    assert not flow.old_card_expected() and offered(flow) == ["lost"]
    flow.apply("lost")
    kiosk.hands.pay(flow.application["fee_order"]["id"])
    assert flow.wait_for_payment(5, poll=0.05)
    outcome = make_new_card(kiosk, flow)
    assert outcome.taken and kiosk.hands.station.in_bin == []
    assert kiosk.devices.service.card(person.card_number)["state"] == "cancelled"
    assert "原卡已挂失" in flow.receipt(outcome.card_number).text()


# -- renewal window ------------------------------------------------------------------------------------------
def test_renewal_is_offered_within_the_window_before_expiry(kiosk):
    citizen_takes_cards_from_the_gate(kiosk)
    flow = start(kiosk, "expiring")
    hand_in(kiosk, flow, "expiring")
    renewal = next(r for r in flow.reasons() if r.key == "renewal")
    assert renewal.offered and renewal.fee_yuan == 20 and "有效期至" in renewal.note_zh
    application = flow.apply("renewal")
    assert application["kind"] == "renewal" and flow.fee_yuan == 20
    kiosk.hands.pay(flow.pay_qr)
    assert flow.wait_for_payment(5, poll=0.05)
    assert make_new_card(kiosk, flow).taken
    assert kiosk.devices.service.card(demo.by_key("expiring").card_number)["state"] == "cancelled"


def test_renewal_is_not_offered_years_before_expiry(kiosk):
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    assert "renewal" not in offered(flow)
    with pytest.raises(ReasonNotOffered):
        flow.apply("renewal")
    with pytest.raises(ServiceRefused) as refused:
        kiosk.devices.service.apply(demo.by_key("normal").id_number, "renewal")
    assert refused.value.code == "renewal_not_due"
    flow.wipe()


def test_the_window_is_the_profiles(kiosk):
    kiosk.devices.policy = dataclasses.replace(kiosk.devices.policy, renewal_window_days=10)
    flow = start(kiosk, "expiring")                  # 30 days left: outside a 10-day window
    hand_in(kiosk, flow, "expiring")
    assert "renewal" not in offered(flow)
    flow.wipe()


# -- Henan and Sichuan: no fee set by the price authority, so nothing at the kiosk ------------------------------
@pytest.mark.parametrize("kiosk", ["henan", "sichuan"], indirect=True)
@pytest.mark.parametrize("key", ["normal", "lost", "expiring", "gen2"])
def test_regions_without_a_fee_send_the_citizen_to_a_counter_before_the_card_goes_in(kiosk, key):
    with pytest.raises(ReplacementAtCounter) as refused:
        start(kiosk, key)
    assert "窗口" in refused.value.zh
    assert Command.GATE_ENTRY_ENABLE not in kiosk.hands.issuer_sim.requests


@pytest.mark.parametrize("kiosk", ["henan", "sichuan"], indirect=True)
def test_the_service_refuses_the_same_in_those_regions(kiosk):
    service = kiosk.devices.service
    for key, kind, reason, code in [("lost", "replacement", "lost", "fee_not_configured"),
                                    ("gen2", "replacement", "upgrade", "fee_not_configured"),
                                    ("expiring", "renewal", None, "fee_not_configured"),
                                    ("normal", "renewal", None, "renewal_not_due"),
                                    ("temp_lost", "replacement", "lost", "formal_loss_first")]:
        with pytest.raises(ServiceRefused) as refused:
            service.apply(demo.by_key(key).id_number, kind, reason=reason)
        assert refused.value.code == code, key


# -- the old card: the holder's own, or handed back -------------------------------------------------------------
def test_someone_elses_card_is_handed_back_and_refused_before_any_fee(kiosk):
    citizen_takes_cards_from_the_gate(kiosk)
    flow = start(kiosk, "normal")
    with pytest.raises(NotTheHolder) as refused:
        hand_in(kiosk, flow, "sealed")
    assert "同一人" in refused.value.zh
    station = kiosk.hands.station
    assert [chip_number(c) for c in station.in_hand] == [demo.by_key("sealed").card_number] and station.in_bin == []
    assert flow.application is None and flow.reasons() == []
    assert kiosk.devices.journal.transactions("replacement")[0]["outcome"] == "refused"
    assert hand_in(kiosk, flow, "normal").readable                    # the right card is then taken
    flow.wipe()
    assert [t["outcome"] for t in kiosk.devices.journal.transactions("replacement")] == \
        ["refused", "old_card_captured_at_session_end"]                  # each attempt its own record


def test_someone_elses_card_left_at_the_gate_is_captured(kiosk):
    flow = start(kiosk, "normal")
    with pytest.raises(NotTheHolder):
        hand_in(kiosk, flow, "sealed", return_timeout=0)
    assert [chip_number(c) for c in kiosk.hands.station.in_bin] == [demo.by_key("sealed").card_number]
    assert kiosk.hands.issuer_sim.position == "none"                     # never left for the next issuance
    assert kiosk.devices.journal.transactions("replacement")[0]["outcome"] == "refused_captured_not_taken"


def test_an_old_card_of_the_holder_that_is_not_the_current_one_is_handed_back(kiosk):
    citizen_takes_cards_from_the_gate(kiosk)
    person = demo.by_key("normal")
    older = personalise(dataclasses.replace(person.card_profile(), card_number="A00000099"),
                        kiosk.hands.card_factory)
    flow = start(kiosk, "normal")
    with pytest.raises(NotCurrentCard):
        hand_in(kiosk, flow, "normal", card=older)
    assert kiosk.hands.station.in_hand == [older]
    flow.wipe()


def test_an_unreadable_card_is_held_for_a_damaged_replacement_and_captured(kiosk):
    citizen_takes_cards_from_the_gate(kiosk)
    person = demo.by_key("normal")
    kiosk.hands.card_of("normal").inject("mute")
    flow = start(kiosk, "normal")
    old = hand_in(kiosk, flow, "normal")
    assert not old.readable and offered(flow) == ["damaged"]
    flow.apply("damaged")
    kiosk.hands.pay(flow.pay_qr)
    assert flow.wait_for_payment(5, poll=0.05)
    assert make_new_card(kiosk, flow).taken
    assert kiosk.hands.station.in_bin == [kiosk.hands.card_of("normal")]
    assert kiosk.devices.service.card(person.card_number)["state"] == "cancelled"


def test_a_name_on_the_chip_that_differs_from_the_id_card_offers_changed_data(kiosk):
    person = demo.by_key("normal")
    renamed = personalise(dataclasses.replace(person.card_profile(), name="王晓明"), kiosk.hands.card_factory)
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal", card=renamed)
    assert "changed_data" in offered(flow)
    flow.wipe()


# -- no payment in time -------------------------------------------------------------------------------------------
def test_no_payment_in_time_makes_nothing_hands_the_card_back_and_the_order_stays_unpaid(kiosk):
    citizen_takes_cards_from_the_gate(kiosk)
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    flow.apply("damaged")
    assert flow.wait_for_payment(0.2, threading.Event(), poll=0.05) is False
    with pytest.raises(NotReady):
        flow.issuance()
    assert flow.return_old_card(5) is True
    station = kiosk.hands.station
    assert [chip_number(c) for c in station.in_hand] == [demo.by_key("normal").card_number]
    assert station.in_bin == [] and kiosk.hands.issuer_sim.hopper == 50
    assert order_state(kiosk, flow) == "unpaid"
    assert kiosk.devices.service.card(demo.by_key("normal").card_number)["state"] == "normal"
    flow.wipe()

    # the unpaid application is taken up again, not a trap that blocks every later application
    again = start(kiosk, "normal")
    assert again.resumed and offered(again) == ["damaged"]
    hand_in(kiosk, again, "normal")
    again.apply("damaged")
    kiosk.hands.pay(again.pay_qr)
    assert again.wait_for_payment(5, poll=0.05)
    assert make_new_card(kiosk, again).taken


def test_a_paid_replacement_whose_new_card_was_not_taken_is_made_again_without_the_old_card(kiosk):
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    flow.apply("damaged")
    kiosk.hands.pay(flow.pay_qr)
    assert flow.wait_for_payment(5, poll=0.05)
    flow.capture_old_card()
    assert not flow.issuance().run(take_timeout=0).taken                # captured and voided; the fee stays
    flow.wipe()

    citizen_takes_cards_from_the_gate(kiosk)
    again = start(kiosk, "normal")
    assert again.resumed and not again.old_card_expected()              # it is already in this kiosk's bin
    again.apply("damaged")
    assert again.pay_qr is None and again.wait_for_payment(0)
    outcome = make_new_card(kiosk, again)
    assert outcome.taken and order_state(kiosk, again) == "paid"
    assert len(kiosk.hands.station.in_bin) == 2                          # the old card and the first new one
    assert kiosk.devices.service.card(demo.by_key("normal").card_number)["state"] == "cancelled"


def test_a_cancelled_wait_for_payment_ends_at_once(kiosk):
    flow = start(kiosk, "lost")
    flow.apply("lost")
    cancelled = threading.Event()
    cancelled.set()
    assert flow.wait_for_payment(600, cancelled) is False


# -- who has nothing to replace -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key,refusal,words", [("no_card", NoCardToReplace, "申领"),
                                               ("cancelled", NoCardToReplace, "注销"),
                                               ("producing", ApplicationInProgress, "正在办理")])
def test_refused_in_words_when_there_is_nothing_to_replace(kiosk, key, refusal, words):
    with pytest.raises(refusal) as refused:
        start(kiosk, key)
    assert words in refused.value.zh and refused.value.en


# -- a session that ends, a power cut -------------------------------------------------------------------------------
def test_a_card_still_held_when_the_session_ends_is_captured_not_left_inside(kiosk):
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    flow.wipe()
    assert kiosk.hands.issuer_sim.position == "none" and len(kiosk.hands.station.in_bin) == 1


def test_a_card_held_when_the_power_fails_is_captured_at_start_and_recorded(kiosk):
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    kiosk.devices.cardissuer.initialize()              # what the next start does first
    assert replacement.recover(kiosk.devices) == [(flow.txn, "old_card_captured_at_start")]
    assert len(kiosk.hands.station.in_bin) == 1


# -- the reasons themselves, without devices ------------------------------------------------------------------------
TODAY = dt.date(2026, 11, 22)


def card_expiring_in(days: int, state: str = "normal") -> dict:
    return {"card_number": "A00000001", "state": state, "expiry_date": (TODAY + dt.timedelta(days=days)).isoformat()}


@pytest.mark.parametrize("profile", ["shaanxi", "henan", "sichuan"])
@pytest.mark.parametrize("days,due", [(60, True), (61, False), (0, True), (-400, True)])
def test_the_renewal_window_edge_is_the_profiles_60_days(profile, days, due):
    keys = [r.key for r in reasons_for.for_card(card_expiring_in(days), OldCard(True, "A00000001", 3),
                                                 policy.profile(profile), TODAY)]
    assert ("renewal" in keys) is due


def test_an_expired_card_says_so():
    [renewal] = [r for r in reasons_for.for_card(card_expiring_in(-1), OldCard(True, "A00000001", 3),
                                                  policy.profile("shaanxi"), TODAY) if r.key == "renewal"]
    assert "已过有效期" in renewal.zh


@pytest.mark.parametrize("profile,fee", [("shaanxi", 20), ("henan", None), ("sichuan", None)])
def test_a_2nd_generation_card_is_offered_the_swap_at_the_regions_fee_without_the_services_waiver(profile, fee):
    [upgrade] = [r for r in reasons_for.for_card(card_expiring_in(3000), OldCard(True, "A00000001", 2),
                                                  policy.profile(profile), TODAY) if r.key == "upgrade"]
    assert upgrade.fee_yuan == fee


def test_the_services_quote_sets_the_fee_and_the_note():
    free = {"fee_fen": 0, "generation_swap_free": True, "generation": 2, "bank": "建设银行"}
    reasons = {r.key: r for r in reasons_for.for_card(card_expiring_in(-5), OldCard(True, "A00000001", 2),
                                                      policy.profile("shaanxi"), TODAY, free)}
    assert {k: r.fee_yuan for k, r in reasons.items()} == {"damaged": 0, "upgrade": 0, "renewal": 0,
                                                          "changed_appearance": 0}
    keeps = {"fee_fen": 2000, "generation_swap_free": False, "generation": 2, "bank": "农业银行"}
    [renewal] = [r for r in reasons_for.for_card(card_expiring_in(-5), OldCard(True, "A00000001", 2),
                                                  policy.profile("shaanxi"), TODAY, keeps) if r.key == "renewal"]
    assert renewal.fee_yuan == 20 and "不用换卡" in renewal.note_zh


def test_a_held_card_the_session_end_could_not_capture_is_never_written_by_the_next_issuance(kiosk):
    """The capture at session end fails with an exception no device contract promises: the session still
    ends, and the next issuance captures the old card before it dispenses instead of writing over it."""
    person = demo.by_key("normal")
    flow = start(kiosk, "normal")
    hand_in(kiosk, flow, "normal")
    capture = kiosk.devices.cardissuer.capture

    def broken_capture():
        raise RuntimeError("driver bug")
    kiosk.devices.cardissuer.capture = broken_capture
    flow.wipe()                                                   # must not raise
    kiosk.devices.cardissuer.capture = capture
    old = kiosk.hands.station.card
    assert old is not None and kiosk.hands.issuer_sim.position == "ic"

    citizen_takes_cards_from_the_gate(kiosk)
    newcomer = demo.by_key("no_card")
    application = kiosk.devices.service.apply(newcomer.id_number, "new", photo=True)
    outcome = IssuanceFlow(kiosk.devices, application["id"], newcomer.name, newcomer.id_number).run(take_timeout=5)
    assert kiosk.hands.station.in_bin == [old] and chip_number(old) == person.card_number
    assert outcome.taken and chip_number(kiosk.hands.station.in_hand[-1]) == outcome.card_number


def test_the_photo_card_is_offered_only_when_the_service_says_it_is_due():
    """seeds/003: a child's card made without a photo is replaced with a photo card after turning 7."""
    due = {"fee_fen": 2000, "generation_swap_free": False, "generation": 3, "bank": "工商银行", "photo_due": True}
    reasons = {r.key: r for r in reasons_for.for_card(card_expiring_in(3000), OldCard(True, "A00000001", 3),
                                                      policy.profile("shaanxi"), TODAY, due)}
    assert reasons["photo"].offered and reasons["photo"].fee_yuan == 20 and "照片" in reasons["photo"].zh
    not_due = dict(due, photo_due=False)
    assert "photo" not in [r.key for r in reasons_for.for_card(card_expiring_in(3000), OldCard(True, "A00000001", 3),
                                                                policy.profile("shaanxi"), TODAY, not_due)]
