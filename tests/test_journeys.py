"""Every citizen journey driven step by step without Kivy, as a citizen would: the happy path and each
refusal, on the embedded default (simulated devices speaking their wire protocols, the service over HTTP).
The journeys are the ones the app runs (kiosk/flows/registry.py); only the runner differs (journey_player)."""
import dataclasses
import time

import pytest

from kiosk import demo, masking
from kiosk.backend.client import ServiceRefused
from kiosk.flows import photo_step
from kiosk.flows import steps as s
from kiosk.flows.issuance import STEPS_ZH
from kiosk.flows.representation import MayNotAct
from kiosk.simulated import id_card_of
from tests.issuance_tools import citizen_takes_cards
from tests.journey_player import Player, insert, leave_at, pay, place, take_back_id_card


def state_of(kiosk, key):
    return kiosk.devices.service.card(demo.by_key(key).card_number)["state"]


def receipts_printed(kiosk, at_least: int = 0) -> int:
    """Receipts the simulated printer decoded (a job is decoded when its connection closes)."""
    deadline = time.monotonic() + 3
    while len(kiosk.hands.printer_sim.jobs) < at_least and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(kiosk.hands.printer_sim.jobs)


def printed_receipt(p: Player, kiosk, before: int) -> None:
    p.press(s.RECEIPT)
    assert p.title == "凭条已打印" and receipts_printed(kiosk, before + 1) == before + 1
    p.press(s.DONE)


# -- status -------------------------------------------------------------------------------------------------
def test_status_shows_the_cards_state_and_prints_it_on_request(kiosk):
    p = Player(kiosk, "status", does=[place(kiosk, "temp_lost")])
    assert isinstance(p.step, s.ShowStatus) and p.step.result.state.label_zh == "临时挂失"
    assert p.titles[:3] == ["正在检查设备", "请将身份证放在读卡区", "正在查询"]
    printed_receipt(p, kiosk, receipts_printed(kiosk))
    assert p.ended == "done"


def test_status_shows_the_expiry_and_what_it_means_once_the_renewal_window_opens(kiosk):
    p = Player(kiosk, "status", does=[place(kiosk, "expiring")])
    result = p.step.result
    assert result.expiry_date and result.expiry and "补卡换卡" in result.expiry.advice_zh
    assert Player(kiosk, "status", does=[place(kiosk, "normal")]).step.result.expiry is None   # years away


def test_an_expired_card_still_works_for_social_security_and_is_told_about_the_bank(kiosk):
    from kiosk import cardstates
    import datetime as dt
    policy, expired, today = kiosk.devices.policy, dt.date(2026, 1, 1), dt.date(2026, 12, 1)
    advice = cardstates.expiry_advice(expired, today, policy)
    assert "社保功能仍可正常使用" in advice.advice_zh and "银行" in advice.advice_zh
    # Xi'an names the banks (seeds/000): which keep working, which must be renewed, and the free first swap
    assert "可不换卡" in cardstates.expiry_advice(expired, today, policy, "农业银行", 2).advice_zh
    renew = cardstates.expiry_advice(expired, today, policy, "建设银行", 2).advice_zh
    assert "需要换卡" in renew and "免收手续费" in renew
    assert "免收手续费" not in cardstates.expiry_advice(expired, today, policy, "建设银行", 3).advice_zh


def test_the_status_of_an_expiring_card_says_what_its_bank_does_after_expiry(kiosk):
    p = Player(kiosk, "status", does=[place(kiosk, "expiring")])      # a 工商银行 card in Xi'an
    assert "工商银行" in p.step.result.expiry.advice_zh and "需要换卡" in p.step.result.expiry.advice_zh


def test_status_ends_quietly_when_nobody_places_an_id_card_and_home_is_chosen(kiosk):
    p = Player(kiosk, "status", wait_s=0.3)
    assert p.title == "没有检测到身份证" and p.ended is None          # said, not a silent return home
    assert p.press("home").ended == "done" and not any(isinstance(step, s.ShowStatus) for step in p.shown)


def test_status_for_a_stranger_to_the_service_says_so(kiosk):
    p = Player(kiosk, "status", does=[place(kiosk, "no_card")])
    assert p.step.result.card_number is None and p.step.result.state.label_zh == "未申领"


