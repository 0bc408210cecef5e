"""A refusal that names another service here leads to it: the failure screen's button starts that service
with the ID card already read (kiosk/flows/kept_id.py), so the citizen does not place it a second time; the
copy is checked again (fresh, valid, who may act) and never outlives the session."""
from __future__ import annotations

import dataclasses
import datetime as dt

from kiosk import demo
from kiosk.flows import kept_id, registry
from kiosk.flows import photo_step
from kiosk.flows import steps as s
from kiosk.flows.representation import Acting, Role
from tests.issuance_tools import citizen_takes_cards
from tests.journey_player import Player, insert, place, take_back_id_card

PLACE_ID = "请将身份证放在读卡区"


def placements(p: Player) -> int:
    return sum(isinstance(step, s.PlaceIdCard) for step in p.shown)


def test_unlock_on_a_pin_that_is_not_locked_offers_forgotten_pin_and_goes_there_without_a_second_placement(kiosk):
    p = Player(kiosk, "unlock", does=[place(kiosk, "normal"), insert(kiosk, "normal")])
    assert p.ended == "failed" and "“忘记密码”" in p.body
    assert p.step.secondary == (s.OFFER, "办理“忘记密码”")
    reset = p.follow_offer(does=[insert(kiosk, "normal")])
    assert placements(reset) == 0 and "正在核验身份证" in reset.titles          # the ID card read before
    assert reset.step.screen == "pin_new"
    reset.type("802468").type("802468")
    assert reset.title == "密码已重置"


def test_someone_with_no_card_is_offered_a_new_card_here_and_gets_it_without_placing_the_id_again(kiosk):
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "replace", does=[place(kiosk, "no_card")])
    assert p.ended == "failed" and "“申领社保卡”" in p.body and "窗口" not in p.body
    issue = p.follow_offer()
    assert placements(issue) == 0 and issue.title == "确认申领社保卡"
    issue.press("start").press(photo_step.USE)
    assert issue.title == "制卡完成"


def test_a_lost_card_at_activation_offers_the_release_of_the_loss_report(kiosk):
    p = Player(kiosk, "activate", does=[place(kiosk, "temp_lost"), insert(kiosk, "temp_lost")])
    assert p.ended == "failed" and p.step.secondary[0] == s.OFFER and s.offer_of(p.error) == "release"
    release = p.follow_offer(does=[insert(kiosk, "temp_lost")])
    assert placements(release) == 0


def test_an_id_card_kept_too_long_is_asked_for_again(kiosk):
    p = Player(kiosk, "unlock", does=[place(kiosk, "normal"), insert(kiosk, "normal")])
    p.keeper.kept.read_at -= kept_id.KEEP_S + 1
    reset = p.follow_offer(does=[place(kiosk, "normal"), insert(kiosk, "normal")])
    assert placements(reset) == 1 and reset.step.screen == "pin_new"


def test_a_kept_id_card_that_has_expired_since_is_not_used():
    card = dataclasses.replace(demo.by_key("normal").id_card(), valid_until=dt.date.today())
    kept = kept_id.KeptIdCard(card, read_at=0)
    assert kept.usable(now=1) and not kept.usable(now=1, today=dt.date.today() + dt.timedelta(days=1))
    assert not kept.usable(now=kept_id.KEEP_S + 1)


def test_the_kept_copy_is_wiped_with_the_session_and_is_not_the_journeys_own_card(kiosk):
    p = Player(kiosk, "unlock", does=[place(kiosk, "normal"), insert(kiosk, "normal")])
    kept = p.keeper.kept
    assert kept.card.id_number == demo.by_key("normal").id_number   # the journey wiped its own card already
    p.keeper.wipe()
    assert kept.card.id_number == "" and kept.card.name == "" and p.keeper.take() is None


def test_the_agent_who_is_the_holder_gets_a_button_to_do_it_in_person(kiosk):
    p = Player(kiosk, "agent", does=[place(kiosk, "normal"), take_back_id_card(kiosk), place(kiosk, "normal")])
    p.choose("agent").press("attorney").choose("status")
    assert p.ended == "failed" and s.offer_of(p.error) == "status", (p.title, p.body)
    assert p.step.secondary == (s.OFFER, "办理“社保卡状态查询”")
    status = p.follow_offer(does=[place(kiosk, "normal")])
    assert isinstance(status.step, s.ShowStatus)               # in person: the holder's card read once more


def test_an_acting_persons_journey_keeps_no_id_card_for_an_offer(kiosk):
    keeper = kept_id.Keeper()
    registry.begin("status", kiosk.devices, Acting(Role.GUARDIAN, "x"), keeper=keeper).close()
    journey = registry.begin("reset_pin", kiosk.devices, Acting(Role.GUARDIAN, "x"), keeper=keeper)
    assert journey.gi_code.co_name == "journey"      # the flow's own journey, not the keeping one
    journey.close()


def test_the_service_refusal_naming_a_tile_gets_its_button(kiosk):
    """The card service's own words name the kiosk's tiles (本机“社保卡挂失”): the button follows the name."""
    from kiosk.backend.client import ServiceRefused
    refused = ServiceRefused(409, "already_reported", "此卡已正式挂失……请持本人有效身份证件申请补卡（本机“补卡换卡”或窗口）",
                             "… (here: 'Replace or renew', or at a counter)")
    assert s.offer_of(refused) == "replace" and s.failure(refused).secondary == (s.OFFER, "办理“补卡换卡”")
