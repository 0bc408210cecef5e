"""The business rules of domain.md, as pure functions over records and the region's policy profile.
Each refusal is a :class:`Refusal` with a machine-readable code and citizen-facing text in both languages."""
from __future__ import annotations

import datetime as dt

from kiosk import idnumber
from kiosk.policy import PolicyProfile

REPLACEMENT_REASONS = ("lost", "damaged", "unreadable", "changed_appearance", "changed_data", "mismatch",
                       "upgrade")


class Refusal(Exception):
    def __init__(self, status: int, code: str, zh: str, en: str):
        super().__init__(code)
        self.status, self.code, self.zh, self.en = status, code, zh, en


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_of(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def require_insured(person) -> None:
    if person is None or not person["insured"]:
        raise Refusal(409, "not_insured", "您尚未参保，请先办理参保登记后再申领社保卡",
                      "You are not insured in this province; please enrol first, then apply")


def require_guardian(policy: PolicyProfile, id_number: str, guardian: str | None, today: dt.date) -> None:
    """Minors act through a guardian below the region's age (domain.md "Who may act")."""
    limit = policy.guardian_below_age or 18      # where the region says nothing, the civil-law age of 18
    if age_on(birth_of(id_number), today) >= limit:
        return
    if not guardian or idnumber.problem(guardian) or guardian == id_number:
        raise Refusal(409, "guardian_required", f"未满{limit}周岁，须由监护人持本人身份证陪同办理",
                      f"Under {limit}, the applicant needs a guardian with the guardian's own ID card")
    if age_on(birth_of(guardian), today) < 18:
        raise Refusal(409, "guardian_not_adult", "监护人须年满18周岁", "The guardian must be an adult")


def new_card(policy: PolicyProfile, person, current_card, open_application, photo: bool, guardian: str | None,
             today: dt.date) -> None:
    require_insured(person)
    if current_card is not None:
        raise Refusal(409, "already_has_card", "您已持有本省社保卡（一人一卡），如需换卡请选择补换卡",
                      "You already hold this province's card (one card per person); choose replacement instead")
    if open_application is not None:
        raise Refusal(409, "application_pending", "您已有正在办理的申请，请勿重复申请",
                      "You already have an application in progress")
    require_guardian(policy, person["id_number"], guardian, today)
    if not photo and age_on(birth_of(person["id_number"]), today) >= policy.photo_exempt_below_age:
        raise Refusal(422, "photo_required", "申领社保卡需要本人近期照片",
                      f"A recent photo is needed (only children under {policy.photo_exempt_below_age} are exempt)")


def replacement(policy: PolicyProfile, person, card, open_application, reason: str, guardian: str | None,
                today: dt.date) -> int:
    """Checks a replacement and returns its fee in fen (0 when free)."""
    require_insured(person)
    if card is None:
        raise Refusal(404, "card_not_found", "未找到您名下的社保卡", "No card of yours was found")
    if reason not in REPLACEMENT_REASONS:
        raise Refusal(422, "bad_reason", "补换卡原因不正确", "Unknown replacement reason")
    if card["state"] == "cancelled":
        raise Refusal(409, "card_cancelled", "此卡已注销，请申领新卡", "This card is cancelled; apply for a new card")
    if reason == "lost" and card["state"] != "lost":
        raise Refusal(409, "formal_loss_first", "挂失补卡须先办理正式挂失",
                      "A lost card must be formally reported lost before it is replaced")
    if open_application is not None:
        raise Refusal(409, "application_pending", "您已有正在办理的申请，请勿重复申请",
                      "You already have an application in progress")
    require_guardian(policy, person["id_number"], guardian, today)
    if reason == "upgrade" and policy.free_generation_upgrade:
        return 0
    if policy.replacement_fee_yuan is None:
        raise Refusal(409, "fee_not_configured", "本地区补换卡收费标准未配置，请到窗口办理",
                      "The replacement fee of this region is not configured; please go to a counter")
    return policy.replacement_fee_yuan * 100


def renewal(policy: PolicyProfile, person, card, open_application, guardian: str | None, today: dt.date) -> int:
    require_insured(person)
    if card is None or card["state"] == "cancelled":
        raise Refusal(404, "card_not_found", "未找到您名下的有效社保卡", "No valid card of yours was found")
    expiry = dt.date.fromisoformat(card["expiry_date"])
    if (expiry - today).days > policy.renewal_window_days:
        raise Refusal(409, "renewal_not_due", f"有效期届满前{policy.renewal_window_days}天内方可申请换卡",
                      f"Renewal opens {policy.renewal_window_days} days before the card expires "
                      f"({expiry.isoformat()})")
    if open_application is not None:
        raise Refusal(409, "application_pending", "您已有正在办理的申请，请勿重复申请",
                      "You already have an application in progress")
    require_guardian(policy, person["id_number"], guardian, today)
    if policy.replacement_fee_yuan is None:
        raise Refusal(409, "fee_not_configured", "本地区换卡收费标准未配置，请到窗口办理",
                      "The renewal fee of this region is not configured; please go to a counter")
    return policy.replacement_fee_yuan * 100


def loss_report(policy: PolicyProfile, kind: str, id_verified: bool, now: dt.datetime) -> str | None:
    """What the region and the ID card say about a loss report: its lapse time (None for a formal one). The
    card's state is the state machine's (kiosk/backend/card_states.py), checked before this."""
    if kind == "temporary":
        if policy.temp_loss_lapse_days is None:
            # Henan (seeds/002, 004) names one loss report — by 12333, online or at an outlet — released only
            # by 解除挂失 "持社会保障卡、身份证件"; no seed says it lapses, so none of its reports does (kiosk/policy.py
            # STATE_DECISIONS): the report a kiosk makes there is the one that lasts, with the ID card read
            raise Refusal(409, "not_offered_in_region",
                          "本地区的挂失不会自动解除，不办理临时挂失：请持本人有效身份证件办理挂失（本机“社保卡挂失”或社会保障卡"
                          "服务窗口），也可拨打12333",
                          "Loss reports here do not lapse, so there is no temporary report: report the loss with "
                          "your valid ID card (here: 'Report a lost card', or at a social security card service "
                          "counter), or call 12333")
        return (now + dt.timedelta(days=policy.temp_loss_lapse_days)).isoformat()
    if not id_verified:
        raise Refusal(403, "id_required", "正式挂失须本人持有效身份证件办理（本机放置身份证，或到社会保障卡服务窗口）",
                      "A formal loss report needs the holder's valid ID card (placed on this kiosk's reader, or "
                      "at a social security card service counter)")
    return None


def release(policy: PolicyProfile, card, replaced: bool, id_verified: bool) -> None:
    """What the ID card, a replacement and the region say about a release; the card's state (reported at all)
    is the state machine's (kiosk/backend/card_states.py), checked before this."""
    if not id_verified:
        raise Refusal(403, "id_required", "解除挂失须本人持身份证和社保卡办理",
                      "Releasing a loss report needs the holder's ID card and the card")
    if replaced:
        raise Refusal(409, "already_replaced", "此卡已补办新卡，不能解除挂失",
                      "A replacement has been made for this card; it cannot be released")
    if card["state"] == "lost" and not policy.formal_loss_releasable:
        raise Refusal(409, "formal_not_releasable", "本地区正式挂失后不能解挂，请办理补卡",
                      "In this region a formal loss report cannot be released; apply for a replacement")


def require_agent(agent: str | None, power_of_attorney: bool, id_number: str, today: dt.date) -> None:
    """An elderly, disabled or long-absent holder may act through an agent with a power of attorney
    (seeds/004); the agent must be an adult other than the holder."""
    if agent is None:
        return
    if not power_of_attorney:
        raise Refusal(403, "power_of_attorney_required", "代办须出示本人签署的授权委托书",
                      "An agent needs the holder's signed power of attorney")
    if idnumber.problem(agent) or agent == id_number or age_on(birth_of(agent), today) < 18:
        raise Refusal(409, "agent_not_eligible", "代办人须为成年人且不能是持卡人本人",
                      "The agent must be an adult other than the holder")


def temporary_card(policy: PolicyProfile, card, replacement_pending: bool, today: dt.date) -> dt.date:
    """Valid-until date of a temporary card issued while a replacement is made (no financial function)."""
    if policy.temporary_card_months is None:
        raise Refusal(409, "not_offered_in_region", "本地区不办理临时卡", "Temporary cards are not offered here")
    if not replacement_pending:
        raise Refusal(409, "no_replacement_pending", "补换卡期间方可申领临时卡",
                      "A temporary card is issued only while a replacement is being made")
    month = today.month - 1 + policy.temporary_card_months
    year, month = today.year + month // 12, month % 12 + 1
    day = min(today.day, 28)
    return dt.date(year, month, day)