# -- change PIN ------------------------------------------------------------------------------------------------
def test_change_pin_asks_again_after_a_wrong_pin_and_a_broken_rule_then_changes_it(kiosk):
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "normal")])
    assert p.step.screen == "pin_old"
    p.type("000000")
    assert p.step.screen == "pin_old" and "5" in p.zh(p.step.error)           # tries left, in words
    p.type("135790").type("111111")
    assert p.step.screen == "pin_new" and p.zh(p.step.error)                  # a rule, said on the same screen
    p.type("802468").type("802460")
    assert p.step.screen == "pin_new" and "不一致" in p.zh(p.step.error)        # the two entries differ
    p.type("802468").type("802468")
    assert p.title == "确认修改密码" and "A0****001" in p.body and "A00000001" not in p.body   # the card, masked
    p.press("confirm")
    assert p.title == "密码修改成功"
    p.press(s.DONE)
    assert p.ended == "done"
    assert all(len(step.buffer) == 0 for step in p.shown if isinstance(step, s.EnterDigits))   # PINs cleared


def test_a_pin_change_not_confirmed_writes_nothing_to_the_card(kiosk):
    card = kiosk.hands.card_of("normal")
    before = (card.pin_hash, card.pin_tries_left)
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "normal")]).type("135790").type("802468").type("802468")
    assert p.title == "确认修改密码" and "原密码不能再使用" in p.body
    p.press(s.DONE)                                                       # 取消
    assert p.title == "密码未修改" and "原密码仍然有效" in p.body
    assert p.press(s.DONE).ended == "done"
    assert (card.pin_hash, card.pin_tries_left) == before                # the card has its old PIN
    assert kiosk.devices.journal.unfinished() == [] and state_of(kiosk, "normal") == "normal"
    kiosk.hands.remove_card()
    again = Player(kiosk, "change_pin", does=[insert(kiosk, "normal")]).type("135790")
    assert again.step.screen == "pin_new"                                 # the old PIN still opens it


def test_two_different_new_pins_are_asked_again_before_any_confirmation(kiosk):
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "normal")]).type("135790").type("802468").type("802460")
    assert p.step.screen == "pin_new" and "不一致" in p.zh(p.step.error)
    assert "确认修改密码" not in p.titles


def test_change_pin_on_a_blocked_card_sends_the_holder_to_unlock(kiosk):
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "pin_locked")]).type("975310")
    assert p.title == "密码已锁定" and p.body.count("密码解锁") == 1        # said once, with the tile's name
    assert "“密码解锁”" in p.body and "身份证" in p.body
    assert p.press(s.DONE).ended == "done"


@pytest.mark.parametrize("kiosk, words", [("shaanxi", "启用社保卡"), ("sichuan", "窗口")], indirect=["kiosk"])
def test_change_pin_sends_a_sealed_card_to_activation_with_the_id_card(kiosk, words):
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "sealed")])
    assert p.ended == "failed" and words in p.body and "身份证" in p.body
    assert not any(isinstance(step, s.EnterDigits) for step in p.shown) and state_of(kiosk, "sealed") == "sealed"


def test_change_pin_refuses_a_lost_card_before_any_pin(kiosk):
    p = Player(kiosk, "change_pin", does=[insert(kiosk, "temp_lost")])
    assert p.ended == "failed" and "挂失" in p.body
    assert not any(isinstance(step, s.EnterDigits) for step in p.shown)


# -- a new card ------------------------------------------------------------------------------------------------
def test_a_new_card_is_made_after_the_applicant_confirms_and_is_taken_from_the_gate(kiosk):
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")])
    assert p.title == "确认申领社保卡" and "刘" in p.body and "䶮" not in p.body     # the name masked
    p.press("start").press(photo_step.USE)
    assert p.title == "制卡完成", p.body
    assert p.progress_seen == list(STEPS_ZH)                  # every step of the making shown as it happened
    number = kiosk.devices.service.card_status(demo.by_key("no_card").id_number)["card"]["card_number"]
    assert masking.card_number(number) in p.body and number not in p.body     # masked on screen (issue 14)
    assert "立即启用" in p.body
    before = receipts_printed(kiosk)
    p.choose(s.RECEIPT)
    assert p.title == "凭条已打印" and receipts_printed(kiosk, before + 1) == before + 1
    assert p.press(s.DONE).ended == "done"


def test_activate_now_after_an_issuance_sets_the_pin_without_placing_the_id_card_again(kiosk):
    citizen_takes_cards(kiosk)
    new_card = lambda _step: kiosk.hands.card_slot.insert(kiosk.hands.station.in_hand[-1])   # noqa: E731
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card"), new_card]).press("start").press(photo_step.USE)
    assert p.title == "制卡完成" and "activate_now" in p.options
    shown_before = len(p.shown)
    p.choose("activate_now")
    continued = p.shown[shown_before:]
    assert not any(isinstance(step, s.PlaceIdCard) for step in continued)          # the ID card read once
    assert [type(step) for step in continued if not isinstance(step, s.Work)][:2] == [s.Heading, s.InsertCard]
    assert p.step.screen == "pin_new"
    p.type("802468").type("802468")
    assert p.title == "社保功能已启用"
    card = kiosk.devices.service.card_status(demo.by_key("no_card").id_number)["card"]
    assert card["state"] == "normal"


