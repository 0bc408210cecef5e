"""Card states in words a citizen understands, with what to do next (domain.md, "Card states")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class StateText:
    label_zh: str
    label_en: str
    advice_zh: str
    advice_en: str
    tone: str            # good | warn | bad: the colour a screen uses


STATES = {
    "normal": StateText("正常", "Normal", "您的社保卡状态正常，可以正常使用。",
                        "Your card is in normal use.", "good"),
    # activation needs the card and the ID card (seeds/002, 003); the bank side is activated at the bank only,
    # and until then contributions and benefits through the card do not work (002 "只有在办理金融账户激活手续后…")
    "sealed": StateText("未启用", "Not yet activated",
                        "社保卡已发放，社保功能尚未启用。请持本人身份证和社保卡，在本机选择“启用社保卡”设置密码。"
                        "银行账户（金融功能）须到合作银行网点激活。",
                        "The card has been issued but not activated. With your ID card and the card, choose "
                        "'Activate your card' on this kiosk to set its PIN. The bank account is activated at a "
                        "branch of the partner bank.", "warn"),
    "temp_lost": StateText("临时挂失", "Temporarily reported lost",
                           "您的社保卡已临时挂失，到期自动解除。若卡片确已丢失，请办理正式挂失并补卡。",
                           "The card is temporarily reported lost and the report lapses by itself. If the card "
                           "is really lost, make a formal loss report and apply for a replacement.", "warn"),
    "lost": StateText("正式挂失", "Reported lost", "您的社保卡已正式挂失，请办理补卡。",
                      "The card is reported lost; please apply for a replacement.", "bad"),
    "pin_locked": StateText("密码锁定", "PIN locked",
                            "连续6次输错密码，社保功能已锁定。请持身份证和社保卡办理密码解锁。",
                            "The PIN was entered wrongly 6 times and is locked. Unlock it with your ID card "
                            "and social security card.", "bad"),
    "cancelled": StateText("已注销", "Cancelled", "此卡已注销，不能再使用。如需用卡，请到窗口咨询。",
                           "This card has been cancelled. Please ask at a counter.", "bad"),
    # a card a kiosk is making now, and one that was never handed over (kiosk/backend/card_states.py): a status
    # query never shows them (the service's current card skips them), a card number typed at a counter may
    "issuing": StateText("制卡中", "Being made", "此卡正在制作，尚未交付，请取卡后再办理其他业务。",
                         "This card is still being made; take it first, then use other services.", "warn"),
    "void": StateText("已作废", "Void", "此卡号的制卡未完成，已作废，不能使用。如有疑问，请持身份证到窗口咨询。",
                      "This card number was never handed over and is void. Please ask at a counter with your ID "
                      "card.", "bad"),
}
APPLICATIONS = {
    "producing": StateText("制卡中", "Being made", "您的社保卡申请已受理，正在制卡，请耐心等待领卡通知。",
                           "Your application was accepted and the card is being made; you will be told when "
                           "to collect it.", "warn"),
    "ready": StateText("待领取", "Ready for collection", "您的社保卡已制成，请携带身份证到网点领取。",
                       "Your card is ready; collect it at the outlet with your ID card.", "good"),
}
# the service's mark on a card whose last PIN command was cut off (kiosk/backend/pin_outcomes.py)
PIN_OUTCOME_UNKNOWN = StateText("密码操作结果未确认", "PIN change outcome unknown",
                                "您上次的密码操作因故中断，结果未确认。请用新设置的密码试用，本机或窗口会据此核实；"
                                "如无法使用，请到窗口办理。",
                                "Your last PIN change was cut off and its outcome is not confirmed. Try the new PIN: "
                                "this kiosk or a counter settles it from that; if it does not work, go to a counter.",
                                "warn")
# this kiosk makes cards (registry "issue"): someone with none is told to apply here, not sent to a counter
NO_CARD = StateText("未申领", "No card", "您尚未申领本省社保卡。可在本机选择“申领社保卡”，立等可取。",
                    "You have no social security card of this province yet. Choose 'Apply for a card' on this "
                    "kiosk: it is made while you wait.", "warn")


# where the kiosk cannot activate (its region's initial PIN is not known: the tile is hidden)
SEALED_AT_COUNTER = StateText("未启用", "Not yet activated",
                              "社保卡已发放，社保功能尚未启用。请持本人身份证和社保卡到社保服务窗口办理启用。"
                              "银行账户（金融功能）须到合作银行网点激活。",
                              "The card has been issued but not activated. Activate it at a social-security "
                              "counter with your ID card and the card. The bank account is activated at a branch "
                              "of the partner bank.", "warn")


def describe(card_state: str | None, application_state: str | None, kiosk_activates: bool = True) -> StateText:
    if card_state == "sealed" and not kiosk_activates:
        return SEALED_AT_COUNTER
    if card_state is not None:
        return STATES.get(card_state, StateText(card_state, card_state, "请到窗口咨询。",
                                                "Please ask at a counter.", "warn"))
    if application_state is not None:
        return APPLICATIONS.get(application_state, NO_CARD)
    return NO_CARD


# The card's validity end (seeds/000: 10 years; after it "社会保障功能仍可正常使用", while the named banks'
# financial functions are limited and the card must be replaced; 001: renewal from 60 days before expiry).
EXPIRING = ("社保卡即将到期", "Card expires soon",
            "您的社保卡将于{date}到期，现在即可在本机选择“补卡换卡”办理换卡。",
            "Your card expires on {date}; you can renew it now on this kiosk ('Replace or renew').")
EXPIRED = ("社保卡已过有效期", "Card expired",
           "您的社保卡已于{date}到期：社保功能仍可正常使用，部分银行的金融功能会受限。请在本机选择“补卡换卡”换卡，"
           "或到发卡银行网点咨询。",
           "Your card expired on {date}: its social security function still works, but some banks limit its "
           "bank functions. Renew it on this kiosk ('Replace or renew') or ask your issuing bank.")


# seeds/000 (Xi'an): "如果您的社保卡发卡银行是农业银行、交通银行、邮储银行，到期后金融功能均可正常使用，不用换卡；如果
# …是工商银行、中国银行…华夏银行，到期后社保卡金融功能将受到限制，需要办理换卡业务…二代卡补换三代卡首次免收手续费"
KEEPS_WORKING = ("您的社保卡由{bank}发卡：到期后金融功能仍可正常使用，可不换卡。",
                 "Your card was issued by {bank}: its bank functions keep working after expiry, so it need not be "
                 "renewed.")
MUST_RENEW = ("您的社保卡由{bank}发卡：到期后金融功能将受到限制，需要换卡。",
              "Your card was issued by {bank}: its bank functions are limited after expiry, so it must be renewed.")
FREE_SWAP = ("二代卡首次换领三代卡免收手续费。", "The first swap of a 2nd-generation card for a 3rd-generation one is free.")


def expiry_advice(expiry_date: dt.date | None, today: dt.date, policy, bank: str | None = None,
                  generation: int | None = None) -> StateText | None:
    """What the card's expiry means now: nothing until the renewal window opens; then the date, and — where
    the region names the banks — what this card's bank does after it."""
    if expiry_date is None:
        return None
    days = (expiry_date - today).days
    if days > policy.renewal_window_days:
        return None
    label_zh, label_en, zh, en = EXPIRED if days < 0 else EXPIRING
    zh, en = zh.format(date=f"{expiry_date:%Y年%m月%d日}"), en.format(date=expiry_date.isoformat())
    if bank and bank in policy.expiry_keeps_working_banks:
        zh, en = zh + KEEPS_WORKING[0].format(bank=bank), en + " " + KEEPS_WORKING[1].format(bank=bank)
    elif bank and bank in policy.generation_swap_free_banks:
        zh, en = zh + MUST_RENEW[0].format(bank=bank), en + " " + MUST_RENEW[1].format(bank=bank)
        if generation == 2:
            zh, en = zh + FREE_SWAP[0], en + " " + FREE_SWAP[1]
    return StateText(label_zh, label_en, zh, en, "warn")
