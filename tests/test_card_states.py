"""The card's states at the service (kiosk/backend/card_states.py), through the signed HTTP contract: a loss
report is a layer over the card's own state, and a lapse or a release takes it off again (domain.md §6
"A lapse or a release returns the card to the state it had before the report"); a PIN lock is a layer over
sealed or normal; every refusal is typed and says where to go and what to bring."""
import datetime as dt

import pytest

from kiosk.backend.client import ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.policy import profile
from tests.service_tools import enrolled, new_person


def lapse_now(service, card_number: str) -> None:
    """Bring the temporary report's lapse time into the past (the clock itself: tests/test_card_state_machine)."""
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat()
    with service.store.transaction() as db:
        db.execute("UPDATE cards SET lost_until = ? WHERE card_number = ?", (past, card_number))


# -- a lapse or a release restores the state before the report ----------------------------------------------
@pytest.mark.parametrize("before", ["sealed", "pin_locked", "normal"])
def test_a_lapse_returns_the_card_to_its_state_before_the_temporary_report(service, client, before):
    _, card = new_person(service, with_card=before)
    assert client.report_loss(card, "temporary", id_verified=False)["state"] == "temp_lost"
    lapse_now(service, card)
    assert client.card(card)["state"] == before


@pytest.mark.parametrize("kind", ["temporary", "formal"])
@pytest.mark.parametrize("before", ["sealed", "pin_locked", "normal"])
def test_a_release_returns_the_card_to_its_state_before_the_report(service, client, before, kind):
    _, card = new_person(service, with_card=before)
    client.report_loss(card, kind, id_verified=True)
    assert client.release(card, id_verified=True)["state"] == before
    assert client.card(card)["state"] == before


def test_a_temporary_report_made_formal_still_returns_to_the_state_before_the_first_report(service, client):
    _, card = new_person(service, with_card="sealed")
    client.report_loss(card, "temporary", id_verified=True)
    assert client.report_loss(card, "formal", id_verified=True)["state"] == "lost"
    assert client.release(card, id_verified=True)["state"] == "sealed"


# -- a PIN lock is a layer too ----------------------------------------------------------------------------------
def test_a_sealed_card_locked_then_unlocked_at_a_kiosk_is_activated_by_the_holders_new_pin(service, client):
    """A kiosk's unlock (or reset) sets a new PIN the holder chose — never the initial one (pin_rules) — with
    the card and the ID card read: that is the activation too (seeds/000 "社保功能激活是指更改社保卡的初始密码";
    002, 003 card and ID). Left sealed, the card had no way out: its initial PIN is gone, so the activation
    cannot verify it, and a PIN change never activates (it needs no ID card)."""
    _, card = new_person(service, with_card="sealed")
    assert client.pin_event(card, "blocked")["state"] == "pin_locked"
    assert client.pin_event(card, "unblocked")["state"] == "normal"
    kinds = [e["kind"] for e in service.store.events(card)]
    assert "pin_unblocked" in kinds and "pin_activated" in kinds


def test_a_sealed_card_stays_sealed_under_a_lock_and_a_loss_report_until_the_holder_sets_a_pin(service, client):
    _, card = new_person(service, with_card="sealed")
    client.pin_event(card, "blocked")
    client.report_loss(card, "temporary", id_verified=True)
    assert client.release(card, id_verified=True)["state"] == "pin_locked"
    assert client.pin_event(card, "reloaded")["state"] == "normal"


def test_a_pin_lock_during_a_loss_report_keeps_the_report_and_survives_its_release(service, client):
    """Before: a "blocked" on a reported card replaced the report by pin_locked (the card was no longer
    reported lost), and a release then refused "not reported"."""
    _, card = new_person(service, with_card="normal")
    client.report_loss(card, "temporary", id_verified=True)
    assert client.pin_event(card, "blocked")["state"] == "temp_lost"
    assert client.release(card, id_verified=True)["state"] == "pin_locked"
    assert client.pin_event(card, "unblocked")["state"] == "normal"


# -- refusals: typed, in both languages, saying where to go and what to bring -----------------------------------
def refused(call) -> ServiceRefused:
    with pytest.raises(ServiceRefused) as caught:
        call()
    assert caught.value.zh and caught.value.en and caught.value.zh != caught.value.en
    return caught.value


def test_a_release_of_a_card_not_reported_is_refused_by_name(service, client):
    _, card = new_person(service, with_card="normal")
    refusal = refused(lambda: client.release(card, id_verified=True))
    assert refusal.status == 409 and refusal.code == "not_reported"


def test_a_second_report_of_a_card_already_reported_says_what_to_do_instead(service, client):
    _, card = new_person(service, with_card="normal")
    client.report_loss(card, "temporary", id_verified=True)
    refusal = refused(lambda: client.report_loss(card, "temporary", id_verified=True))
    assert refusal.code == "already_reported" and "正式挂失" in refusal.zh and "身份证" in refusal.zh
    client.report_loss(card, "formal", id_verified=True)
    refusal = refused(lambda: client.report_loss(card, "formal", id_verified=True))
    assert refusal.code == "already_reported" and "补" in refusal.zh


@pytest.mark.parametrize("act", ["temporary", "formal", "release", "blocked", "changed", "unblocked", "reloaded"])
def test_a_cancelled_card_never_comes_back(service, client, act):
    _, card = new_person(service, with_card="cancelled")
    if act in ("temporary", "formal"):
        call = lambda: client.report_loss(card, act, id_verified=True)       # noqa: E731
    elif act == "release":
        call = lambda: client.release(card, id_verified=True)                # noqa: E731
    else:
        call = lambda: client.pin_event(card, act)                           # noqa: E731
    refusal = refused(call)
    assert refusal.code == "card_cancelled" and "窗口" in refusal.zh
    assert client.card(card)["state"] == "cancelled"


# -- decisions where the seeds are silent (kiosk/policy.py `decisions`) ------------------------------------------
@pytest.mark.parametrize("state", ["sealed", "pin_locked"])
def test_a_temporary_report_is_taken_on_a_sealed_or_locked_card(service, client, state):
    _, card = new_person(service, with_card=state)
    assert client.report_loss(card, "temporary", id_verified=False)["state"] == "temp_lost"


@pytest.mark.parametrize("state,use", [("normal", "usable"), ("sealed", "holder_authorisation_required"),
                                       ("pin_locked", "holder_authorisation_required"),
                                       ("temp_lost", "holder_authorisation_required"),
                                       ("lost", "holder_authorisation_required"), ("cancelled", "unavailable")])
def test_the_ecard_by_the_physical_cards_state(service, client, state, use):
    id_number, _ = new_person(service, with_card=state)
    assert client.card_status(id_number)["ecard"] == use


def test_henan_takes_no_lapsing_report_and_says_which_report_it_takes(service_db):
    svc = ServiceThread(service_db.location, profile("henan"), key_file=service_db.key_file).start()
    try:
        c = enrolled(svc)
        _, card = new_person(svc, with_card="normal")
        refusal = refused(lambda: c.report_loss(card, "temporary", id_verified=False))
        assert refusal.code == "not_offered_in_region" and "12333" in refusal.zh and "身份证" in refusal.zh
        assert c.report_loss(card, "formal", id_verified=True)["lapses_at"] is None
    finally:
        svc.stop()