def test_activate_now_is_offered_after_the_receipt_too(kiosk):
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start").press(photo_step.USE).choose(s.RECEIPT)
    assert p.title == "凭条已打印" and p.step.secondary[0] == "activate_now"


@pytest.mark.parametrize("kiosk", ["sichuan"], indirect=True)
def test_activate_now_is_not_offered_where_the_kiosk_does_not_activate(kiosk):
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start").press(photo_step.USE)
    assert p.title == "制卡完成" and isinstance(p.step, s.Message) and "立即启用" not in p.body


def test_a_new_card_left_at_the_gate_is_captured_and_the_citizen_told(kiosk):
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")], wait_s=0.5).press("start").press(photo_step.USE)
    assert p.title == "卡片已回收"
    assert kiosk.hands.station.in_bin and kiosk.devices.service.card_status(
        demo.by_key("no_card").id_number)["card"] is None


def test_a_new_card_is_refused_to_someone_who_has_one(kiosk):
    p = Player(kiosk, "issue", does=[place(kiosk, "normal")])
    assert p.ended == "failed" and p.title == "无法继续办理"
    assert kiosk.hands.issuer_sim.hopper == 50                                   # no card left the hopper


@pytest.mark.parametrize("kiosk, words", [("shaanxi", "参保登记"), ("henan", "户口簿"), ("sichuan", "就业证明")],
                         indirect=["kiosk"])
def test_someone_not_insured_is_told_who_may_apply_here_and_what_to_bring(kiosk, words):
    """Who may apply is regional (002 any insured person, 003 "参保或就业", 004 "本省户籍人员或…")."""
    with kiosk.service.store.transaction() as db:
        db.execute("UPDATE persons SET insured = 0 WHERE id_number = ?", (demo.by_key("no_card").id_number,))
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")])
    assert p.ended == "failed" and words in p.body


def test_declining_at_the_confirmation_makes_nothing(kiosk):
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press(s.DONE)
    assert p.ended == "done" and kiosk.hands.issuer_sim.hopper == 50


# -- activate, reset, unlock -------------------------------------------------------------------------------------
def holder_with_card(kiosk, service, key):
    return Player(kiosk, service, does=[place(kiosk, key), insert(kiosk, key)])


@pytest.mark.parametrize("service, key, title, state", [
    ("activate", "sealed", "社保功能已启用", "normal"),
    ("reset_pin", "normal", "密码已重置", "normal"),
    ("unlock", "pin_locked", "密码已解锁", "normal")])
def test_a_new_pin_is_set_with_the_id_card_and_the_card(kiosk, service, key, title, state):
    p = holder_with_card(kiosk, service, key)
    assert [step.screen for step in p.shown if isinstance(step, s.EnterDigits)] == ["pin_new"]   # no old PIN
    p.type("802468").type("802468")
    assert p.title == title and state_of(kiosk, key) == state


@pytest.mark.parametrize("service, key, words", [
    ("activate", "normal", ""),                      # a card in use is not activated again
    ("reset_pin", "pin_locked", "解锁"),              # a blocked card is sent to unlock
    ("unlock", "normal", "")])                       # a card that is not blocked
def test_a_card_in_a_state_the_service_does_not_serve_is_refused_before_any_pin(kiosk, service, key, words):
    p = holder_with_card(kiosk, service, key)
    assert p.ended == "failed" and words in p.body
    assert not any(isinstance(step, s.EnterDigits) for step in p.shown)


def test_a_card_not_the_id_cards_is_refused(kiosk):
    p = Player(kiosk, "reset_pin", does=[place(kiosk, "normal"), insert(kiosk, "sealed")])
    assert p.ended == "failed" and p.title == "无法继续办理"


