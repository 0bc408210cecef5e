"""The card's states at the service, as one state machine: every change of a card's state is a transition
by name, allowed from the states it names and refused from the others with a typed refusal (a code and the
citizen's words in Chinese and English that say where to go and what to bring). The service's endpoints
(kiosk/backend/service.py) change a card only through :func:`move`; README.md's table of the machine is
generated from :data:`TRANSITIONS` (``python -m kiosk.backend.card_states --write README.md``).

A card's state is three columns of the ``cards`` table, because two of the states are layers over another:
- ``state``: what every reader sees (a kiosk, staff, a status query);
- ``before_loss``: under a loss report (temp_lost, lost), the state the card had before the report — a lapse
  or a release returns it there (domain.md §6: "A lapse or a release returns the card to the state it had
  before the report (sealed stays sealed, locked stays locked)");
- ``before_lock``: under a PIN lock, sealed or normal — an unlock or a reset returns it there, so a sealed
  card locked and unlocked is still sealed and is made usable only by its activation (domain.md §2).
What the chip reports while a loss report stands (a lock, an unlock, an activation, told by a kiosk after the
fact) changes the layer under the report, and the report stays: a card locked while reported lost comes
back locked at the release.

Rows written before these columns existed have NULL there; they are read as "normal", which is what the
service did for every lapse, release and unlock until then.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace

from kiosk.backend.rules import Refusal

# -- states -----------------------------------------------------------------------------------------------------
NEW = "new"                    # not a state of a card: the number does not exist yet (the issuance's source)
ISSUING = "issuing"            # a number given to a card a kiosk is making now (立等可取)
VOID = "void"                  # that card was never handed over (captured, jammed): the number is dead
SEALED = "sealed"              # 封存: issued, social-security function not yet enabled (seeds/001 Q3)
NORMAL = "normal"              # 正常
PIN_LOCKED = "pin_locked"      # 密码锁定: 6 wrong PINs in a row (seeds/002)
TEMP_LOST = "temp_lost"        # 临时挂失: lapses by itself (seeds/000, 003)
LOST = "lost"                  # 正式挂失 (seeds/001, 003)
CANCELLED = "cancelled"        # 注销 (seeds/000, 002, 003, 004)

STATES = (ISSUING, VOID, SEALED, NORMAL, PIN_LOCKED, TEMP_LOST, LOST, CANCELLED)
REPORTED = (TEMP_LOST, LOST)                       # the states a loss report puts over another
BASE = (SEALED, NORMAL, PIN_LOCKED)                # what a loss report can lie over
LIVE = (SEALED, NORMAL, PIN_LOCKED, TEMP_LOST, LOST)   # a card issued to its holder and not cancelled
FINAL = (VOID, CANCELLED)                          # nothing leaves these

# -- what a transition does from a state ---------------------------------------------------------------------
UNCHANGED = "(unchanged)"                          # recorded as an event; the state stays
RESTORE_REPORT = "(the state before the report)"   # takes a loss report off: before_loss
RESTORE_LOCK = "(the state before the lock)"       # takes a PIN lock off: before_lock
UNDER = "(kept; applied under it)"                 # a chip fact while a report or a lock stands


@dataclass(frozen=True)
class CardState:
    state: str
    before_loss: str | None = None
    before_lock: str | None = None

    @classmethod
    def of(cls, card) -> "CardState":
        """From a ``cards`` row (or its dict); NULL layers of older rows are read as normal."""
        keys = card.keys()
        state = card["state"]
        before_loss = card["before_loss"] if "before_loss" in keys else None
        before_lock = card["before_lock"] if "before_lock" in keys else None
        if state in REPORTED:
            before_loss = before_loss or NORMAL
        under = before_loss if state in REPORTED else state
        before_lock = (before_lock or NORMAL) if under == PIN_LOCKED else None
        return cls(state, before_loss if state in REPORTED else None, before_lock)

    def underneath(self) -> "CardState":
        """The layer under a loss report, or under a PIN lock (with what lies under that lock)."""
        if self.state in REPORTED:
            return CardState(self.before_loss, None, self.before_lock)
        if self.state == PIN_LOCKED:
            return CardState(self.before_lock)
        raise ValueError(f"nothing under {self.state}")

    def base(self) -> str:
        """The innermost state: sealed or normal (or the state itself when it is no layer)."""
        if self.state in REPORTED or self.state == PIN_LOCKED:
            return self.underneath().base()
        return self.state


class StateRefusal(Refusal):
    """A transition the card's state does not allow; ``transition`` and ``state`` name which and from where."""

    def __init__(self, code: str, zh: str, en: str, transition: str, state: str):
        super().__init__(409, code, zh, en)
        self.transition, self.state = transition, state


