"""The card-state machine (kiosk/backend/card_states.py): its table is the README's, its states have the kiosk's
words, every refusal is typed with words in both languages, an older database gains its columns, the lapse
follows the service's clock, and — driven by hypothesis through the service's own endpoint functions — no
sequence of loss reports, lapses, releases, PIN events and replacements breaks the card's invariants."""
import dataclasses
import datetime as dt
import itertools
import pathlib
import secrets
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk import cardstates, demo, idnumber
from kiosk.backend import card_states
from kiosk.backend.card_states import CardState
from kiosk.backend.rules import Refusal
from kiosk.backend.server import ServiceThread
from kiosk.backend.service import (Application, IdempotentRequest, IssuanceStart, LossReport, PinEvent, Release,
                                   SessionOpen, create_app)
from kiosk.backend.store import Store, now
from kiosk.policy import PROFILES, STATE_DECISIONS, profile
from kiosk.security.module import SoftSecurityModule, demo_masters
from kiosk.security.sm2 import PrivateKey, PublicKey
from tests.service_tools import enrolled, new_person

README = pathlib.Path(__file__).parent.parent / "README.md"


class Clock:
    """The service's "now", moved by the test (create_app(clock=...))."""

    def __init__(self):
        self.at = now()

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, days: float) -> None:
        self.at += dt.timedelta(days=days)


# -- the machine as data ------------------------------------------------------------------------------------
def test_the_readmes_card_state_table_is_the_machines():
    assert card_states.table() in README.read_text(encoding="utf-8"), \
        "README's card-state table is stale: run `python -m kiosk.backend.card_states --write README.md`"


def test_every_state_the_machine_knows_has_the_kiosks_words_and_no_other():
    assert set(card_states.STATES) == set(cardstates.STATES)
    for transition in card_states.TRANSITIONS.values():
        targets = {t for t in transition.moves.values() if t in card_states.STATES}
        assert set(transition.moves) | targets <= {*card_states.STATES, card_states.NEW}, transition.name


@pytest.mark.parametrize("name", list(card_states.TRANSITIONS))
def test_every_refusal_is_typed_and_says_where_to_go(name):
    for state in card_states.STATES:
        refused = card_states.refusal(CardState.of({"state": state}), name)
        if refused is None:
            continue
        assert refused.status == 409 and refused.code and refused.transition == name and refused.state == state
        assert refused.zh and refused.en and refused.zh != refused.en
        assert any(place in refused.zh for place in ("窗口", "本机", "取卡", "无需")), (name, state, refused.zh)


def test_final_states_are_left_by_no_transition():
    for transition in card_states.TRANSITIONS.values():
        assert not set(card_states.FINAL) & set(transition.moves), transition.name


def test_every_region_records_the_card_state_decisions_with_their_reasons():
    for key, policy in PROFILES.items():
        assert set(policy.decisions) >= set(STATE_DECISIONS)
        for topic in ("temporary_loss_report from sealed and pin_locked", "e-card of a sealed card",
                      "e-card of a PIN-locked card"):
            assert any(d.startswith(topic) and "seeds/" in d for d in policy.decisions), (key, topic)
    assert any(d.startswith("temp_loss_lapse_days=None") for d in profile("henan").decisions)