# -- loss and release --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, state", [("temporary", "temp_lost"), ("formal", "lost")])
def test_a_loss_is_reported_the_way_the_holder_chooses(kiosk, kind, state):
    p = Player(kiosk, "loss", does=[place(kiosk, "normal")])
    assert p.options == ["temporary", "formal"]
    p.choose(kind)
    if kind == "formal":                 # it stops the card: confirmed first, naming the card (masked)
        assert p.title == "确认正式挂失" and "A0****001" in p.body and state_of(kiosk, "normal") == "normal"
        p.press("confirm")
    assert p.title == "挂失成功" and state_of(kiosk, "normal") == state
    assert "银行账户仍可使用" in p.body and "银行" in p.body.split("银行账户仍可使用")[1]   # where to stop it too
    assert "账户资金不受影响" not in p.body
    p.press(s.RECEIPT)
    assert receipts_printed(kiosk, 1) == 1
    assert "银行账户仍可使用" in kiosk.hands.printer_sim.jobs[-1].decoded.text().replace("\n", "")


def test_a_formal_report_not_confirmed_reports_nothing(kiosk):
    p = Player(kiosk, "loss", does=[place(kiosk, "normal")]).choose("formal").press(s.DONE)
    assert p.ended == "done" and state_of(kiosk, "normal") == "normal"


@pytest.mark.parametrize("kiosk", ["henan"], indirect=True)
def test_a_region_without_temporary_loss_offers_only_the_formal_report(kiosk):
    assert Player(kiosk, "loss", does=[place(kiosk, "normal")]).options == ["formal"]


def test_a_card_already_lost_cannot_be_reported_again(kiosk):
    p = Player(kiosk, "loss", does=[place(kiosk, "lost")])
    if p.ended is None:
        p.choose("formal").press("confirm")
    assert p.ended == "failed"


def test_a_found_card_is_released_with_the_id_card_and_the_card(kiosk):
    p = Player(kiosk, "release", does=[place(kiosk, "temp_lost"), insert(kiosk, "temp_lost")])
    assert p.title == "已解除挂失" and state_of(kiosk, "temp_lost") == "normal"


@pytest.mark.parametrize("key,words", [("sealed", "仍未启用"), ("pin_locked", "仍处于锁定")])
def test_a_release_says_the_card_is_back_in_its_state_before_the_report(kiosk, key, words):
    """The service restores a sealed or locked card as it was (domain.md §6): the kiosk does not say "normal"."""
    kiosk.devices.service.report_loss(demo.by_key(key).card_number, "temporary", id_verified=True)
    p = Player(kiosk, "release", does=[place(kiosk, key), insert(kiosk, key)])
    assert p.title == "已解除挂失" and words in p.body and state_of(kiosk, key) == key


def test_release_refuses_someone_elses_card(kiosk):
    p = Player(kiosk, "release", does=[place(kiosk, "temp_lost"), insert(kiosk, "normal")])
    assert p.ended == "failed" and state_of(kiosk, "temp_lost") == "temp_lost"


# -- replacement -------------------------------------------------------------------------------------------------
def replacement(kiosk, key="normal", does=(), **kw) -> Player:
    """The replacement journey: the holder's ID card, then the old card pushed into the gate when it opens."""
    return Player(kiosk, "replace", does=[place(kiosk, key), None, *does], wait_s=5,
                  on_progress={"insert": lambda: kiosk.hands.insert_old_card(key)}, **kw)


def test_a_damaged_card_is_replaced_after_the_fee_is_paid(kiosk):
    citizen_takes_cards(kiosk)
    p = replacement(kiosk, does=[pay(kiosk)])
    assert p.title == "请选择补换卡原因" and "damaged" in p.options
    p.choose("damaged").press(photo_step.USE).press("confirm_fee")
    assert p.title == "补换卡完成", p.body
    new = kiosk.devices.service.card_status(demo.by_key("normal").id_number)["card"]["card_number"]
    assert masking.card_number(new) in p.body and new not in p.body             # masked on screen (issue 14)
    kinds = [type(step).__name__ for step in p.shown]
    assert kinds.index("Pay") < kinds.index("MakeCard")                         # paid before the card is made
    assert kiosk.hands.station.in_bin == [kiosk.hands.card_of("normal")]       # the old card captured
    assert state_of(kiosk, "normal") == "cancelled"


def test_giving_up_at_the_fee_hands_the_old_card_back_and_makes_nothing(kiosk):
    citizen_takes_cards(kiosk)                       # whatever the gate hands out is taken
    p = replacement(kiosk, does=[leave_at("give_up")])
    p.choose("damaged").press(photo_step.USE).press("confirm_fee")
    assert p.ended == "give_up" and p.titles[-1] == "正在退回原卡，请在右侧出卡口取回"
    assert kiosk.hands.station.in_hand == [kiosk.hands.card_of("normal")] and not kiosk.hands.station.in_bin
    assert state_of(kiosk, "normal") == "normal"


