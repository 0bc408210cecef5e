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
    # 人证核验: the services that first check the person at the camera against the ID card's photo (the
    # holder, or whoever acts for them) — a found ID card must not be enough to get a card or a PIN. The
    # seeds do not list them; the project's default (FACE_CHECK_DECISION) is every service that makes a card,
    # sets a PIN, unlocks, or blocks/unblocks a card for good; a temporary loss report is not among them
    # (it must stay quick, and it can only protect the holder).
    face_check_services: tuple[str, ...] = ("issue", "replace", "reset_pin", "unlock", "loss_formal", "release",
                                            "activate")
    # the largest descriptor distance (kiosk/faces/engine.py) that counts as the same person: stricter than
    # dlib's 0.6, as a false accept hands a card to a stranger (bench/faces.py measures both error kinds)
    face_match_threshold: float = 0.5
    # Xi'an (seeds/000): a 2nd-generation card of these banks must be replaced once it has expired, and that
    # first 2nd→3rd-generation swap is free ("二代卡补换三代卡首次免收手续费"); kiosk/backend/rules.py applies it
    generation_swap_free_banks: tuple[str, ...] = ()
    # …and the cards of these banks keep their financial functions after expiry: no replacement is needed
    expiry_keeps_working_banks: tuple[str, ...] = ()
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
    # an application with a fee not paid within this many hours ends (void, its order no longer payable): an
    # abandoned one must not block a release or a new application for ever. The seeds say nothing (see
    # UNPAID_APPLICATION_DECISION); a province's own system may keep one longer.
    unpaid_application_hours: int = 24
    # who may apply, in the region's words, said to someone the service does not know as insured (zh, en)
    not_insured_words: tuple[str, str] | None = None
    # rules the seeds leave open and the project decided, each with its reason (shown to reviewers, not citizens)
    decisions: tuple[str, ...] = ()
    # the issuing authority printed on the card face (发卡机构), with the words of the seed that names it
    card_issuer: str = ""
    card_issuer_source: str = ""


UNPAID_APPLICATION_DECISION = (
    "unpaid_application_hours=24: not stated in the seeds; project decision. The kiosk waits 3 minutes for a "
    "payment (flows/replacement.py PAY_TIMEOUT_S); a payment confirmed late on the phone is still taken that day, "
    "and the citizen's next visit continues the paid application. After 24 hours the application is void and its "
    "order can no longer be paid; meanwhile an unpaid application never blocks a release or a new application "
    "(domain.md §7: 'an application that was never paid or was abandoned is not a replacement'), and a new one "
    "voids it.")

PHOTO_CARD_DECISION = (
    "photo card after turning 7 (reason 'photo'): seeds/003 states the duty ('满7周岁后需及时申请换发含照片的社会保障卡') "
    "but no fee, and no seed exempts it from the 补换卡 fee; project decision: the region's replacement fee applies "
    "(Shaanxi 20 yuan, seeds/000 point 3; where no fee is configured, the counter). Offered only for a card the "
    "record shows without a photo whose holder is photo_exempt_below_age or older.")

NEW_CARD_FEE_DECISION = (
    "first card fee: no seed states a fee, or its absence, for a first card (seeds/000's 20 yuan is the 补换卡 "
    "工本费); the reference service sets none (fee 0) and the kiosk's confirmation repeats the service's fee "
    "('本次申领无需缴费') instead of claiming the card is free; a fee the service did set sends the citizen to a "
    "counter, as the new-card journey takes no payment.")

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
    "a PIN lock on a sealed card keeps it sealed underneath, and a kiosk's unlock or reset of it is its "
    "activation too: both set a new PIN the holder chose (never the initial one) with the card and the ID card "
    "read, which is all an activation is (seeds/000 \"社保功能激活是指更改社保卡的初始密码\"; 002, 003); left sealed, "
    "the card would have no way out, its initial PIN gone. A lock, an unlock or an activation the chip reports "
    "while a loss report stands changes the state under the report, which stays",
)