@dataclass(frozen=True)
class Words:
    code: str
    zh: str
    en: str


# the counter and what to bring, as the seeds name them (002 "社会保障卡服务窗口"; 003 "本人社会保障卡和身份证等有效身份
# 证件"); the hotline 12333 (000-004)
COUNTER_ZH, COUNTER_EN = "社会保障卡服务窗口", "a social security card service counter"
CANCELLED_WORDS = Words("card_cancelled",
                        f"此卡已注销，不能再使用。如需用卡，请持本人有效身份证件到{COUNTER_ZH}申领新卡",
                        f"This card is cancelled and cannot be used again. To get a card, apply for a new one at "
                        f"{COUNTER_EN} with your valid ID card")
VOID_WORDS = Words("card_void", f"此卡号已作废（制卡未完成），不能使用。请持本人有效身份证件到{COUNTER_ZH}咨询",
                   f"This card number is void (the card was never handed over). Please ask at {COUNTER_EN} "
                   "with your valid ID card")
ISSUING_WORDS = Words("card_not_issued", "此卡正在制卡，尚未交付，请取卡后再办理",
                      "This card is still being made and has not been handed over; take the card first")
NOT_ISSUING_WORDS = Words("not_issuing", f"此卡不在制卡过程中，请到{COUNTER_ZH}咨询",
                          f"This card is not being issued; please ask at {COUNTER_EN}")
TEMP_REPORTED_WORDS = Words("already_reported",
                            f"此卡已临时挂失，到期将自动解除。如确已丢失，请持本人有效身份证件办理正式挂失（本机“社保卡挂失”或"
                            f"{COUNTER_ZH}）",
                            "This card is already temporarily reported lost and the report lapses by itself. If it "
                            "is really lost, make a formal report with your valid ID card (here: 'Report a lost "
                            f"card', or at {COUNTER_EN})")
LOST_REPORTED_WORDS = Words("already_reported",
                            f"此卡已正式挂失，原卡已停用，无需再次挂失。请持本人有效身份证件申请补卡（本机“补卡换卡”或{COUNTER_ZH}）",
                            "This card is already formally reported lost and stopped; there is nothing more to "
                            "report. Apply for a replacement with your valid ID card (here: 'Replace or renew', or "
                            f"at {COUNTER_EN})")
NOT_REPORTED_WORDS = Words("not_reported", "此卡未挂失，无需解除挂失。如有疑问，请持本人有效身份证件和社保卡到"
                           f"{COUNTER_ZH}咨询",
                           "This card is not reported lost, so there is nothing to release. If in doubt, ask at "
                           f"{COUNTER_EN} with your valid ID card and the card")
NOT_ACTIVATED_WORDS = Words("not_activated", "此卡尚未启用社保功能：首次修改密码即为启用，须持本人社保卡和有效身份证件办理"
                            "（本机“启用社保卡”或社会保障卡服务窗口）",
                            "This card is not activated yet: its first PIN change is the activation, made with the "
                            "card and your valid ID card (here: 'Activate your card', or at a counter)")

# the refusal from a state no transition of a live card may leave
DEFAULT_REFUSALS = {CANCELLED: CANCELLED_WORDS, VOID: VOID_WORDS, ISSUING: ISSUING_WORDS,
                    NEW: Words("card_not_found", f"未找到此社保卡的记录，请到{COUNTER_ZH}办理",
                               f"No record of this card; please go to {COUNTER_EN}")}