def test_no_payment_in_time_says_so_and_hands_the_old_card_back(kiosk):
    citizen_takes_cards(kiosk)                       # whatever the gate hands out is taken
    p = replacement(kiosk)
    p.wait_s = 0.3
    p.choose("damaged").press(photo_step.USE).press("confirm_fee")
    assert p.title == "未完成缴费"
    p.press(s.DONE)
    assert p.ended == "done" and kiosk.hands.station.in_hand == [kiosk.hands.card_of("normal")]


def test_the_timer_running_out_at_the_reason_hands_the_old_card_back(kiosk):
    citizen_takes_cards(kiosk)                       # whatever the gate hands out is taken
    p = replacement(kiosk).leave("timeout")
    assert p.ended == "timeout" and kiosk.hands.station.in_hand == [kiosk.hands.card_of("normal")]


def test_a_refusal_after_the_old_card_is_held_hands_it_back_before_the_words(kiosk):
    """The service says no at the application (here: a rule it applies that the kiosk could not know):
    the citizen's old card goes back out of the gate, it is not swallowed into the reject bin."""
    from kiosk.backend.client import ServiceRefused

    def refuse(*_args, **_kw):
        raise ServiceRefused(409, "application_pending", "您已有正在办理的申请", "An application is in progress")
    citizen_takes_cards(kiosk)
    p = replacement(kiosk)
    kiosk.devices.service.apply = refuse
    p.choose("damaged").press(photo_step.USE).press("confirm_fee")
    assert p.ended == "failed" and "正在办理的申请" in p.body
    assert p.titles[-2] == "正在退回原卡，请在右侧出卡口取回"                       # handed back, then the words
    assert kiosk.hands.station.in_hand == [kiosk.hands.card_of("normal")] and not kiosk.hands.station.in_bin


def test_a_session_that_ends_under_the_journey_captures_a_held_old_card(kiosk):
    p = replacement(kiosk)
    p.end_session()
    assert kiosk.hands.station.in_bin == [kiosk.hands.card_of("normal")]


def test_a_lost_card_is_replaced_without_handing_anything_in(kiosk):
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "replace", does=[place(kiosk, "lost"), pay(kiosk)], wait_s=5)
    assert not any(isinstance(step, s.InsertCard) for step in p.shown)
    p.choose(p.options[0]).press(photo_step.USE).press("confirm_fee")
    assert p.title == "补换卡完成", p.body


# -- contact, e-card, cancellation ---------------------------------------------------------------------------------
def test_a_new_mobile_number_is_asked_again_until_valid_then_saved(kiosk):
    p = Player(kiosk, "contact", does=[place(kiosk, "normal")]).choose("phone")
    p.type("12345678901")
    assert p.step.screen == "digits" and p.zh(p.step.error)
    assert p.step.buffer.text() == "12345678901"          # the refused number is kept on screen, not wiped
    p.type("13912345678")
    assert p.title == "请核对手机号码"
    p.press("correct")
    p.type(kiosk.hands.texted_code("13912345678"))
    assert p.title == "联系方式已修改" and "139****5678" in p.body


def test_the_address_on_the_id_card_becomes_the_contact_address_once_confirmed(kiosk):
    p = Player(kiosk, "contact", does=[place(kiosk, "normal")]).choose("address")
    assert p.title == "确认通讯地址" and "长安南路" in p.body
    p.press("confirm")
    assert p.title == "联系方式已修改"


def test_the_ecard_sign_up_shows_its_qr_code_and_prints_on_request(kiosk):
    p = Player(kiosk, "ecard", does=[place(kiosk, "normal")])
    assert isinstance(p.step, s.ShowQr) and p.step.payload
    printed_receipt(p, kiosk, receipts_printed(kiosk))


def test_the_ecard_is_refused_without_a_physical_card(kiosk):
    p = Player(kiosk, "ecard", does=[place(kiosk, "no_card")])
    assert p.ended == "failed" and "实体社保卡" in p.body


def test_the_cancellation_guide_is_explained_and_printed(kiosk):
    p = Player(kiosk, "cancel")
    assert p.title == "为什么要注销社保卡？" and "moving" in p.options
    p.choose("death")
    assert p.title == "注销指引：持卡人去世" and "第1步" in p.body and "第2步" in p.body
    assert "请携带：\n· 社保卡" in p.body and "死亡证明" in p.body                # what to bring, one a line
    before = receipts_printed(kiosk)
    p.press(s.RECEIPT)
    assert receipts_printed(kiosk, before + 1) == before + 1
    printed = kiosk.hands.printer_sim.jobs[-1].decoded.text().replace("\n", "")
    assert all(words in printed for words in ("死亡证明", "第1步", "第2步", "跨省"))


