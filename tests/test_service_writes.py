"""A loss report and its release are acts on the citizen's card the kiosk cannot take back. When the service acts on one and its answer is lost, the citizen must not be told "system busy" as
if nothing happened, and the act must not be forgotten: it is journalled before it is sent, the citizen is
told it is unconfirmed, and the next start sends it again with the same key (the service answers the first
outcome, never a second effect) and closes it — or, refused for good, closes it with a staff notice."""
import gc

import pytest

from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.config import Config
from kiosk.flows import service_writes
from kiosk.runtime import Kiosk
from tests.answer_dropper import AnswerDropper
from tests.journey_player import Player, insert, place


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), policy="shaanxi", issuer_timing=0))
    yield k
    gc.collect()        # journeys a test left unfinished are closed (and wipe) while the kiosk is still open
    k.close()


def through_relay(kiosk, drop):
    """The kiosk's requests go through a relay that loses the answers ``drop`` picks."""
    direct = kiosk.devices.service
    relay = AnswerDropper(direct.base_url, drop=drop)
    kiosk.devices.service = ServiceClient(relay.url, direct.kiosk_id, key=direct.key,
                                          service_key=direct.service_key, timeout=(2, 5), retries=0)
    return direct, relay


def losses(kiosk, key):
    return [e for e in kiosk.service.store.events(demo.by_key(key).card_number) if e["kind"].startswith("loss")]


def test_a_loss_report_whose_answer_is_lost_is_said_unconfirmed_and_settled_at_the_next_start(kiosk):
    direct, relay = through_relay(kiosk, lambda line: "/loss-reports" in line)
    try:
        p = Player(kiosk, "loss", does=[place(kiosk, "normal")]).choose("formal").press("confirm")
        assert p.ended == "failed" and isinstance(p.error, service_writes.Unconfirmed)
        assert "未收到" in p.body and "查询" in p.body                # not "system busy": what to do next
        assert direct.card(demo.by_key("normal").card_number)["state"] == "lost"   # the service did act
        open_ = kiosk.devices.journal.unfinished(service_writes.KIND)
        assert len(open_) == 1 and open_[0]["context"]["what"] == "loss_report"
    finally:
        relay.close()
    kiosk.devices.service = direct                                     # the next start: the service answers
    assert service_writes.recover(kiosk.devices) == [(open_[0]["txn"], "confirmed")]
    assert kiosk.devices.journal.unfinished(service_writes.KIND) == []
    assert len(losses(kiosk, "normal")) == 1                          # sent twice, reported once
    assert service_writes.recover(kiosk.devices) == []                # and never sent again


def test_a_release_the_service_refuses_for_good_at_the_next_start_is_closed_with_a_staff_notice(kiosk):
    direct, relay = through_relay(kiosk, lambda line: "/release" in line)
    try:
        p = Player(kiosk, "release", does=[place(kiosk, "temp_lost"), insert(kiosk, "temp_lost")])
        assert p.ended == "failed" and isinstance(p.error, service_writes.Unconfirmed)
    finally:
        relay.close()
    txn = kiosk.devices.journal.unfinished(service_writes.KIND)[0]["txn"]
    kiosk.devices.service = direct
    with kiosk.service.store.transaction() as db:                    # cancelled meanwhile at a counter
        db.execute("UPDATE cards SET state = 'cancelled' WHERE card_number = ?",
                   (demo.by_key("temp_lost").card_number,))
    with kiosk.service.store.transaction() as db:                    # and the first answer forgotten
        db.execute("DELETE FROM idempotent_requests")
    assert service_writes.recover(kiosk.devices) == [(txn, "refused")]
    assert service_writes.recover(kiosk.devices) == []
    notices = [e for e in kiosk.service.store.staff_events() if e.get("txn") == txn]
    assert notices and notices[0]["kind"] == "service_write_refused"


def test_a_write_the_service_never_answers_is_left_for_the_next_start_then_surfaced_to_staff(kiosk, monkeypatch):
    direct, relay = through_relay(kiosk, lambda line: "/loss-reports" in line)
    try:
        p = Player(kiosk, "loss", does=[place(kiosk, "normal")]).choose("temporary")
        assert p.ended == "failed" and isinstance(p.error, service_writes.Unconfirmed)
        txn = kiosk.devices.journal.unfinished(service_writes.KIND)[0]["txn"]
        assert service_writes.recover(kiosk.devices) == []              # still unanswered: kept
        monkeypatch.setattr(service_writes, "GIVE_UP_AFTER", service_writes.GIVE_UP_AFTER * 0)
        assert service_writes.recover(kiosk.devices) == [(txn, "unconfirmed")]
        assert service_writes.recover(kiosk.devices) == []              # closed: never sent again
    finally:
        relay.close()
    kiosk.devices.service = direct
    assert [e["kind"] for e in kiosk.service.store.staff_events() if e["txn"] == txn] == ["service_write_unconfirmed"]


def test_a_loss_report_answered_at_once_is_journalled_and_closed(kiosk):
    p = Player(kiosk, "loss", does=[place(kiosk, "normal")]).choose("formal").press("confirm")
    assert p.title == "挂失成功"
    done = kiosk.devices.journal.transactions(service_writes.KIND)
    assert [(row["context"]["what"], row["outcome"]) for row in done] == [("loss_report", "done")]
    assert kiosk.devices.journal.steps(done[0]["txn"]) == [service_writes.SENT, service_writes.ANSWERED]


def test_a_definite_refusal_closes_the_write_at_once_and_says_why(kiosk):
    p = Player(kiosk, "release", does=[place(kiosk, "normal"), insert(kiosk, "normal")])
    assert p.ended == "failed" and p.title == "无法继续办理"
    assert [row["outcome"] for row in kiosk.devices.journal.transactions(service_writes.KIND)] == ["refused"]
    assert kiosk.devices.journal.unfinished(service_writes.KIND) == []


def test_a_staff_notice_from_a_kiosk_with_the_longest_id_is_accepted(kiosk):
    """A 32-character kiosk id makes ``txn:kind`` longer than the contract's 64-character key: the notice was
    refused as malformed and, being a definite refusal, dropped. The key is now hashed when too long."""
    txn = "K" * 32 + "-20261201032036-EFC066-temporary"
    from kiosk.flows import staff_notices
    assert staff_notices.notify(kiosk.devices, txn, "service_write_unconfirmed", "A00000001", "loss_report")
    assert [e["txn"] for e in kiosk.service.store.staff_events()] == [txn]