@dataclass(frozen=True)
class Transition:
    name: str
    zh: str                              # the act as the seeds call it
    by: str                              # who makes it happen (the README's table)
    moves: dict                          # from state → target: a state or UNCHANGED / RESTORE_* / UNDER
    source: str                          # seed file and a short quote, or the project's decision and why
    refusals: dict                       # from state → Words, where the default would not say enough

    def refusal(self, state: str) -> Words:
        if state in self.refusals:
            return self.refusals[state]
        if state in DEFAULT_REFUSALS:
            return DEFAULT_REFUSALS[state]
        # a transition named where it has no meaning (a service bug, not a citizen's request)
        return Words("state_conflict", f"此卡当前状态不能办理此业务，请持本人有效身份证件和社保卡到{COUNTER_ZH}咨询",
                     f"This cannot be done in the card's present state; please ask at {COUNTER_EN} with your "
                     "valid ID card and the card")


def _t(name, zh, by, moves, source, refusals=None) -> Transition:
    return Transition(name, zh, by, dict(moves), source, dict(refusals or {}))


# A chip fact (the card told a kiosk, which tells the service after the fact): from a reported card it changes
# the state under the report, which a lapse or a release brings back.
_CHIP_UNDER_REPORT = {TEMP_LOST: UNDER, LOST: UNDER}

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    _t("issuance_started", "即时制卡开始", "kiosk (instant issuance)", {NEW: ISSUING},
       "seeds/001 \"立等可取\": a number for the card a kiosk makes now"),
    _t("issuance_confirmed", "领卡", "kiosk (the citizen took the card)", {ISSUING: SEALED},
       "seeds/001 Q3 \"社保功能还未启用\": a card is issued sealed", {s: NOT_ISSUING_WORDS for s in STATES}),
    _t("issuance_voided", "制卡作废", "kiosk (the card was captured)", {ISSUING: VOID},
       "project: a number whose card never reached the holder is never reused", {s: NOT_ISSUING_WORDS for s in STATES}),
    _t("activation", "社保功能激活", "card (first PIN change, with the ID card)",
       {SEALED: NORMAL, PIN_LOCKED: UNDER, **_CHIP_UNDER_REPORT},
       "seeds/000 \"社保功能激活是指更改社保卡的初始密码\"; a locked or reported card keeps that state, activated under it",
       {NORMAL: Words("already_activated", "此卡社保功能已启用，无需再次启用",
                      "This card is already activated")}),
    _t("pin_changed", "密码修改", "card", {NORMAL: UNCHANGED, PIN_LOCKED: UNCHANGED, **_CHIP_UNDER_REPORT},
       "seeds/003 #06 \"在已知…密码的情况下…密码修改\"; a lock is taken off only by an unlock or a reset",
       {SEALED: NOT_ACTIVATED_WORDS}),
    _t("wrong_pin", "密码错误", "card", {s: UNCHANGED for s in LIVE}, "seeds/002 \"连续6次输入错误\": counted by the chip"),
    _t("pin_locked", "密码锁定", "card (6 wrong PINs in a row)",
       {SEALED: PIN_LOCKED, NORMAL: PIN_LOCKED, PIN_LOCKED: UNCHANGED, **_CHIP_UNDER_REPORT},
       "seeds/002 \"连续6次输入错误，该卡将不能使用，并提示密码锁定\""),
    _t("unlock", "密码解锁", "card (with the ID card)",
       {PIN_LOCKED: RESTORE_LOCK, SEALED: UNCHANGED, NORMAL: UNCHANGED, **_CHIP_UNDER_REPORT},
       "seeds/002 \"须持本人社会保障卡、有效身份证件…办理社保账户密码解锁\"; on a card sealed underneath, the holder's "
       "new PIN is its activation too (activates())"),
    _t("reset", "密码重置", "card (with the ID card)",
       {PIN_LOCKED: RESTORE_LOCK, SEALED: UNCHANGED, NORMAL: UNCHANGED, **_CHIP_UNDER_REPORT},
       "seeds/003 #07 \"因…密码遗忘或卡片已锁定…密码重置\"; on a card sealed underneath, the holder's new PIN is its "
       "activation too (activates())"),
    _t("temporary_loss_report", "临时挂失", "kiosk, 12333, online",
       {SEALED: TEMP_LOST, NORMAL: TEMP_LOST, PIN_LOCKED: TEMP_LOST},
       "seeds/003 #08 \"临时挂失指持卡人通过…12333办理挂失\"; from sealed and locked too: project decision "
       "(kiosk/policy.py STATE_DECISIONS)",
       {TEMP_LOST: TEMP_REPORTED_WORDS, LOST: LOST_REPORTED_WORDS}),
    _t("formal_loss_report", "正式挂失", "kiosk or counter, with the ID card",
       {SEALED: LOST, NORMAL: LOST, PIN_LOCKED: LOST, TEMP_LOST: LOST},
       "seeds/003 #08 \"正式挂失指持卡人持本人身份证等有效身份证件…现场办理\"", {LOST: LOST_REPORTED_WORDS}),
    _t("temporary_loss_lapsed", "临时挂失失效", "service (by itself, at the region's lapse)",
       {TEMP_LOST: RESTORE_REPORT},
       "seeds/003 #08 \"临时挂失7天后未办理正式挂失的，临时挂失将自动失效\"; domain.md §6: back to the state before",
       {s: NOT_REPORTED_WORDS for s in BASE}),
    _t("release", "解挂", "kiosk or counter, with the card and the ID card",
       {TEMP_LOST: RESTORE_REPORT, LOST: RESTORE_REPORT},
       "seeds/003 #09 \"在未补卡前找回已挂失的社会保障卡…办理社保账户解挂\"; domain.md §6: back to the state before",
       {s: NOT_REPORTED_WORDS for s in BASE}),
    _t("replacement_made", "补换卡（新卡领取）", "kiosk or counter (the new card is taken)",
       {s: CANCELLED for s in LIVE},
       "seeds/002 \"旧卡由社会保障卡服务窗口收回并集中销毁\": the old card ends when its replacement is taken"),
    _t("cancellation", "注销", "counter only (a kiosk explains it)", {s: CANCELLED for s in LIVE},
       "seeds/003 #11 \"因持卡人…死亡、出国(境)定居、失踪等原因…需办理社会保障卡注销\""),
)}