def test_someone_only_moving_is_told_they_keep_the_card(kiosk):
    p = Player(kiosk, "cancel").choose("moving")
    assert p.title == "搬家不用注销社保卡" and "省内转移无需换卡" in p.body and "跨省" in p.body


# -- someone acting for the holder ---------------------------------------------------------------------------------
def test_a_guardian_asks_a_childs_status_with_both_id_cards(kiosk):
    p = Player(kiosk, "agent", does=[place(kiosk, "normal"), take_back_id_card(kiosk), place(kiosk, "child")])
    p.choose("guardian")
    assert "status" in p.options and "change_pin" not in p.options
    p.choose("status")
    assert isinstance(p.step, s.ShowStatus) and p.step.result.name == "王小宝"
    assert [step.title for step in p.shown if isinstance(step, s.Heading)]


def test_a_guardian_is_refused_for_an_adult(kiosk):
    p = Player(kiosk, "agent", does=[place(kiosk, "normal"), take_back_id_card(kiosk), place(kiosk, "sealed")])
    p.choose("guardian").choose("status")
    assert p.ended == "failed" and isinstance(p.error, MayNotAct)


def test_an_agent_must_declare_the_power_of_attorney(kiosk):
    p = Player(kiosk, "agent").choose("agent")
    assert p.title == "授权委托书"
    assert p.press(s.DONE).ended == "done"


def an_agent_for(kiosk, service: str, holder: str, does=(), **kw) -> Player:
    """An agent (the demo citizen "sealed", an adult) with the holder's power of attorney: the agent's own ID
    card, taken back, then the holder's (seeds/002 "委托他人代理的，还应当提供代理人身份证件")."""
    p = Player(kiosk, "agent", does=[place(kiosk, "sealed"), take_back_id_card(kiosk), place(kiosk, holder), *does],
               **kw)
    p.choose("agent").press("attorney")
    assert service in p.options
    return p.choose(service)


def test_an_agent_releases_a_found_card_with_both_id_cards_and_the_service_records_who(kiosk):
    p = an_agent_for(kiosk, "release", "temp_lost", does=[insert(kiosk, "temp_lost")])
    assert p.title == "已解除挂失", p.body
    [event] = [e for e in kiosk.service.store.events(demo.by_key("temp_lost").card_number)
               if e["kind"] == "loss_released"]
    assert demo.by_key("sealed").id_number in str(event)            # the agent, on the service's record


def test_an_agent_replaces_a_card_with_both_id_cards_and_the_application_carries_the_agent(kiosk):
    citizen_takes_cards(kiosk)
    p = an_agent_for(kiosk, "replace", "normal", does=[None, pay(kiosk)], wait_s=5,
                     on_progress={"insert": lambda: kiosk.hands.insert_old_card("normal")})
    p.choose("damaged").press(photo_step.USE).press("confirm_fee")
    assert p.title == "补换卡完成", p.body
    [application] = kiosk.service.store.query("SELECT * FROM applications WHERE id_number = ? AND kind = "
                                              "'replacement'", demo.by_key("normal").id_number)
    assert application["agent"] == demo.by_key("sealed").id_number


def test_an_agent_without_a_power_of_attorney_is_never_offered_the_replacement(kiosk):
    p = Player(kiosk, "agent").choose("agent")
    assert p.press(s.DONE).ended == "done" and not any(isinstance(x, s.PlaceIdCard) for x in p.shown)


# -- time limits and cards left in the machine (kiosk/flows/attended.py) -----------------------------------------------
def test_an_id_card_wait_that_ran_out_says_so_and_retry_asks_again_and_reads_the_card(kiosk):
    p = Player(kiosk, "status", does=[None, place(kiosk, "temp_lost")], wait_s=0.3)
    assert p.title == "没有检测到身份证" and "身份证" in p.body
    assert [b[0] for b in (p.step.primary, p.step.secondary)] == ["retry", "home"]
    p.press("retry")
    assert isinstance(p.step, s.ShowStatus) and p.step.result.state.label_zh == "临时挂失"
    assert [type(x).__name__ for x in p.shown].count("PlaceIdCard") == 2      # the same step, once more


def test_a_card_wait_that_ran_out_says_no_card_was_detected_and_retry_reads_it(kiosk):
    p = Player(kiosk, "change_pin", does=[None, insert(kiosk, "normal")], wait_s=0.3)
    assert p.title == "没有检测到社保卡" and p.ended is None
    assert p.press("retry").step.screen == "pin_old"


