"""The business rules of domain.md, as pure functions over records and the region's policy profile.
Each refusal is a :class:`Refusal` with a machine-readable code and citizen-facing text in both languages."""
from __future__ import annotations

import datetime as dt

from kiosk import dates, idnumber
from kiosk.policy import PolicyProfile

REPLACEMENT_REASONS = ("lost", "damaged", "unreadable", "changed_appearance", "changed_data", "mismatch",
                       "upgrade", "photo")


class Refusal(Exception):
    def __init__(self, status: int, code: str, zh: str, en: str):
        super().__init__(code)
        self.status, self.code, self.zh, self.en = status, code, zh, en


CARD_VALIDITY_YEARS = 10     # seeds/000 "社保卡10年到期后…"; domain.md "Validity 10 years"


def card_expiry(issued: dt.date) -> dt.date:
    """The last day of a card issued on ``issued`` (a card issued on 29 February: 28 February, kiosk/dates.py)."""
    return dates.add_years(issued, CARD_VALIDITY_YEARS)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_of(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def require_insured(person, policy: PolicyProfile | None = None) -> None:
    """Who may apply is the region's (policy.not_insured_words: 002 any insured person; 003 "参保或就业"; 004
    "本省户籍人员或…"). The service knows insurance only; employment and household registration are shown at a
    counter, so the words name it and what to bring."""
    if person is None or not person["insured"]:
        zh, en = (policy.not_insured_words if policy is not None and policy.not_insured_words else
                  ("您尚未参保，请先办理参保登记后再申领社保卡",
                   "You are not insured in this province; please enrol first, then apply"))
        raise Refusal(409, "not_insured", zh, en)


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


def require_recorded_name(person, name_on_id: str | None) -> None:
    """A card's chip and face are both made from the service's record, so the record must carry the name the
    ID card shows. seeds/002: "持卡人的姓名、身份证号发生变更时，须及时到人力资源社会保障业务经办机构办理个人信息变更
    后到社会保障卡服务窗口换卡" — the change is recorded at the agency first, then the card is made."""
    if name_on_id is not None and name_on_id != person["name"]:
        raise Refusal(409, "record_not_updated",
                      "您身份证上的姓名与社保登记信息不一致，暂不能制卡。请先携带本人身份证原件和社保卡到参保地社保经办机构"
                      "办理个人信息变更，变更后再来补换卡",
                      "The name on your ID card differs from your social insurance record, so no card can be made "
                      "yet. First take your ID card and your social security card to the social insurance agency "
                      "where you are insured to have the change recorded, then come back for the new card")


def new_card(policy: PolicyProfile, person, current_card, open_application, photo: bool, guardian: str | None,
             today: dt.date) -> None:
    require_insured(person, policy)
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


GENERATION_SWAP_WAIVER = "first_gen3_swap"


def generation_swap_waived(policy: PolicyProfile, card, swap_used: bool, today: dt.date) -> bool:
    """Xi'an's free first 2nd→3rd-generation swap. seeds/000: "如果您的社保卡发卡银行是工商银行、中国银行、建设银行、
    光大银行、秦农银行、招商银行、中信银行、华夏银行，到期后银行部分金融功能会受影响，需要办理换卡业务…二代卡补换三代卡
    首次免收手续费". So: a 2nd-generation card (every card made now is 3rd generation) of one of those banks, once
    it is due, and only the first time. What the seed leaves open — any reason, from the renewal window, an
    unknown generation — is the profile's documented decision (policy.decisions)."""
    card = dict(card)
    if swap_used or card.get("generation") != 2 or card.get("bank") not in policy.generation_swap_free_banks:
        return False
    expiry = dt.date.fromisoformat(card["expiry_date"])
    return (expiry - today).days <= policy.renewal_window_days


def replacement_fee(policy: PolicyProfile, card, swap_used: bool, today: dt.date, what: str = "补换卡") -> int:
    """The fee in fen of replacing or renewing ``card`` today: 0 when the generation swap is waived, else the
    region's (seeds/000 point 3: "社保卡补换卡工本费为20元/张"; seeds/002: set by the provincial price
    authority, so None where no profile states it: the counter, not this kiosk)."""
    if generation_swap_waived(policy, card, swap_used, today):
        return 0
    if policy.replacement_fee_yuan is None:
        raise Refusal(409, "fee_not_configured", f"本地区{what}收费标准未配置，请携带身份证到社保卡服务窗口办理",
                      f"The {'renewal' if what == '换卡' else 'replacement'} fee of this region is not configured; "
                      "please go to a social security card counter with your ID card")
    return policy.replacement_fee_yuan * 100


def photo_card_due(policy: PolicyProfile, person, card, today: dt.date) -> bool:
    """seeds/003 "未满7周岁的未成年人申办社会保障卡可不提供照片,满7周岁后需及时申请换发含照片的社会保障卡": a card
    recorded without a photo (photo = 0; unknown counts as with one), its holder now 7 or older."""
    return dict(card).get("photo") == 0 and \
        age_on(birth_of(person["id_number"]), today) >= policy.photo_exempt_below_age


def replacement(policy: PolicyProfile, person, card, open_application, reason: str, guardian: str | None,
                today: dt.date, swap_used: bool = False, photo: bool | None = None) -> int:
    """Checks a replacement and returns its fee in fen (0 when free). ``swap_used``: this person was granted
    the free generation swap before; ``photo``: the new card's face will carry one."""
    require_insured(person, policy)
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
    if reason == "upgrade" and dict(card).get("generation") != 2:
        # a swap is from the 2nd generation (seeds/000 "二代卡补换三代卡"); a 3rd-generation card, or one whose
        # generation the record does not know, has nothing to swap
        raise Refusal(409, "not_second_generation", "此卡不是第二代社保卡，无需换代；如卡片损坏或到期，请选择相应原因",
                      "This is not a 2nd-generation card, so there is nothing to swap; if it is damaged or "
                      "expiring, choose that reason")
    if reason == "photo":
        if not photo_card_due(policy, person, card, today):
            raise Refusal(409, "photo_card_not_due", f"此卡无需换发照片卡：仅未满{policy.photo_exempt_below_age}周岁时"
                          f"办理的无照片社保卡，在持卡人满{policy.photo_exempt_below_age}周岁后换发",
                          f"No photo card is due: a card made without a photo is replaced once its holder turns "
                          f"{policy.photo_exempt_below_age}")
        if not photo:
            raise Refusal(422, "photo_required", "换发含照片的社保卡须采集本人近期照片，请到社保卡服务窗口办理",
                          "A card with a photo needs a recent photo of the holder; please go to a social security "
                          "card counter")
    require_guardian(policy, person["id_number"], guardian, today)
    return replacement_fee(policy, card, swap_used, today)


def renewal(policy: PolicyProfile, person, card, open_application, guardian: str | None, today: dt.date,
            swap_used: bool = False) -> int:
    require_insured(person, policy)
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
    return replacement_fee(policy, card, swap_used, today, "换卡")


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
        # an accepted replacement (paid or free), not an unpaid one: the service decides which count
        raise Refusal(409, "already_replaced", "此卡的补卡申请已受理，不能再解除挂失。请持身份证在自助机“补卡换卡”中"
                      "继续制卡，或到社保卡服务窗口办理",
                      "A replacement of this card has been accepted, so the loss report can no longer be released. "
                      "Continue it with your ID card under \"Replace or renew\" at a kiosk, or go to a social "
                      "security card counter")
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
    return dates.add_months(today, policy.temporary_card_months)