# -- storage --------------------------------------------------------------------------------------------------
def test_an_older_database_gains_the_columns_and_its_reports_release_to_normal(tmp_path):
    """A database from before the columns: opened, it gains them; a report made then (NULL: unknown) releases to
    normal, what the service did for every release until then."""
    path = str(tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE cards (card_number TEXT PRIMARY KEY, id_number TEXT NOT NULL, region TEXT NOT NULL, "
                "state TEXT NOT NULL, issue_date TEXT, expiry_date TEXT, lost_until TEXT, updated_at TEXT NOT NULL)")
    old.execute("INSERT INTO cards VALUES ('X00000001', '610113197001010011', '610100', 'lost', '2021-06-01', "
                "'2031-06-01', NULL, '2024-01-01')")
    old.commit()
    old.close()
    store = Store(path)
    try:
        columns = {r["name"] for r in store.query("PRAGMA table_info(cards)")}
        assert {"before_loss", "before_lock", "application_id"} <= columns
        card = store.card("X00000001")
        assert card_states.apply(CardState.of(card), "release") == CardState("normal")
    finally:
        store.close()


# -- the lapse follows the service's clock, over HTTP ---------------------------------------------------------------
def test_a_temporary_report_lapses_when_the_services_clock_passes_the_regions_period(service_db):
    clock = Clock()
    svc = ServiceThread(service_db.location, profile("shaanxi"), clock=clock, key_file=service_db.key_file).start()
    try:
        client = enrolled(svc)
        _, card = new_person(svc, with_card="pin_locked")
        answer = client.report_loss(card, "temporary", id_verified=False)
        assert dt.datetime.fromisoformat(answer["lapses_at"]) == clock() + dt.timedelta(days=7)
        clock.advance(6.9)
        assert client.card(card)["state"] == "temp_lost"
        clock.advance(0.2)
        assert client.card(card)["state"] == "pin_locked"
        assert [e["kind"] for e in svc.store.events(card)][-1] == "temp_loss_lapsed"
    finally:
        svc.stop()


# -- the property test ---------------------------------------------------------------------------------------------
class World:
    """The reference service's own endpoint functions over one store, one clock and one key session: a signed
    HTTP round trip costs ~45 ms, so hundreds of sequences through HTTP would take minutes; the functions are
    what the HTTP layer calls, after its signature checks."""
    KIOSK = "PROP-01"

    def __init__(self, path: str):
        self.clock = Clock()
        self.store = Store(path)
        self.app = create_app(self.store, profile("shaanxi"), PrivateKey.generate(),
                              security=SoftSecurityModule(demo_masters(), name="demo"), clock=self.clock)
        self.serial = itertools.count(1)
        service_key = PublicKey.from_pem(self.endpoint("GET", "/v1/service-key")()["public_key"])
        opened = self.endpoint("POST", "/v1/keys/sessions")(
            SessionOpen(key=service_key.encrypt(secrets.token_bytes(16)).hex()), kiosk_id=self.KIOSK)
        self.session_id = opened["session_id"]

    def endpoint(self, method: str, path: str):
        for route in self.app.routes:
            if getattr(route, "path", None) == path and method in route.methods:
                return route.endpoint
        raise KeyError(path)

    def key(self, method: str, path: str) -> dict:
        token = secrets.token_hex(12)
        return {"idempotency_key": IdempotentRequest(self.KIOSK, f"{method} {path}", token, token),
                "kiosk_id": self.KIOSK}

    def post(self, path: str, **arguments):
        return self.endpoint("POST", path)(**arguments, **self.key("POST", path))

    def person(self, state: str) -> tuple[str, str]:
        n = next(self.serial)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=n)
        id_number = idnumber.with_check(f"610113{birth:%Y%m%d}021")
        card_number = f"P{n:08d}"
        stamp = now().isoformat()
        with self.store.transaction() as db:
            db.execute("INSERT INTO persons (id_number, name, gender, birth_date, address, phone, region, insured) "
                       "VALUES (?, '测试', '1', ?, '陕西省西安市', '13800000000', '610100', 1)",
                       (id_number, birth.isoformat()))
            db.execute("INSERT INTO cards (card_number, id_number, region, state, issue_date, expiry_date, "
                       "lost_until, updated_at) VALUES (?, ?, '610100', ?, '2021-06-01', '2031-06-01', NULL, ?)",
                       (card_number, id_number, state, stamp))
        return id_number, card_number

    # the acts, each as a kiosk asks for it; a Refusal comes back as it is
    def card(self, card_number: str) -> str:
        return self.endpoint("GET", "/v1/cards/{card_number}")(card_number)["state"]

    def loss(self, card_number: str, kind: str):
        return self.post("/v1/cards/{card_number}/loss-reports", card_number=card_number,
                         body=LossReport(kind=kind, id_verified=True))

    def release(self, card_number: str):
        return self.post("/v1/cards/{card_number}/release", card_number=card_number, body=Release(id_verified=True))

    def pin(self, card_number: str, event: str):
        return self.post("/v1/cards/{card_number}/pin-events", card_number=card_number, body=PinEvent(event=event))

    def replace(self, id_number: str) -> str:
        """A replacement for a damaged card, paid, made and taken: the new card's number."""
        application = self.post("/v1/applications", body=Application(id_number=id_number, kind="replacement",
                                                                      reason="damaged"))
        self.post("/v1/fee-orders/{order_id}/pay", order_id=application["fee_order"]["id"])
        made = self.post("/v1/applications/{application_id}/issuance", application_id=application["id"],
                         body=IssuanceStart(card_id_code=secrets.token_hex(16), session_id=self.session_id))
        self.post("/v1/issuances/{card_number}/confirm", card_number=made["card_number"])
        return made["card_number"]