def test_the_done_screen_ends_by_itself_once_the_cards_are_taken_out(kiosk):
    p = Player(kiosk, "release", does=[place(kiosk, "temp_lost"), insert(kiosk, "temp_lost")])
    assert p.title == "已解除挂失" and p.step.until_removed is not None
    p.remove_cards()                                    # no "完成": taking the cards ends it
    assert p.ended == "done" and p.cards_left == []


def test_the_last_screen_waits_for_its_button_when_no_card_was_in_the_machine(kiosk):
    p = Player(kiosk, "status", does=[place(kiosk, "normal")])
    kiosk.hands.remove_id_card()
    import threading
    assert p.step.until_removed(0.5, threading.Event()) is False          # nothing to wait for: stays
    assert p.press(s.DONE).ended == "done"


def test_done_pressed_with_the_cards_inside_asks_for_them_and_calls_staff_when_they_stay(kiosk):
    store = kiosk.service.store
    before = len(store.query("SELECT * FROM staff_calls"))
    p = Player(kiosk, "release", does=[place(kiosk, "temp_lost"), insert(kiosk, "temp_lost")],
               takes_cards=False, staff_after_s=0.3, wait_s=1.5)
    p.press(s.DONE)
    assert p.cards_left[0] == "both" and "staff" in p.cards_left          # asked for both, then staff called
    calls = store.query("SELECT * FROM staff_calls")
    assert len(calls) == before + 1 and calls[-1]["screen"] == "take_cards" and calls[-1]["service"] == "release"
    assert p.ended == "done"            # the visit ends at last (staff are on their way); the session wipes


def test_cards_taken_out_in_time_call_nobody(kiosk):
    p = Player(kiosk, "release", does=[place(kiosk, "temp_lost"), insert(kiosk, "temp_lost")], takes_cards=False,
               staff_after_s=5, wait_s=3)
    import threading
    threading.Timer(0.5, kiosk.hands.remove_id_card).start()
    threading.Timer(1.0, kiosk.hands.remove_card).start()
    before = len(kiosk.service.store.query("SELECT * FROM staff_calls"))
    p.press(s.DONE)
    assert p.cards_left[:2] == ["both", "card"] and "staff" not in p.cards_left and p.ended == "done"
    assert len(kiosk.service.store.query("SELECT * FROM staff_calls")) == before


def _loss_at_choice(kiosk, **kw):
    p = Player(kiosk, "loss", does=[place(kiosk, "normal")], **kw)
    assert p.title == "请选择挂失方式"
    held = [step for step in p.shown if isinstance(step, s.PlaceIdCard)][0]
    return p, held.wait.__self__


@pytest.mark.parametrize("ending", ["done", "cancel", "timeout", "failed", "session_end", "ran_out_home"])
def test_every_way_a_visit_ends_wipes_the_id_card_and_leaves_no_card_in_the_machine(kiosk, ending):
    if ending == "ran_out_home":
        p = Player(kiosk, "loss", wait_s=0.3)
        flow = [x for x in p.shown if isinstance(x, s.PlaceIdCard)][0].wait.__self__
        kiosk.hands.place_id_card("normal")       # placed too late: the citizen chose to go home
        p.press("home")
    else:
        p, flow = _loss_at_choice(kiosk, takes_cards=True)
        assert flow.id_card is not None
        if ending == "done":
            p.choose("temporary")
            assert p.title == "挂失成功"
            p.press(s.DONE)
        elif ending in ("cancel", "timeout"):
            p.leave(ending)
        elif ending == "failed":
            def refuse(*_a, **_kw):
                raise ServiceRefused(409, "not_allowed", "不能挂失", "Cannot report")
            flow.report = refuse
            p.choose("temporary")
            assert p.ended == "failed" and p.title == "无法继续办理"
            p.press(s.DONE)
        else:
            p.end_session()
    assert flow.id_card is None
    if ending == "session_end":
        return                          # the app's session end: nothing more is shown (a shutdown)
    assert p.ended == {"ran_out_home": "done"}.get(ending, ending)
    assert not kiosk.hands.idreader_sim.card                              # the citizen was asked for it back


# -- every way out wipes -------------------------------------------------------------------------------------------
def test_leaving_at_any_step_wipes_the_id_card_read(kiosk):
    p = Player(kiosk, "loss", does=[place(kiosk, "normal")])
    held = [step for step in p.shown if isinstance(step, s.PlaceIdCard)][0]
    flow = held.wait.__self__
    assert flow.id_card is not None
    p.leave()
    assert p.ended == "cancel" and flow.id_card is None


