"""Cancel a card (注销, domain.md §12): the kiosk explains, it never performs. A cancellation ends the
social-security function and the e-card (seeds/001, 004) and closes a bank account, so it is done at a
counter and at the bank, with papers the kiosk cannot check (death certificate, proof of emigration or of
the pension transfer).

The citizen chooses why (one short answer each), then sees two numbered steps in this region's order and a
"请携带" list for that reason: plain words, one thing a line, left-aligned (issue 14: centred prose with
"社会保障应用" and no word on what to bring sent people to queue twice).

The order of the two halves is regional (policy.cancellation_bank_first): Xi'an sends the holder to the
bank first, then to the social-security counter (seeds/000), and Henan cancels only once all bank business
is settled (seeds/002); Sichuan says the social-security side first, then the bank (seeds/003).
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk import receipts
from kiosk.flows.base import Devices, now
from kiosk.flows.steps import Choose, Option, finish
from kiosk.i18n import _, both
from kiosk.journal import new_txn_id
from kiosk.policy import PolicyProfile

NEEDS: tuple[str, ...] = ()      # explaining needs no device; printing asks the printer itself


@dataclass(frozen=True)
class Text:
    zh: str
    en: str


@dataclass(frozen=True)
class Step:
    title: Text          # what is done, in plain words
    where: Text
    bring: Text          # the receipt's short form of what to bring


@dataclass(frozen=True)
class Reason:
    key: str
    label: Text          # the answer button: short
    bring: tuple[Text, ...]     # the papers for this reason, besides the card and the ID cards (ALWAYS)


@dataclass(frozen=True)
class Guide:
    reasons: tuple[Text, ...]
    steps: tuple[Step, ...]       # in the order the holder must do them
    notes: tuple[Text, ...]


# What every cancellation needs: seeds/002 "应持社会保障卡、社会保险关系终止证明、本人有效身份证件(或代理人有效身份证
# 件)"; 000 "本人或代理人须持相关证明手续、社保卡、有效身份证件".
ALWAYS = (Text("社保卡", "The card"),
          Text("持卡人的身份证", "The holder's ID card"),
          Text("家人或他人代办的，带代办人本人的身份证", "Someone acting for the holder: their own ID card too"))
# The reasons (domain.md "注销": seeds/000, 002, 003, 004) and each one's own papers. The seeds name the papers
# only as "相关证明手续" (000) and "社会保险关系终止证明" (002); the words below say which proof that is for each
# reason, as a counter asks for it.
REASONS_BRING = (
    # 000 "因…死亡、失踪等被注销户籍的…须持相关证明手续": the death certificate or the household-register cancellation
    Reason("death", Text("持卡人去世", "The holder has died"),
           (Text("死亡证明或户口注销证明", "The death certificate or the hukou cancellation record"),)),
    # 000 (as above); a person is declared missing by a court (Civil Code art. 40): its judgment is the proof
    Reason("missing", Text("持卡人被宣告失踪", "The holder was declared missing"),
           (Text("法院宣告失踪的判决书", "The court's judgment declaring the holder missing"),)),
    # 002 "因死亡、出国定居等原因终止社会保险关系的，应持…社会保险关系终止证明"
    Reason("abroad", Text("出国（境）定居", "Settled abroad"),
           (Text("社会保险关系终止证明", "Proof that the social insurance has ended"),)),
    # 000 "人员转出国籍" + "相关证明手续"
    Reason("nationality", Text("放弃中国国籍", "Gave up Chinese nationality"),
           (Text("退出（丧失）中国国籍的证明", "Proof of giving up Chinese nationality"),)),
    # 000 "养老关系转出省外"
    Reason("pension_out", Text("养老保险转到外省", "Pension moved to another province"),
           (Text("养老保险关系转出的证明", "Proof that the pension insurance was moved out"),)),
    # 003 "在省内持有多个需注销多余卡的"; 001 Q "可去当地社保卡服务机构网点申请此卡的注销"
    Reason("duplicate", Text("有多张社保卡", "Has more than one card"),
           (Text("要注销的那张卡和正在用的卡", "The card to cancel and the one you keep using"),)),
    # 003 "超过社会保障卡领取期限未领卡的": nothing beyond the ID card
    Reason("uncollected", Text("超过期限没有领卡", "The card was never collected"), ()),
)
REASONS = tuple(reason.label for reason in REASONS_BRING)
BANK = Step(Text("注销银行账户", "Close the bank account"),
            Text("卡上印的银行（任一网点）", "the card's bank (any branch)"),
            Text("社保卡、本人有效身份证件（代办的另带代理人身份证件）、相关证明",
                 "The card, the holder's valid ID (and the agent's, for an agent), the supporting papers"))
SOCIAL = Step(Text("注销社保功能", "Cancel the card"),
              Text("社会保障卡服务窗口", "a social security card counter"),
              Text("社保卡、本人有效身份证件（或代理人有效身份证件）、社会保险关系终止证明",
                   "The card, the holder's valid ID (or the agent's), proof that the insurance has ended"))
NOTES = (
    Text("本机不能办理注销。", "This kiosk cannot cancel a card."),
    Text("注销后社保功能终止，电子社保卡随之停用。", "Once cancelled, the card and the e-card stop working."),
    Text("银行交回的卡由银行统一销毁；账户资金按银行规定办理。", "The bank destroys the card handed in; the money in "
                                                       "the account is paid out under the bank's rules."),
    Text("详询12333。", "For details, call 12333."),
)
# Moving is not a cancellation (domain.md §13): within the province the card is kept and the new place's
# agency records the transfer (seeds/003 #10; 002 "省内转移社会保险关系时无需换卡"); moving to another province
# currently needs a new card there (001 Q7), where this province's card is then cancelled.
TRANSFER = Text("参保地转移：省内转移无需换卡，到新参保地经办机构办理转移即可；跨省转移须在新参保省份申领社保卡。",
                "Moving: within the province, keep your card and register the move at the new place's social "
                "insurance office; moving to another province, apply for a card there.")
MOVING = "moving"


def guide(policy: PolicyProfile) -> Guide:
    steps = (BANK, SOCIAL) if policy.cancellation_bank_first else (SOCIAL, BANK)
    return Guide(REASONS, steps, NOTES)


class CancellationFlow:
    """Shows the guide; prints it when the holder wants it on paper. Needs no device but the printer."""

    def __init__(self, devices: Devices):
        self.devices = devices
        self.txn = new_txn_id(devices.kiosk_id)
        self.chosen: Reason | None = None        # the reason the citizen chose, for the receipt

    def check_devices(self) -> None:
        """Nothing is needed to explain; printing asks the printer itself."""

    def guide(self) -> Guide:
        return guide(self.devices.policy)

    def receipt(self):
        guide_ = self.guide()
        bring = "、".join(t.zh for t in bring_list(self.chosen)) if self.chosen else None
        return receipts.cancellation_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                             steps=[s.title.zh + "：" + s.where.zh + "（带：" + (bring or s.bring.zh)
                                                    + "）" for s in guide_.steps],
                                             reasons=[self.chosen.label.zh] if self.chosen else
                                             [r.zh for r in guide_.reasons], transfer=TRANSFER.zh)

    def wipe(self) -> None:
        """Nothing personal is held."""


def reason(key: str) -> Reason:
    return next(r for r in REASONS_BRING if r.key == key)


def bring_list(chosen: Reason) -> list[Text]:
    """What to bring for this reason: the card and the ID cards first, then this reason's own proof."""
    return [*ALWAYS[:2], *chosen.bring, ALWAYS[2]]


