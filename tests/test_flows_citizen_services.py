"""Contact change, e-card sign-up, who may act (guardian, agent) and the cancellation guide, with each
region's profile, on the embedded default (simulated ID reader, the reference service over HTTP)."""
import dataclasses
import datetime as dt
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from kiosk import dates, demo, idnumber
from kiosk.backend.client import ServiceRefused
from kiosk.flows import cancellation
from kiosk.flows.cancellation import CancellationFlow
from kiosk.flows.contact import ContactFlow, ContactInvalid, check_phone
from kiosk.flows.ecard import EcardFlow, EcardNeedsAuthorisation, EcardUnavailable
from kiosk.flows import registry
from kiosk.flows.representation import Acting, MayNotAct, RepresentationFlow, Role, require_may_act
from kiosk.flows.reset_pin import ResetPinFlow
from kiosk.policy import profile
from kiosk.pin import DigitBuffer

REGIONS = ["shaanxi", "henan", "sichuan"]
TODAY = dt.date.today()


def born_years_ago(years: int) -> dt.date:
    return dt.date(TODAY.year - years, TODAY.month, min(TODAY.day, 28))


def person_aged(years: int, seq: str = "123", name: str = "王小宝"):
    """An ID card of someone ``years`` old today (the demo holder's card with another birth date)."""
    birth = born_years_ago(years)
    number = idnumber.with_check(f"610113{birth:%Y%m%d}{seq}")
    # issued two years ago, valid as long as the holder's age then allows (居民身份证法 art. 5)
    from kiosk.hw.idreader.idcard import full_years, resident_validity_years
    issued = dt.date(TODAY.year - 2, 7, 1)
    period = resident_validity_years(full_years(birth, issued))
    return dataclasses.replace(demo.by_key("no_card").id_card(), name=name, birth_date=birth, id_number=number,
                               valid_from=issued, long_term=period is None,
                               valid_until=None if period is None else dates.add_years(issued, period))


def read_id(kiosk, flow, key_or_card):
    if isinstance(key_or_card, str):
        kiosk.hands.place_id_card(key_or_card)
    else:
        kiosk.hands.idreader_sim.place(key_or_card)
    return flow.wait_for_id_card(3, threading.Event())


# -- contact change -------------------------------------------------------------------------------------------
def texted(kiosk) -> DigitBuffer:
    """The code the service texted to the new number, typed on the keypad."""
    code = DigitBuffer(6)
    for digit in kiosk.hands.texted_code():
        code.push(digit)
    return code


def test_a_new_phone_without_the_texted_code_is_refused_by_the_service(kiosk):
    flow = ContactFlow(kiosk.devices)
    read_id(kiosk, flow, "normal")
    flow.set_phone("13912345678")
    with pytest.raises(ServiceRefused) as refused:
        flow.submit()
    assert refused.value.code == "verification_required"
    assert kiosk.service.store.person(demo.by_key("normal").id_number)["phone"] == "13800000000"


@pytest.mark.parametrize("typed,digits", [("13912345678", "13912345678"), ("139 1234 5678", "13912345678"),
                                          ("139-1234-5678", "13912345678"), ("19912345678", "19912345678")])
def test_a_mainland_mobile_number_is_accepted(typed, digits):
    assert check_phone(typed) == digits


@pytest.mark.parametrize("typed,words", [("1391234567", "11位"), ("139123456789", "11位"), ("1391234567a", "11位"),
                                         ("23912345678", "大陆"), ("12912345678", "大陆"), ("", "11位")])
def test_a_number_that_is_not_a_mainland_mobile_is_refused_in_words(typed, words):
    with pytest.raises(ContactInvalid) as refused:
        check_phone(typed)
    assert words in refused.value.zh and refused.value.en