@dataclasses.dataclass
class Expected:
    """The same card told as independent facts (not layers): what the machine must agree with."""
    activated: bool
    locked: bool = False
    loss: str | None = None            # "temporary" | "formal"
    lapses_at: dt.datetime | None = None
    cancelled: bool = False

    def state(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.loss:
            return "lost" if self.loss == "formal" else "temp_lost"
        return "pin_locked" if self.locked else ("normal" if self.activated else "sealed")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(str(tmp_path_factory.mktemp("machine") / "svc.db"))
    yield w
    w.store.close()


ACTS = ("temporary", "formal", "release", "lapse", "day", "wrong_pin", "blocked", "unblocked", "reloaded",
        "changed", "replace")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(["sealed", "normal", "pin_locked"]),
       acts=st.lists(st.tuples(st.sampled_from(ACTS), st.sampled_from(["first", "current"])), min_size=1,
                     max_size=14))
def test_no_sequence_of_acts_breaks_the_cards_invariants(world, start, acts):
    id_number, first = world.person(start)
    cards = [first]                                  # every card of this person, oldest first
    # a seeded pin_locked card has no before_lock: read as locked over normal (CardState.of)
    expected = {first: Expected(activated=start != "sealed", locked=start == "pin_locked")}
    # the invariants' own bookkeeping, from the acts the service took (not from the model)
    activated = {first: start != "sealed"}           # a "changed" was taken while sealed (or seeded normal)
    chip_locked = {first: start == "pin_locked"}     # a "blocked" taken and no unlock or reset since
    for act, which in acts:
        card = cards[0] if which == "first" else cards[-1]
        model = expected[card]
        before = world.card(card)
        try:
            if act == "lapse" or act == "day":
                world.clock.advance(8 if act == "lapse" else 1)
            elif act in ("temporary", "formal"):
                world.loss(card, act)
            elif act == "release":
                world.release(card)
            elif act == "replace":
                cards.append(world.replace(id_number))
            else:
                world.pin(card, act)
            refused = None
        except Refusal as exc:
            refused = exc
            assert exc.code and exc.zh and exc.en, exc

        # the independent model: which acts must succeed, and what each does
        live = not model.cancelled
        if act in ("lapse", "day"):
            for m in expected.values():
                if m.loss == "temporary" and not m.cancelled and world.clock() >= m.lapses_at:
                    m.loss = m.lapses_at = None
        elif act == "temporary":
            assert (refused is None) == (live and model.loss is None), (act, before, refused)
            if refused is None:
                model.loss, model.lapses_at = "temporary", world.clock() + dt.timedelta(days=7)
        elif act == "formal":
            assert (refused is None) == (live and model.loss != "formal"), (act, before, refused)
            if refused is None:
                model.loss, model.lapses_at = "formal", None
        elif act == "release":
            assert (refused is None) == (live and model.loss is not None), (act, before, refused)
            if refused is None:
                model.loss = model.lapses_at = None
        elif act == "replace":                       # the person's current card, whatever its state
            assert refused is None, refused
            expected[cards[-2]].cancelled = True
            expected[cards[-1]] = Expected(activated=False)
            activated[cards[-1]], chip_locked[cards[-1]] = False, False
        else:
            assert (refused is None) == live, (act, before, refused)
            if refused is None and act == "blocked":
                model.locked = chip_locked[card] = True
            elif refused is None and act in ("unblocked", "reloaded"):
                # a kiosk's unlock or reset sets the holder's own new PIN: the activation of a sealed card too
                model.locked = chip_locked[card] = False
                model.activated = activated[card] = True
            elif refused is None and act == "changed":
                model.activated = activated[card] = True

        for number in cards:
            seen, model_of = world.card(number), expected[number]
            assert seen == model_of.state(), (act, number, seen, model_of)
            # the invariants, said directly
            if seen == "normal":
                assert activated[number], "a sealed card became normal without its activation"
                assert not chip_locked[number], "a blocked chip was reported normal without an unlock or a reset"
            if model_of.cancelled:
                assert seen == "cancelled", "a cancelled card came back"
    for number in cards:
        replaced = [e for e in world.store.events(number) if e["kind"] == "replaced"]
        assert len(replaced) <= 1, f"{number} replaced {len(replaced)} times"
    successors = world.store.query("SELECT card_number, COUNT(*) AS n FROM applications WHERE id_number = ? AND "
                                   "kind = 'replacement' AND state = 'done' GROUP BY card_number", id_number)
    assert all(row["n"] == 1 for row in successors)


def test_the_demo_citizens_states_are_all_known_to_the_machine():
    assert {c.card_state for c in demo.CITIZENS if c.card_state} <= set(card_states.STATES)