# what a kiosk's PIN event (the chip's answer, kiosk/backend/service.py PinEvent) is, by name
PIN_EVENTS = {"wrong_pin": "wrong_pin", "blocked": "pin_locked", "unblocked": "unlock", "reloaded": "reset"}


def for_pin_event(event: str, card: CardState) -> str:
    """The transition a PIN event is: "changed" is the activation while the card underneath is sealed."""
    if event == "changed":
        return "activation" if card.base() == SEALED else "pin_changed"
    return PIN_EVENTS[event]


def activates(name: str, after: CardState) -> bool:
    """Whether a kiosk's unlock or reset was also the card's activation: it set a new PIN the holder chose —
    never the initial one (kiosk/flows/pin_rules.py) — with the card and the ID card read, which is all an
    activation is (seeds/000 "社保功能激活是指更改社保卡的初始密码"; 002, 003: card and ID). A card left sealed
    after it would have no way out: its initial PIN is gone, so the activation cannot verify it."""
    return name in ("unlock", "reset") and after.base() == SEALED


def refusal(card: CardState, name: str) -> StateRefusal | None:
    """Why ``name`` may not happen to ``card`` (None when it may)."""
    transition = TRANSITIONS[name]
    if card.state in transition.moves:
        if transition.moves[card.state] == UNDER:
            inner = refusal(card.underneath(), name)
            if inner is not None:
                inner.state = card.state          # refused from the state the caller sees
            return inner
        return None
    words = transition.refusal(card.state)
    return StateRefusal(words.code, words.zh, words.en, name, card.state)


def apply(card: CardState, name: str) -> CardState:
    """The card after ``name``, or StateRefusal."""
    refused = refusal(card, name)
    if refused is not None:
        raise refused
    target = TRANSITIONS[name].moves[card.state]
    if target == UNCHANGED:
        return card
    if target == UNDER:
        under = apply(card.underneath(), name)
        if card.state in REPORTED:            # the report stays over what the chip did
            return replace(card, before_loss=under.state, before_lock=under.before_lock)
        return replace(card, before_lock=under.state)       # a lock stays over what happened under it
    if target == RESTORE_REPORT:
        return card.underneath()
    if target == RESTORE_LOCK:
        return card.underneath()
    if target in REPORTED:                    # a report over the card: keep what it lies over
        if card.state in REPORTED:            # temporary made formal: the first report's "before" stays
            return replace(card, state=target)
        return CardState(target, before_loss=card.state, before_lock=card.before_lock)
    if target == PIN_LOCKED:
        return CardState(PIN_LOCKED, before_lock=card.state)
    return CardState(target)