@pytest.mark.parametrize("kiosk", REGIONS, indirect=True)
def test_phone_and_the_id_cards_address_are_changed_and_the_receipt_masks_the_phone(kiosk):
    flow = ContactFlow(kiosk.devices)
    flow.check_devices()
    read_id(kiosk, flow, "normal")
    assert flow.current_phone_masked == "138****0000"          # as the service has it, never the whole number
    assert flow.address_on_id_card() == demo.by_key("normal").address
    assert flow.set_phone("139 1234 5678") == "139****5678"
    flow.use_id_card_address()
    flow.send_code()
    assert sorted(flow.submit(texted(kiosk))["changed"]) == ["address", "phone"]
    person = kiosk.service.store.person(demo.by_key("normal").id_number)
    assert person["phone"] == "13912345678" and person["address"] == demo.by_key("normal").address
    receipt = flow.receipt().text()
    assert "139****5678" in receipt and "13912345678" not in receipt and "通讯地址：已变更" in receipt
    assert demo.by_key("normal").address not in receipt and "王*明" in receipt
    flow.wipe()
    assert flow.id_card is None and flow.phone is None


def test_submitting_twice_changes_once(kiosk):
    flow = ContactFlow(kiosk.devices)
    read_id(kiosk, flow, "normal")
    flow.set_phone("13912345678")
    flow.send_code()
    code = texted(kiosk)
    first = flow.submit(code)
    assert flow.submit(code) == first                              # the same transaction: the service's same answer


def test_a_contact_change_needs_something_to_change(kiosk):
    flow = ContactFlow(kiosk.devices)
    read_id(kiosk, flow, "normal")
    with pytest.raises(ContactInvalid) as refused:
        flow.submit()
    assert "手机号码或通讯地址" in refused.value.zh
    with pytest.raises(ContactInvalid):
        flow.set_address("西安")


def test_someone_the_service_does_not_know_is_told_to_enrol(kiosk):
    flow = ContactFlow(kiosk.devices)
    with pytest.raises(ServiceRefused) as refused:
        read_id(kiosk, flow, person_aged(40))
    assert refused.value.code == "person_not_found"


# -- e-card -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kiosk,key", [("shaanxi", "normal"), ("henan", "normal"), ("sichuan", "normal")],
                         indirect=["kiosk"])
def test_a_usable_ecard_gets_a_signup_code_without_personal_data(kiosk, key):
    flow = EcardFlow(kiosk.devices)
    flow.check_devices()
    read_id(kiosk, flow, key)
    offer = flow.sign_up()
    parts = urlsplit(offer.payload)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "sbkecard://signup"
    assert query == {"v": ["1"], "region": [kiosk.devices.policy.region_code], "kiosk": [kiosk.devices.kiosk_id],
                     "txn": [flow.txn]}
    person = demo.by_key(key)
    assert person.id_number not in offer.payload and person.card_number not in offer.payload
    receipt = flow.receipt().text()
    assert "电子社保卡" in receipt and person.id_number not in receipt


@pytest.mark.parametrize("key,words", [("temp_lost", "解除挂失"), ("lost", "解除挂失"), ("sealed", "启用社保卡"),
                                       ("pin_locked", "密码解锁")])
def test_an_ecard_needs_the_holders_authorisation_unless_the_card_is_normal(kiosk, key, words):
    """Lost: seeds/001 Q4. Sealed and PIN-locked: the project's decision (kiosk/backend/card_states.py ECARD);
    the words say what puts the physical card right."""
    flow = EcardFlow(kiosk.devices)
    read_id(kiosk, flow, key)
    with pytest.raises(EcardNeedsAuthorisation) as refused:
        flow.sign_up()
    assert "授权" in refused.value.zh and words in refused.value.zh and flow.offer is None


@pytest.mark.parametrize("key,words", [("cancelled", "注销"), ("no_card", "实体社保卡"), ("producing", "实体社保卡")])
def test_no_ecard_without_a_physical_card_that_is_not_cancelled(kiosk, key, words):
    flow = EcardFlow(kiosk.devices)
    read_id(kiosk, flow, key)
    with pytest.raises(EcardUnavailable) as refused:
        flow.sign_up()
    assert words in refused.value.zh


def test_the_signup_payload_is_replaceable(kiosk):
    flow = EcardFlow(kiosk.devices, payload=lambda region, kiosk_id, txn: f"https://ecard.example/{region}/{txn}")
    read_id(kiosk, flow, "normal")
    assert flow.sign_up().payload == f"https://ecard.example/610100/{flow.txn}"


