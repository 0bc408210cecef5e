"""Regional policy profiles: every number in a rule comes from here, with its source (domain.md)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyProfile:
    key: str
    name: str
    region_code: str                 # 6-digit administrative code prefix of cards issued here
    initial_pin: str | None          # None: not stated in the seeds; the kiosk then cannot activate
    guardian_below_age: int | None
    temp_loss_lapse_days: int | None
    replacement_fee_yuan: int | None
    sources: tuple[str, ...]
    renewal_window_days: int = 60          # seeds/000, 001: renewal from 60 days before expiry
    photo_exempt_below_age: int = 7        # seeds/000-004: children under 7 need no photo
    free_generation_upgrade: bool = False  # Xi'an: the first 2nd→3rd-generation swap is free (seeds/000)
    formal_loss_releasable: bool = True    # Jilin: a formal loss report can no longer be released
    temporary_card_months: int | None = None   # a temporary card during replacement (Henan: 3 months, seeds/002)
    # a failed instant issuance: keep the fee with the open application (retry without paying again), or
    # refund it. The seeds say nothing; keeping it is the project's default, a province may choose otherwise.
    refund_fee_on_failed_issuance: bool = False
    # a PIN reset (密码重置) on a card whose PIN is locked also unlocks it: Sichuan names one service "for a
    # forgotten PIN or a locked card" (seeds/003); Henan has two procedures (seeds/002)
    reset_clears_pin_lock: bool = False
    # cancellation (注销): the bank account first, then the social-security side (seeds/000 Xi'an, seeds/002
    # Henan); Sichuan says the social-security side first, then the bank (seeds/003)
    cancellation_bank_first: bool = True
    # rules the seeds leave open and the project decided, each with its reason (shown to reviewers, not citizens)
    decisions: tuple[str, ...] = ()


# Card-state rules the seeds leave open, the same in every region (kiosk/backend/card_states.py holds the rules;
# each decision names it). Reviewers read them here with the region's own.
STATE_DECISIONS = (
    "temporary_loss_report from sealed and pin_locked: accepted. The seeds limit a loss report to no state "
    "(seeds/003 #08 \"持卡人因社会保障卡遗失，应及时办理…挂失\"; seeds/000 \"因持卡人未及时办理社会保障卡挂失而造成的损失，"
    "由持卡人承担\"): a sealed card is issued and its bank side may already work (financial activation is the "
    "bank's, seeds/002), a locked one still has its bank side and contactless use, so refusing would leave the "
    "holder unprotected. The report keeps the state it lies over, so a lapse or a release brings back sealed or "
    "locked (domain.md §6) and a report never activates or unlocks a card",
    "e-card of a sealed card: holder_authorisation_required. seeds/001 Q9 makes an e-card available once the "
    "physical card is collected and not cancelled (a sealed card is), and for new 3rd-generation cards \"经本人授权"
    "后直接使用电子社保卡\"; seeds/003 says a card not activated \"在人力资源社会保障业务中不能使用\", so it is not "
    "'fully usable' either (seeds/001 Q4 gives that to a normal card only)",
    "e-card of a PIN-locked card: holder_authorisation_required. seeds/001 Q4 asks \"实体社保卡挂失、锁定后，电子社保卡"
    "能否继续使用？\" and answers only for 正常, 临时挂失/挂失 (\"经本人授权可使用\") and 注销; a lock is named with the "
    "loss, and a chip locked by 6 wrong PINs (seeds/002) may mean someone else tried it, so the lock gets the "
    "loss's answer, not 'fully usable'",
    "a PIN lock on a sealed card keeps it sealed underneath: an unlock or a reset returns it to sealed, and only the "
    "activation (seeds/000 \"社保功能激活是指更改社保卡的初始密码\") makes it normal; a lock, an unlock or an "
    "activation the chip reports while a loss report stands changes the state under the report, which stays",
)

PROFILES = {
    "shaanxi": PolicyProfile("shaanxi", "陕西省（西安）", "610100", initial_pin="666666",
                             guardian_below_age=18, temp_loss_lapse_days=7, replacement_fee_yuan=20,
                             sources=("seeds/000 (Xi'an: initial PIN 666666, 7-day lapse, 20 yuan fee, first "
                                      "2nd→3rd generation swap free, cancellation: bank first)",),
                             free_generation_upgrade=True,
                             decisions=("guardian_below_age=18: not stated in the seeds; project decision after the "
                                        "Civil Code (民法典 art. 17: adults are 18 or older; art. 27: parents are "
                                        "a minor's guardians)",
                                        "reset_clears_pin_lock=False: not stated; project decision, as Henan "
                                        "(seeds/002): a locked PIN is cleared by the unlock service") + STATE_DECISIONS),
    "henan": PolicyProfile("henan", "河南省", "410100", initial_pin="123456", guardian_below_age=16,
                           temp_loss_lapse_days=None, replacement_fee_yuan=None,
                           sources=("seeds/002, seeds/004 (initial PIN 123456, guardian under 16, temporary "
                                    "card valid 3 months; reset and unlock are separate; cancellation after the "
                                    "bank business is settled)",), temporary_card_months=3,
                           decisions=("temp_loss_lapse_days=None: no temporary (lapsing) loss report in Henan. The "
                                      "seeds name one loss report (seeds/004 \"拨打人社服务热线12333或前往社会保障卡网点"
                                      "办理挂失，也可以通过…线上服务渠道办理\"; seeds/002 \"到社会保障卡服务窗口，或通过12333"
                                      "…办理社保账户挂失\"), ended only by 解除挂失 \"持社会保障卡、身份证件\" or a "
                                      "replacement (seeds/002), and none says it lapses. A lapse period taken from "
                                      "another province would start a card its holder believes stopped again by "
                                      "itself; so a Henan report does not lapse: the kiosk offers the report that "
                                      "lasts (formal, the ID card read), and a request for a temporary one is "
                                      "refused with words that name that report, the counter and 12333",)
                           + STATE_DECISIONS),
    "sichuan": PolicyProfile("sichuan", "四川省", "510100", initial_pin=None, guardian_below_age=18,
                             temp_loss_lapse_days=7, replacement_fee_yuan=None,
                             sources=("seeds/003 (guardian under 18, 7-day lapse, reset also for a locked card, "
                                      "cancellation: social-security side first, then the bank)",),
                             reset_clears_pin_lock=True, cancellation_bank_first=False, decisions=STATE_DECISIONS),
}


def profile(key: str) -> PolicyProfile:
    try:
        return PROFILES[key]
    except KeyError:
        raise ValueError(f"unknown policy profile {key!r}; known: {', '.join(sorted(PROFILES))}") from None