def journey(devices: Devices, acting=None):
    """注销说明: why (one short answer) → the two steps in this region's order, with where, and what to bring
    for that reason; printed if asked. Someone only moving is told they keep the card. Nothing is cancelled
    here (domain.md §12)."""
    flow = CancellationFlow(devices)
    guide = flow.guide()
    key = yield Choose(_("为什么要注销社保卡？"), _("本机不能办理注销。选择原因，看看要去哪里、带什么。"),
                       [*(Option(r.key, both(r.label.zh, r.label.en)) for r in REASONS_BRING),
                        Option(MOVING, _("只是搬家或换工作"))])
    if key == MOVING:
        yield from finish(devices, _("搬家不用注销社保卡"), both(TRANSFER.zh, TRANSFER.en), tone="info")
        return
    chosen = reason(key)
    flow.chosen = chosen
    yield from finish(devices, both(f"注销指引：{chosen.label.zh}", f"How to cancel: {chosen.label.en.lower()}"),
                      instructions(guide, chosen), tone="info", receipt=flow.receipt, take=_("凭条"))


def instructions(guide: Guide, chosen: Reason):
    """Numbered steps (where, what), then "请携带" one thing a line ("· ": the message screen left-aligns a
    list), then what the kiosk cannot do. Built per language: the line breaks are the layout."""
    def lines(lang: str) -> str:
        pick = (lambda t: t.zh) if lang == "zh" else (lambda t: t.en)
        step, bring = ("第{n}步：到{where}{what}", "请携带：") if lang == "zh" else ("Step {n}: {what} at {where}",
                                                                                 "Bring:")
        out = [step.format(n=i, where=pick(s.where), what=pick(s.title)) for i, s in enumerate(guide.steps, 1)]
        # "本机不能办理注销" was said on the question before; the receipt says it again with 12333
        out += [bring, *("· " + pick(t) for t in bring_list(chosen))]
        return "\n".join(out)
    return both(lines("zh"), lines("en"))
