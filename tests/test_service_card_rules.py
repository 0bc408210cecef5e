"""The service's rules for cards and applications (issue 13), through its HTTP contract: dates counted in
years, an application's lifecycle, Xi'an's free first 2nd→3rd-generation swap, a name change, the
"turned 7" photo card and the temporary card. "Today" is the service's injectable clock, so a rule that
depends on the day is played on the day it matters (29 February, the day an unpaid application ends)."""
import datetime as dt
import json

import pytest

from kiosk import dates, demo
from kiosk.backend.client import ServiceClient, ServiceRefused
from kiosk.backend.server import ServiceThread
from kiosk.policy import profile
from kiosk.security.module import KeyServiceModule
from kiosk.security.sm2 import PrivateKey
from tests.service_tools import enrolled, new_person

UTC = dt.timezone.utc
CODE = bytes.fromhex("610100D15600000599110197FFFFFFFF")


class Clock:
    """The service's "now": set by the test, moved by the test."""

    def __init__(self, at: dt.datetime | None = None):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at or dt.datetime.now(UTC).replace(microsecond=0)

    def day(self, day: dt.date) -> None:
        self.at = dt.datetime.combine(day, dt.time(9, 0), UTC)

    def forward(self, **delta) -> None:
        self.at = self() + dt.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


def start_service(new_service_db, clock, region="shaanxi", name="svc"):
    db = new_service_db(name)
    return ServiceThread(db.location, profile(region), clock=clock, key_file=db.key_file).start()


@pytest.fixture
def service(new_service_db, clock):
    svc = start_service(new_service_db, clock)
    yield svc
    svc.stop()


def issue(client: ServiceClient, application_id: int) -> dict:
    """Make the card of an accepted application as a kiosk does: start (number and sealed data), confirm."""
    module = KeyServiceModule(client)
    started = client.start_issuance(application_id, CODE, module.session_id())
    records = json.loads(module.open_sealed(started["personalisation"]))
    client.confirm_issuance(started["card_number"])
    return {"card_number": started["card_number"], "records": records}


# -- 1. a card issued on 29 February ---------------------------------------------------------------------
def test_a_card_issued_on_29_february_is_valid_until_28_february_ten_years_on(client, clock):
    clock.day(dt.date(2028, 2, 29))
    person = demo.by_key("no_card")
    application = client.apply(person.id_number, "new", photo=True)
    made = issue(client, application["id"])           # was: 500, date.replace(year=2038) on 29 February
    card = client.card_status(person.id_number)["card"]
    assert (card["issue_date"], card["expiry_date"]) == ("2028-02-29", "2038-02-28")
    ef05 = made["records"]["ef05"]
    assert (ef05["05"], ef05["06"]) == ("20280229", "20380228")


@pytest.mark.parametrize("day,months,years,expected", [
    (dt.date(2028, 2, 29), 0, 10, dt.date(2038, 2, 28)),
    (dt.date(2028, 2, 29), 0, 12, dt.date(2040, 2, 29)),      # a leap year again: the same day
    (dt.date(2038, 2, 28), 0, -10, dt.date(2028, 2, 28)),
    (dt.date(2026, 1, 31), 1, 0, dt.date(2026, 2, 28)),       # no 31 February: the month's last day
    (dt.date(2026, 11, 30), 3, 0, dt.date(2027, 2, 28)),
    (dt.date(2026, 12, 15), 3, 0, dt.date(2027, 3, 15))])
def test_years_and_months_end_on_the_same_day_or_the_months_last(day, months, years, expected):
    assert dates.add_years(dates.add_months(day, months), years) == expected


# -- 2. an application's lifecycle: unpaid, it ends; voided or unpaid, it blocks nothing --------------------
def lost_card_with_unpaid_replacement(client) -> tuple[demo.DemoCitizen, dict]:
    person = demo.by_key("normal")
    client.report_loss(person.card_number, "formal", id_verified=True)
    application = client.apply(person.id_number, "replacement", reason="lost")
    assert application["state"] == "awaiting_payment"
    return person, application


def test_an_unpaid_abandoned_replacement_does_not_block_the_release(client):
    person, application = lost_card_with_unpaid_replacement(client)
    # the citizen walked away at the QR code, then found the card: it was "already replaced" for ever
    assert client.release(person.card_number, id_verified=True)["state"] == "normal"
    voided = client.application(application["id"])
    assert voided["state"] == "void" and voided["fee_order"]["state"] == "void"    # no order left to pay
    with pytest.raises(ServiceRefused) as refused:
        client.pay(voided["fee_order"]["id"])
    assert refused.value.code == "order_void" and "未扣款" in refused.value.zh


def test_a_paid_replacement_blocks_the_release_in_words_that_say_what_to_do(client):
    person, application = lost_card_with_unpaid_replacement(client)
    client.pay(application["fee_order"]["id"])
    with pytest.raises(ServiceRefused) as refused:
        client.release(person.card_number, id_verified=True)
    assert refused.value.code == "already_replaced"
    assert "已补办新卡" not in refused.value.zh and "补卡换卡" in refused.value.zh and "窗口" in refused.value.zh