PROFILES = {
    "shaanxi": PolicyProfile("shaanxi", "陕西省（西安）", "610100", initial_pin="666666",
                             guardian_below_age=18, temp_loss_lapse_days=7, replacement_fee_yuan=20,
                             sources=("seeds/000 (Xi'an: initial PIN 666666, 7-day lapse, 20 yuan fee, first "
                                      "2nd→3rd generation swap free, cancellation: bank first)",),
                             # seeds/000 "如果您的社保卡发卡银行是农业银行、交通银行、邮储银行，到期后金融功能均可正常
                             # 使用，不用换卡；如果您的社保卡发卡银行是工商银行、中国银行、建设银行、光大银行、秦农银行、
                             # 招商银行、中信银行、华夏银行，到期后…需要办理换卡业务…二代卡补换三代卡首次免收手续费"
                             generation_swap_free_banks=("工商银行", "中国银行", "建设银行", "光大银行", "秦农银行",
                                                         "招商银行", "中信银行", "华夏银行"),
                             expiry_keeps_working_banks=("农业银行", "交通银行", "邮储银行"),
                             decisions=("guardian_below_age=18: not stated in the seeds; project decision after the "
                                        "Civil Code (民法典 art. 17: adults are 18 or older; art. 27: parents are "
                                        "a minor's guardians)",
                                        "reset_clears_pin_lock=False: not stated; project decision, as Henan "
                                        "(seeds/002): a locked PIN is cleared by the unlock service",
                                        UNPAID_APPLICATION_DECISION, PHOTO_CARD_DECISION,
                                        NEW_CARD_FEE_DECISION,
                                        "generation swap fee (seeds/000 says only: the listed banks' cards need "
                                        "replacing after expiry, and '二代卡补换三代卡首次免收手续费'): the fee is "
                                        "waived for any replacement or renewal (补 and 换 alike) of a 2nd-generation "
                                        "card of those banks once it is due — expired, or inside the 60-day renewal "
                                        "window (seeds/001), so renewing on time costs nothing more than renewing "
                                        "late — and only the first time this person is granted it (recorded with the "
                                        "application). Everything else pays the 20 yuan 补换卡工本费 (seeds/000 "
                                        "point 3): a still-valid 2nd-generation card swapped early ('upgrade'), and "
                                        "cards of 农行/交行/邮储, which keep working after expiry and need no "
                                        "replacement. A card the record does not show as 2nd generation (unknown "
                                        "generation) gets no swap and no waiver.") + STATE_DECISIONS,
                             # the full name is not in seeds/000, which names the department by its documents
                             # (陕人社发〔2014〕49号《陕西省社会保障卡管理办法》) and has cards issued by "各地人力资源
                             # 社会保障部门"; domain.md: a card is issued by the provincial department
                             card_issuer="陕西省人力资源和社会保障厅",
                             card_issuer_source="seeds/000 \"陕人社发〔2014〕49号《陕西省社会保障卡管理办法》\" "
                                                "(the department by its documents' prefix; the full name inferred)"),
    "henan": PolicyProfile("henan", "河南省", "410100", initial_pin="123456", guardian_below_age=16,
                           # seeds/004 "本省户籍人员或…在本省参加社会保险的人员"; 002: any insurance scheme
                           not_insured_words=("在本省参加社会保险的人员或本省户籍人员可申领社保卡。系统未查到您的参保信息："
                                              "本省户籍人员请持身份证和户口簿到社会保障卡服务窗口申领，其他人员请先办理参保登记",
                                              "Anyone insured in Henan, or with a Henan household registration, may "
                                              "apply. You are not on record as insured: with a Henan household "
                                              "registration, apply at a social security card counter with your ID "
                                              "card and household register; otherwise enrol in an insurance scheme "
                                              "first"),
                           temp_loss_lapse_days=None, replacement_fee_yuan=None,
                           sources=("seeds/002, seeds/004 (initial PIN 123456, guardian under 16, temporary "
                                    "card valid 3 months; reset and unlock are separate; cancellation after the "
                                    "bank business is settled)",), temporary_card_months=3,
                           decisions=(UNPAID_APPLICATION_DECISION, PHOTO_CARD_DECISION, NEW_CARD_FEE_DECISION,
                                      "temp_loss_lapse_days=None: no temporary (lapsing) loss report in Henan. The "
                                      "seeds name one loss report (seeds/004 \"拨打人社服务热线12333或前往社会保障卡网点"
                                      "办理挂失，也可以通过…线上服务渠道办理\"; seeds/002 \"到社会保障卡服务窗口，或通过12333"
                                      "…办理社保账户挂失\"), ended only by 解除挂失 \"持社会保障卡、身份证件\" or a "
                                      "replacement (seeds/002), and none says it lapses. A lapse period taken from "
                                      "another province would start a card its holder believes stopped again by "
                                      "itself; so a Henan report does not lapse: the kiosk offers the report that "
                                      "lasts (formal, the ID card read), and a request for a temporary one is "
                                      "refused with words that name that report, the counter and 12333",)
                           + STATE_DECISIONS,
                           card_issuer="河南省人力资源和社会保障厅",
                           card_issuer_source="seeds/002 \"河南省社会保障卡由国家统一规划，省人力资源和社会保障厅面向"
                                              "社会公众发行\"; seeds/004 \"河南省人力资源和社会保障厅门户网站\""),
    "sichuan": PolicyProfile("sichuan", "四川省", "510100", initial_pin=None, guardian_below_age=18,
                             # seeds/003 "在本省参保或就业的人员"
                             not_insured_words=("在本省参保或就业的人员可申领社保卡。系统未查到您的参保信息：已在本省就业的，"
                                                "请持身份证和劳动合同等就业证明到社会保障卡服务窗口申领；其他人员请先办理参保登记",
                                                "Anyone insured or employed in Sichuan may apply. You are not on "
                                                "record as insured: if you work in Sichuan, apply at a social "
                                                "security card counter with your ID card and proof of employment "
                                                "(e.g. your labour contract); otherwise enrol first"),
                             temp_loss_lapse_days=7, replacement_fee_yuan=None,
                             sources=("seeds/003 (guardian under 18, 7-day lapse, reset also for a locked card, "
                                      "cancellation: social-security side first, then the bank)",),
                             reset_clears_pin_lock=True, cancellation_bank_first=False,
                             decisions=(UNPAID_APPLICATION_DECISION, PHOTO_CARD_DECISION,
                                      NEW_CARD_FEE_DECISION) + STATE_DECISIONS,
                             card_issuer="四川省人力资源和社会保障厅",
                             card_issuer_source="seeds/003, signed \"四川省人力资源和社会保障厅\" (its "
                                                "\"走近 社会保障卡\" leaflet)"),
}


def profile(key: str) -> PolicyProfile:
    try:
        return PROFILES[key]
    except KeyError:
        raise ValueError(f"unknown policy profile {key!r}; known: {', '.join(sorted(PROFILES))}") from None