# -- who may act ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region,age,needs_guardian", [
    ("henan", 15, True), ("henan", 16, False), ("henan", 17, False),       # seeds/004: under 16
    ("sichuan", 17, True), ("sichuan", 18, False),                         # seeds/003: under 18
    ("shaanxi", 17, True), ("shaanxi", 18, False),                         # project decision: 18 (Civil Code)
])
def test_a_minor_acts_through_a_guardian_below_the_regions_age(region, age, needs_guardian):
    policy, holder = profile(region), person_aged(age)
    guardian = Acting(Role.GUARDIAN, demo.by_key("normal").id_number)
    if needs_guardian:
        with pytest.raises(MayNotAct) as refused:
            require_may_act(policy, Acting(), "contact", holder, TODAY)
        assert f"未满{policy.guardian_below_age}周岁" in refused.value.zh
        require_may_act(policy, guardian, "reset_pin", holder, TODAY)     # a guardian may do even the PIN
    else:
        require_may_act(policy, Acting(), "contact", holder, TODAY)
        with pytest.raises(MayNotAct) as refused:                          # adults act themselves here
            require_may_act(policy, guardian, "contact", holder, TODAY)
        assert "窗口" in refused.value.zh


def test_shaanxis_guardian_age_is_a_marked_project_decision():
    shaanxi = profile("shaanxi")
    assert shaanxi.guardian_below_age == 18
    assert any("guardian_below_age=18" in d and "project decision" in d for d in shaanxi.decisions)


@pytest.mark.parametrize("service", [s.key for s in registry.SERVICES if not s.allows(Role.AGENT)])
def test_an_agent_may_not_do_what_the_registry_keeps_to_the_holder(service):
    agent = Acting(Role.AGENT, demo.by_key("gen2").id_number, power_of_attorney=True)
    with pytest.raises(MayNotAct):
        require_may_act(profile("henan"), agent, service, demo.by_key("normal").id_card(), TODAY)


@pytest.mark.parametrize("service", [s.key for s in registry.SERVICES if s.allows(Role.AGENT)])
def test_an_agent_with_a_power_of_attorney_may_do_the_rest(service):
    agent = Acting(Role.AGENT, demo.by_key("gen2").id_number, power_of_attorney=True)
    require_may_act(profile("henan"), agent, service, demo.by_key("normal").id_card(), TODAY)


def test_an_agent_needs_a_power_of_attorney_and_cannot_be_the_holder():
    holder = demo.by_key("normal").id_card()
    with pytest.raises(MayNotAct, match="power of attorney"):
        require_may_act(profile("henan"), Acting(Role.AGENT, demo.by_key("gen2").id_number), "contact", holder, TODAY)
    with pytest.raises(MayNotAct, match="actor is the holder"):
        require_may_act(profile("henan"), Acting(Role.AGENT, holder.id_number, True), "contact", holder, TODAY)


def test_an_agent_is_told_before_any_card_is_placed_that_pin_services_are_the_holders(kiosk):
    flow = RepresentationFlow(kiosk.devices, "unlock")
    with pytest.raises(MayNotAct) as refused:
        flow.choose(Role.AGENT, power_of_attorney=True)
    assert "本人" in refused.value.zh


def test_a_minor_cannot_act_for_someone_else(kiosk):
    flow = RepresentationFlow(kiosk.devices, "issue")
    flow.choose(Role.GUARDIAN)
    kiosk.hands.idreader_sim.place(person_aged(15, seq="456"))
    with pytest.raises(MayNotAct) as refused:
        flow.wait_for_actor_id_card(3, threading.Event())
    assert "18" in refused.value.zh


@pytest.mark.parametrize("kiosk", REGIONS, indirect=True)
def test_a_guardian_applies_for_a_minor_with_the_guardians_id_read_first(kiosk):
    child = person_aged(12)
    kiosk.devices.service.enrol_insurance(child.id_number, child.name, "urban_rural_resident")
    flow = RepresentationFlow(kiosk.devices, "issue")
    flow.check_devices()
    flow.choose(Role.GUARDIAN)
    with pytest.raises(MayNotAct, match="holder before actor"):
        flow.wait_for_holder_id_card(3, threading.Event())
    kiosk.hands.place_id_card("normal")                        # the guardian's own ID card first
    assert flow.wait_for_actor_id_card(3, threading.Event()).id_number == demo.by_key("normal").id_number
    kiosk.hands.idreader_sim.place(child)
    assert flow.wait_for_holder_id_card(3, threading.Event()).id_number == child.id_number
    application = flow.apply("new", photo=True)
    assert application["state"] == "accepted"
    row = kiosk.service.store.query("SELECT guardian FROM applications WHERE id = ?", application["id"])[0]
    assert row["guardian"] == demo.by_key("normal").id_number