def test_an_unpaid_application_ends_after_the_profiles_hours(client, clock):
    hours = profile("shaanxi").unpaid_application_hours
    clock.at = clock()        # stopped: a second ticking over between the application and forward() must not count
    person, application = lost_card_with_unpaid_replacement(client)
    clock.forward(hours=hours, seconds=-1)
    assert client.application(application["id"])["state"] == "awaiting_payment"
    clock.forward(seconds=1)
    assert client.application(application["id"])["state"] == "void"
    assert client.card_status(person.id_number)["application"] is None
    with pytest.raises(ServiceRefused) as refused:
        client.pay(application["fee_order"]["id"])
    assert refused.value.code == "order_void"


def test_an_unpaid_application_does_not_block_a_new_one_and_is_superseded(client):
    person, first = lost_card_with_unpaid_replacement(client)
    second = client.apply(person.id_number, "replacement", reason="damaged")   # was: application_pending
    assert second["state"] == "awaiting_payment" and second["id"] != first["id"]
    assert client.application(first["id"])["state"] == "void"                  # one order to pay, not two
    assert client.card_status(person.id_number)["application"]["id"] == second["id"]


def test_an_accepted_application_still_blocks_a_second(client):
    person, application = lost_card_with_unpaid_replacement(client)
    client.pay(application["fee_order"]["id"])
    with pytest.raises(ServiceRefused) as refused:
        client.apply(person.id_number, "replacement", reason="damaged")
    assert refused.value.code == "application_pending"


# -- 3. Xi'an's free first 2nd→3rd-generation swap (seeds/000) ---------------------------------------------
def gen2_card(service, bank: str, expires: dt.date) -> demo.DemoCitizen:
    """The demo's 2nd-generation card, of ``bank``, expiring on ``expires`` (set-up in the store)."""
    person = demo.by_key("gen2")
    with service.store.transaction() as db:
        db.execute("UPDATE cards SET bank = ?, expiry_date = ? WHERE card_number = ?",
                   (bank, expires.isoformat(), person.card_number))
    return person


def apply_for(client, person, reason):
    if reason == "renewal":
        return client.apply(person.id_number, "renewal")
    if reason == "lost":
        client.report_loss(person.card_number, "formal", id_verified=True)
    return client.apply(person.id_number, "replacement", reason=reason)


@pytest.mark.parametrize("reason", ["renewal", "lost", "damaged"])
def test_an_expired_2nd_generation_card_of_a_named_bank_is_swapped_free_the_first_time(service, client, reason):
    person = gen2_card(service, "建设银行", dt.date.today() - dt.timedelta(days=10))
    assert client.card_status(person.id_number)["replacement"]["fee_fen"] == 0
    application = apply_for(client, person, reason)       # was: 20 yuan for renewal, lost and damaged
    assert application["fee_fen"] == 0 and application["state"] == "accepted"


def test_the_free_swap_is_granted_once(service, client):
    person = gen2_card(service, "招商银行", dt.date.today() - dt.timedelta(days=10))
    with service.store.transaction() as db:      # an earlier swap of this person was free (set-up)
        db.execute("INSERT INTO applications (id_number, kind, state, created_at, reason, fee_fen, fee_waiver) "
                   "VALUES (?, 'replacement', 'done', '2025-01-01T00:00:00+00:00', 'upgrade', 0, 'first_gen3_swap')",
                   (person.id_number,))
    assert client.card_status(person.id_number)["replacement"]["fee_fen"] == 2000
    assert client.apply(person.id_number, "renewal")["fee_fen"] == 2000


def test_the_swap_used_is_recorded_and_the_new_card_is_3rd_generation(service, client):
    person = gen2_card(service, "中国银行", dt.date.today() + dt.timedelta(days=20))   # in the renewal window
    application = client.apply(person.id_number, "renewal")
    assert application["fee_fen"] == 0
    made = issue(client, application["id"])
    assert bytes.fromhex(made["records"]["ef05"]["03"]) == b"3.00"
    new = service.store.card(made["card_number"])
    assert new["generation"] == 3
    with pytest.raises(ServiceRefused) as refused:         # a 3rd-generation card has nothing to swap
        client.apply(person.id_number, "replacement", reason="upgrade")
    assert refused.value.code == "not_second_generation"


def test_a_card_of_a_bank_whose_cards_keep_working_pays_the_fee(service, client):
    person = gen2_card(service, "农业银行", dt.date.today() - dt.timedelta(days=10))
    assert client.card_status(person.id_number)["replacement"] == {
        "fee_fen": 2000, "generation_swap_free": False, "generation": 2, "bank": "农业银行", "photo_due": False}
    assert client.apply(person.id_number, "renewal")["fee_fen"] == 2000


