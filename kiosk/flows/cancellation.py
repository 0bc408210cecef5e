"""Cancel a card (注销, domain.md §12): the kiosk explains, it never performs. A cancellation ends the
social-security function and the e-card (seeds/001, 004) and closes a bank account, so it is done at a
counter and at the bank, with papers the kiosk cannot check (death certificate, proof of emigration or of
the pension transfer).

The order of the two halves is regional (policy.cancellation_bank_first): Xi'an sends the holder to the
bank first, then to the social-security counter (seeds/000), and Henan cancels only once all bank business
is settled (seeds/002); Sichuan says the social-security side first, then the bank (seeds/003).
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk import receipts
from kiosk.flows.base import Devices, now
from kiosk.flows.steps import finish
from kiosk.i18n import _, both, join
from kiosk.journal import new_txn_id
from kiosk.policy import PolicyProfile

NEEDS: tuple[str, ...] = ()      # explaining needs no device; printing asks the printer itself


@dataclass(frozen=True)
class Text:
    zh: str
    en: str


@dataclass(frozen=True)
class Step:
    title: Text
    where: Text
    bring: Text


@dataclass(frozen=True)
class Guide:
    reasons: tuple[Text, ...]
    steps: tuple[Step, ...]       # in the order the holder must do them
    notes: tuple[Text, ...]


# seeds/000, 002, 003, 004 (domain.md "注销"): death, disappearance, settling abroad, giving up Chinese
# nationality, the pension transferred out of the province, a duplicate card, a card never collected
REASONS = (
    Text("持卡人死亡", "The holder has died"),
    Text("持卡人被宣告失踪", "The holder has been declared missing"),
    Text("出国（境）定居", "The holder has settled abroad"),
    Text("放弃中国国籍（转出国籍）", "The holder has given up Chinese nationality"),
    Text("养老保险关系转出本省", "The pension insurance has been transferred out of the province"),
    Text("省内持有多张社保卡，注销多余的卡", "The holder has more than one card in the province"),
    Text("超过领取期限未领卡", "The card was not collected in time"),
)
BANK = Step(Text("注销银行账户（金融功能）", "Close the bank account (financial function)"),
            Text("社保卡合作银行（卡面所示银行）任一网点", "Any branch of the partner bank named on the card"),
            Text("社保卡、本人有效身份证件（代办的另带代理人身份证件）、相关证明",
                 "The card, the holder's valid ID (and the agent's, for an agent), the supporting papers"))
SOCIAL = Step(Text("注销社会保障应用（社保功能）", "Cancel the social-security function"),
              Text("人社部门社会保障卡服务窗口", "A social security card counter of the HR and social security office"),
              Text("社保卡、本人有效身份证件（或代理人有效身份证件）、社会保险关系终止证明",
                   "The card, the holder's valid ID (or the agent's), proof that the insurance relation ended"))
NOTES = (
    Text("本机不能办理注销。", "Cancellation cannot be done at this kiosk."),
    Text("注销后社保功能终止，电子社保卡随之停用。", "After cancellation the social-security function and the "
                                                  "e-card stop working."),
    Text("银行交回的卡由银行统一销毁；账户资金按银行规定办理。", "The bank destroys the returned card; account "
                                                       "funds are handled under the bank's rules."),
    Text("详询12333。", "Ask 12333 for details."),
)
# Moving is not a cancellation (domain.md §13): within the province the card is kept and the new place's
# agency records the transfer (seeds/003 #10; 002 "省内转移社会保险关系时无需换卡"); moving to another province
# currently needs a new card there (001 Q7), where this province's card is then cancelled.
TRANSFER = Text("参保地转移：省内转移无需换卡，到新参保地经办机构办理转移即可；跨省转移须在新参保省份申领社保卡。",
                "Moving: within the province keep your card and register the transfer at the new place's "
                "office; moving to another province, apply for a card there.")


def guide(policy: PolicyProfile) -> Guide:
    steps = (BANK, SOCIAL) if policy.cancellation_bank_first else (SOCIAL, BANK)
    return Guide(REASONS, steps, NOTES)


class CancellationFlow:
    """Shows the guide; prints it when the holder wants it on paper. Needs no device but the printer."""

    def __init__(self, devices: Devices):
        self.devices = devices
        self.txn = new_txn_id(devices.kiosk_id)

    def check_devices(self) -> None:
        """Nothing is needed to explain; printing asks the printer itself."""

    def guide(self) -> Guide:
        return guide(self.devices.policy)

    def receipt(self):
        guide_ = self.guide()
        return receipts.cancellation_receipt(kiosk_id=self.devices.kiosk_id, txn=self.txn, when=now(),
                                             steps=[s.title.zh + "：" + s.where.zh + "（带：" + s.bring.zh + "）"
                                                    for s in guide_.steps],
                                             reasons=[r.zh for r in guide_.reasons], transfer=TRANSFER.zh)

    def wipe(self) -> None:
        """Nothing personal is held."""


def journey(devices: Devices, acting=None):
    """注销说明: the steps, in this region's order, and where each is done; printed if asked. Nothing is
    cancelled here (domain.md §12)."""
    flow = CancellationFlow(devices)
    guide = flow.guide()
    steps = [join(_("第{n}步：", n=i), both(s.title.zh, s.title.en), _("——"), both(s.where.zh, s.where.en))
             for i, s in enumerate(guide.steps, 1)]
    body = join(*[join(step, "\n") for step in steps], both(guide.notes[0].zh, guide.notes[0].en), "\n",
                both(TRANSFER.zh, TRANSFER.en))
    yield from finish(devices, _("注销须到窗口办理"), body, tone="info", receipt=flow.receipt, take=_("凭条"))