# -- replacement: a changed name (seeds/002: recorded at the agency first, then the card replaced) ---------------
def renamed_id_card(kiosk, key, name):
    card = dataclasses.replace(id_card_of(key), name=name)          # the same photo, a new name
    return lambda _step: kiosk.hands.idreader_sim.place(card)


def test_a_changed_name_not_yet_recorded_is_refused_in_words_before_the_old_card_goes_in(kiosk):
    p = Player(kiosk, "replace", does=[renamed_id_card(kiosk, "normal", "王晓明")], wait_s=2)
    # was: the old card taken, "changed data" offered, a chip with the record's old name under a face with the new
    assert p.ended == "failed" and "社保经办机构" in p.body and "身份证" in p.body, p.titles
    assert not any(isinstance(step, s.InsertCard) for step in p.shown)
    with pytest.raises(ServiceRefused) as refused:           # the service refuses the same, whoever asks
        kiosk.devices.service.apply(demo.by_key("normal").id_number, "replacement", reason="changed_data",
                                    name_on_id="王晓明")
    assert refused.value.code == "record_not_updated"


def test_a_recorded_name_change_puts_the_new_name_on_chip_and_face_alike(kiosk, monkeypatch):
    from kiosk.flows import issuance
    from kiosk.hw.cardreader.ssse import SFI_EF06
    person = demo.by_key("normal")
    with kiosk.service.store.transaction() as db:             # recorded at the agency (set-up)
        db.execute("UPDATE persons SET name = '王晓明' WHERE id_number = ?", (person.id_number,))
    faces = []
    render = issuance.render
    monkeypatch.setattr(issuance, "render", lambda face, *rest: faces.append(face) or render(face, *rest))
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "replace", does=[renamed_id_card(kiosk, "normal", "王晓明"), None, pay(kiosk)], wait_s=5,
               on_progress={"insert": lambda: kiosk.hands.insert_old_card("normal")})
    assert "changed_data" in p.options                        # the chip still says 王小明
    p.choose("changed_data").press(photo_step.USE).press("confirm_fee")
    assert p.title == "补换卡完成", p.body
    new_card = kiosk.hands.station.in_hand[-1]
    assert new_card.records[SFI_EF06][0x09].rstrip(b"\0").decode("gb18030") == "王晓明"
    assert [face.name for face in faces] == ["王晓明"]


# -- replacement: the temporary card ends when the new card is collected (seeds/002, Henan) ----------------------
@pytest.mark.parametrize("kiosk", ["henan"], indirect=True)
def test_collecting_the_new_card_cancels_the_temporary_card_and_says_so(kiosk):
    person = demo.by_key("lost")
    with kiosk.service.store.transaction() as db:     # accepted at a counter (Henan sets no fee for the kiosk)
        db.execute("INSERT INTO applications (id_number, kind, state, created_at, reason, card_number) VALUES "
                   "(?, 'replacement', 'accepted', '2026-01-01T00:00:00+00:00', 'lost', ?)",
                   (person.id_number, person.card_number))
    kiosk.devices.service.temporary_card(person.card_number)
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "replace", does=[place(kiosk, "lost")], wait_s=5)
    p.choose("lost").press(photo_step.USE).press("confirm_fee")
    assert p.title == "补换卡完成" and "临时社会保障卡已同时注销" in p.body, p.body   # was: not a word of it
    [row] = kiosk.service.store.query("SELECT state FROM temporary_cards")
    assert row["state"] == "cancelled"


def test_the_new_card_confirmation_claims_no_fee_the_service_did_not_set(kiosk):
    """No seed says a first card is free: the confirmation repeats the service's fee (0: nothing to pay here)."""
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")])
    assert p.title == "确认申领社保卡" and "新卡免费" not in p.body            # was: 新卡免费, with no source
    assert "本次申领无需缴费" in p.body


def test_an_agent_who_does_not_take_their_id_card_back_is_told_so_not_that_none_was_found(kiosk):
    p = Player(kiosk, "agent", does=[place(kiosk, "sealed"), None], wait_s=0.5)    # the agent's card stays
    p.choose("guardian")
    p.choose("issue")
    assert p.title == "代办人身份证还在读卡区" and "取回" in p.body
    kiosk.hands.remove_id_card()
    p.press("retry")                          # taken back now: the holder's card is asked for next
    assert p.titles[-2:] == ["请放置持卡人（被代办人）的身份证", "没有检测到身份证"]   # (nobody places it here)