@pytest.mark.parametrize("kiosk", REGIONS, indirect=True)
def test_a_minor_alone_is_refused_before_the_service_is_asked(kiosk):
    child = person_aged(12)
    flow = RepresentationFlow(kiosk.devices, "issue")
    kiosk.hands.idreader_sim.place(child)
    with pytest.raises(MayNotAct) as refused:
        flow.wait_for_holder_id_card(3, threading.Event())
    assert "监护人" in refused.value.zh


def test_an_agents_application_carries_the_agent_and_the_power_of_attorney(kiosk):
    sent = {}
    real_apply = kiosk.devices.service.apply

    def spy(*args, **kwargs):
        sent.update(kwargs)
        return real_apply(*args, **kwargs)
    kiosk.devices.service.apply = spy
    flow = RepresentationFlow(kiosk.devices, "issue")
    flow.choose(Role.AGENT, power_of_attorney=True)
    kiosk.hands.place_id_card("gen2")
    flow.wait_for_actor_id_card(3, threading.Event())
    kiosk.hands.place_id_card("no_card")
    flow.wait_for_holder_id_card(3, threading.Event())
    assert flow.apply("new", photo=True)["state"] == "accepted"
    assert sent["agent_id_number"] == demo.by_key("gen2").id_number and sent["power_of_attorney"] is True
    flow.wipe()
    assert flow.actor is None and flow.holder is None and flow.acting == Acting()


@pytest.mark.parametrize("kiosk,minor", [("henan", False), ("shaanxi", True), ("sichuan", True)], indirect=["kiosk"])
def test_a_seventeen_year_old_resets_their_own_pin_only_where_they_are_of_age(kiosk, minor):
    flow = ResetPinFlow(kiosk.devices)
    if minor:
        with pytest.raises(MayNotAct):
            read_id(kiosk, flow, person_aged(17))
        assert flow.id_card is None
    else:
        assert read_id(kiosk, flow, person_aged(17)) is not None


# -- cancellation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kiosk,first", [("shaanxi", "银行"), ("henan", "银行"), ("sichuan", "社保功能")],
                         indirect=["kiosk"])
def test_cancellation_is_explained_in_the_regions_order(kiosk, first):
    flow = CancellationFlow(kiosk.devices)
    flow.check_devices()
    guide = flow.guide()
    assert first in guide.steps[0].title.zh and len(guide.steps) == 2
    assert any("不能办理注销" in note.zh for note in guide.notes)
    receipt = flow.receipt().text()
    assert f"第1步：{guide.steps[0].title.zh}" in receipt and f"第2步：{guide.steps[1].title.zh}" in receipt


def test_every_cancellation_text_has_both_languages():
    guide = cancellation.guide(profile("shaanxi"))
    texts = [*guide.reasons, *guide.notes, *(t for s in guide.steps for t in (s.title, s.where, s.bring)),
             *cancellation.ALWAYS, *(t for r in cancellation.REASONS_BRING for t in r.bring)]
    assert texts and all(t.zh and t.en and t.zh != t.en for t in texts)


@pytest.mark.parametrize("reason", cancellation.REASONS_BRING, ids=lambda r: r.key)
def test_every_cancellation_reason_says_what_to_bring_one_thing_a_line(reason):
    shown = cancellation.instructions(cancellation.guide(profile("shaanxi")), reason)
    listed = [line for line in shown.split("\n") if line.startswith("· ")]
    assert listed[:2] == ["· 社保卡", "· 持卡人的身份证"] and len(listed) == 3 + len(reason.bring)
    assert all(len(line) <= 30 for line in shown.split("\n")), "short lines, no prose"