def test_a_valid_2nd_generation_card_swapped_early_pays_the_fee(client):
    application = client.apply(demo.by_key("gen2").id_number, "replacement", reason="upgrade")   # was: free
    assert application["fee_fen"] == 2000 and application["state"] == "awaiting_payment"


def test_a_3rd_generation_card_is_not_swapped(client):
    with pytest.raises(ServiceRefused) as refused:          # was: accepted, free
        client.apply(demo.by_key("normal").id_number, "replacement", reason="upgrade")
    assert refused.value.code == "not_second_generation" and "损坏或到期" in refused.value.zh


# -- 5. the photo card after turning 7 (seeds/003) and the temporary card (seeds/002) -----------------------
def child_with_photo_less_card(service, born: dt.date) -> tuple[str, str]:
    """A child whose card was made without a photo (set-up in the store): (ID number, card number)."""
    from kiosk import idnumber
    id_number = idnumber.with_check(f"610113{born:%Y%m%d}021")
    with service.store.transaction() as db:
        db.execute("INSERT INTO persons (id_number, name, gender, birth_date, address, phone, region, insured) "
                   "VALUES (?, '王小贝', '2', ?, '陕西省西安市', '13800000000', '610100', 1)",
                   (id_number, born.isoformat()))
        db.execute("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, updated_at, "
                   "generation, bank, photo) VALUES ('T77000001', ?, '610100', 'normal', '2021-06-01', '2031-06-01', "
                   "'2021-06-01', 3, '工商银行', 0)", (id_number,))
    return id_number, "T77000001"


GUARDIAN = demo.by_key("normal").id_number


def test_a_child_who_turned_7_replaces_a_photo_less_card_for_the_regions_fee(service, client, clock):
    clock.day(dt.date(2026, 11, 22))
    child, _ = child_with_photo_less_card(service, dt.date(2018, 3, 1))          # 8
    assert client.card_status(child)["replacement"]["photo_due"] is True
    with pytest.raises(ServiceRefused) as refused:                                # the new face needs a photo
        client.apply(child, "replacement", reason="photo", guardian_id_number=GUARDIAN)
    assert refused.value.code == "photo_required"
    application = client.apply(child, "replacement", reason="photo", photo=True,   # was: bad_reason
                               guardian_id_number=GUARDIAN)
    assert application["fee_fen"] == 2000 and application["reason"] == "photo"


def test_no_photo_card_is_due_before_7_or_for_a_card_with_a_photo(service, client, clock):
    clock.day(dt.date(2026, 11, 22))
    child, _ = child_with_photo_less_card(service, dt.date(2020, 1, 1))          # 6
    assert client.card_status(child)["replacement"]["photo_due"] is False
    with pytest.raises(ServiceRefused) as refused:
        client.apply(child, "replacement", reason="photo", photo=True, guardian_id_number=GUARDIAN)
    assert refused.value.code == "photo_card_not_due"
    with pytest.raises(ServiceRefused) as refused:
        client.apply(demo.by_key("normal").id_number, "replacement", reason="photo", photo=True)
    assert refused.value.code == "photo_card_not_due"


def test_a_card_made_without_a_photo_is_recorded_so(service, client, clock):
    clock.day(dt.date(2026, 11, 22))
    from kiosk import idnumber
    baby = idnumber.with_check("61011320230505031")
    client.enrol_insurance(baby, "王小豆", "urban_rural_resident")
    made = issue(client, client.apply(baby, "new", photo=False, guardian_id_number=GUARDIAN)["id"])
    assert service.store.card(made["card_number"])["photo"] == 0
    clock.day(dt.date(2030, 5, 5))                                               # turned 7
    assert client.card_status(baby)["replacement"]["photo_due"] is True


def test_collecting_the_new_card_cancels_the_temporary_card(new_service_db, clock):
    svc = start_service(new_service_db, clock, "henan", "henan")
    try:
        henan = enrolled(svc)
        card = demo.by_key("lost")
        with svc.store.transaction() as db:      # Henan states no fee: the replacement is accepted at a counter
            application = db.execute(
                "INSERT INTO applications (id_number, kind, state, created_at, reason, card_number) VALUES "
                "(?, 'replacement', 'accepted', ?, 'lost', ?) RETURNING id",
                (card.id_number, clock().isoformat(), card.card_number)).fetchone()[0]
        temporary = henan.temporary_card(card.card_number)["temporary_card"]
        assert temporary["state"] == "active" and temporary["financial_function"] is False
        module = KeyServiceModule(henan)
        started = henan.start_issuance(application, CODE, module.session_id())
        confirmed = henan.confirm_issuance(started["card_number"])
        assert confirmed["temporary_cards_cancelled"] == 1                 # was: the temporary card lived on
        [row] = svc.store.query("SELECT state, cancelled_by FROM temporary_cards WHERE id = ?", temporary["id"])
        assert (row["state"], row["cancelled_by"]) == ("cancelled", started["card_number"])
        assert "temporary_card_cancelled" in [e["kind"] for e in svc.store.events(started["card_number"])]
    finally:
        svc.stop()