def move(store, db, card, name: str, kind: str, kiosk_id: str | None, detail: dict | None = None,
         lost_until: str | None = None) -> CardState:
    """Apply ``name`` to ``card`` (a ``cards`` row) and write it in ``db`` (the caller's transaction) with a
    card event ``kind`` (the event names kiosks and staff already read). ``lost_until`` is the lapse time of
    a temporary report; a card still temporarily reported keeps its own."""
    before = CardState.of(card)
    after = apply(before, name)
    if after.state == TEMP_LOST:
        lost_until = lost_until or card["lost_until"]
    else:
        lost_until = None
    detail = {"transition": name, "from": before.state, **(detail or {})}
    if after == before:
        store.add_event(db, card["card_number"], kind, kiosk_id, detail)
    else:
        store.set_card_state(db, card["card_number"], after.state, kind, kiosk_id, detail, lost_until=lost_until,
                             before_loss=after.before_loss, before_lock=after.before_lock)
    return after


# -- the electronic card, by the physical card's state -------------------------------------------------------
# seeds/001 Q4 "实体卡正常时，电子社保卡服务均可使用；实体卡临时挂失、挂失时，电子社保卡服务经本人授权可使用；实体卡注销后，
# 电子社保卡中与个人业务相关的服务不可用" (004 §8 the same for a cancelled card). Sealed and PIN-locked are the project's
# decision (kiosk/policy.py STATE_DECISIONS): the holder's authorisation, not "fully usable".
ECARD = {NORMAL: "usable", SEALED: "holder_authorisation_required", PIN_LOCKED: "holder_authorisation_required",
         TEMP_LOST: "holder_authorisation_required", LOST: "holder_authorisation_required",
         CANCELLED: "unavailable", VOID: "unavailable", ISSUING: "unavailable"}


def ecard_use(card_state: str | None) -> str:
    """What the electronic card may do; "unavailable" without a physical card (001 Q9: an e-card needs a
    collected physical card that is not cancelled)."""
    return ECARD.get(card_state, "unavailable") if card_state else "unavailable"


# -- the README's table -------------------------------------------------------------------------------------------
BEGIN = "<!-- card states: generated by `python -m kiosk.backend.card_states --write README.md` -->"
END = "<!-- card states: end -->"


def _moves(transition: Transition) -> str:
    by_target: dict[str, list[str]] = {}
    for source, target in transition.moves.items():
        by_target.setdefault(target, []).append(source)
    return "; ".join(f"{', '.join(sources)} → {target}" for target, sources in by_target.items())


def _refused(transition: Transition) -> str:
    refused = [s for s in (*STATES,) if s not in transition.moves]
    codes: dict[str, list[str]] = {}
    for state in refused:
        codes.setdefault(transition.refusal(state).code, []).append(state)
    return "; ".join(f"{', '.join(states)}: `{code}`" for code, states in codes.items())


def table() -> str:
    lines = [BEGIN, "",
             "States: " + ", ".join(f"`{s}`" for s in STATES) + ". A loss report lies over the state before it "
             "(`before_loss`), a PIN lock over sealed or normal (`before_lock`); \"kept; applied under it\": a "
             "chip fact changes that layer and the report or the lock stays. E-card by state: "
             + ", ".join(f"{s} {use}" for s, use in ECARD.items()) + ".", "",
             "| transition | 业务 | by | moves | refused from (code) | source |",
             "|---|---|---|---|---|---|"]
    for t in TRANSITIONS.values():
        lines.append(f"| `{t.name}` | {t.zh} | {t.by} | {_moves(t)} | {_refused(t)} | "
                     f"{t.source.replace('|', '/')} |")
    return "\n".join([*lines, "", END])


def main(argv: list[str]) -> int:
    if argv[:1] == ["--json"]:
        print(json.dumps({n: t.moves for n, t in TRANSITIONS.items()}, ensure_ascii=False, indent=1))
        return 0
    from kiosk import readme_tables
    return readme_tables.main(argv, BEGIN, END, table)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
