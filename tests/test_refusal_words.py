"""Refusals lead somewhere: every tile a refusal names in “…” is a tile on the menu, by its on-screen title
(in both languages), and every refusal of the kiosk's own that suggests a kiosk service carries ``offer`` (the
failure screen's button to it). The card service's refusals name the kiosk's tiles the same way; the kiosk
finds the offer from the name (kiosk.flows.steps.offer_of), so their names are checked too.

Read from the source (every ``raise …(zh=…)``, every ``Said(…)`` table entry, every string), not from a
list kept by hand: a new refusal is checked the day it is written. Issue 14 item 6 found "密码重置" (the tile
is "忘记密码"), "查询" and "挂失" (no such tiles) and "本人办理" (no button)."""
from __future__ import annotations

import ast
import pathlib
import re

import pytest

from kiosk.errors import Refusal
from kiosk.flows import registry
from kiosk.i18n import tr
from tests.i18n_tools import all_texts

ROOT = pathlib.Path(__file__).parent.parent / "kiosk"
FLOWS = sorted((ROOT / "flows").glob("*.py"))
SERVICE = [ROOT / "backend" / "rules.py", ROOT / "backend" / "card_states.py"]
TITLES = {str(s.title): s.key for s in registry.SERVICES}
QUOTED = re.compile(r"“([\u4e00-\u9fff·]+)”")      # a name in Chinese quotes (not “…” in a docstring)


def text_of(node) -> str | None:
    """The words of a string expression: a literal, an f-string (values as {}), "a" + "b", a conditional's
    branches side by side."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = text_of(node.left), text_of(node.right)
        return None if left is None and right is None else (left or "") + (right or "")
    if isinstance(node, ast.IfExp):
        return (text_of(node.body) or "") + "|" + (text_of(node.orelse) or "")
    return None


def tiles_named(text: str) -> list[str]:
    return [name for name in QUOTED.findall(text) if name in TITLES]


def where(path: pathlib.Path, node) -> str:
    return f"{path.relative_to(ROOT.parent)}:{node.lineno}"


def kiosk_refusals():
    """(where, zh, en, offer node or None, class offer) for every refusal raised in kiosk/flows with its
    words written out, and every ``Said`` (a refusal's words in a table)."""
    found = []
    for path in FLOWS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = __import__(f"kiosk.flows.{path.stem}", fromlist=["_"])
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kw = {k.arg: k.value for k in node.keywords}
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "Said" and not any(isinstance(a, ast.Starred) for a in node.args):
                args = list(node.args) + [kw.get(k) for k in ("zh", "en", "offer") if k in kw]
                zh, en = text_of(args[0]), text_of(args[1])
                offer = args[2] if len(args) > 2 else None
                found.append((where(path, node), zh or "", en or "", offer, None))
            elif "zh" in kw and text_of(kw["zh"]) is not None:
                cls = getattr(module, name, None)
                if isinstance(cls, type) and issubclass(cls, Refusal):
                    found.append((where(path, node), text_of(kw["zh"]), text_of(kw.get("en")) or "",
                                  kw.get("offer"), cls.offer))
    return found


def service_refusals():
    """(where, zh, en) of the card service's refusal words: Refusal(status, code, zh, en), Words(code, zh, en)."""
    found = []
    for path in SERVICE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Refusal", "Words"):
                texts = [text_of(a) for a in node.args]
                texts = [t for t in texts if t is not None]
                if len(texts) >= 3:           # code, zh, en
                    found.append((where(path, node), texts[-2], texts[-1]))
    return found


def every_string(paths):
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = text_of(node)
            if text and "“" in text:
                yield where(path, node), text


def test_the_walk_finds_the_refusals_it_checks():
    # a walk that found nothing would pass every check below
    assert len(kiosk_refusals()) > 40 and len(service_refusals()) > 20
    assert any("忘记密码" in zh for _w, zh, *_ in kiosk_refusals())


def test_every_name_in_quotes_is_a_tile_on_screen_or_a_button_label():
    """Outside refusals a quote may also name a button ("点击“开始制卡”"): then it is a screen text of its own."""
    own_texts = set(all_texts())
    unknown = [f"{w}: “{name}”" for w, text in every_string(sorted(ROOT.rglob("*.py")))
               for name in QUOTED.findall(text) if name not in TITLES and name not in own_texts
               and not w.startswith("kiosk/i18n_en.py")]
    assert not unknown, "quoted names that are neither a tile nor a button:\n" + "\n".join(unknown)


def test_refusals_name_only_tiles_by_their_titles():
    wrong = [f"{w}: “{name}”" for w, zh, *_ in kiosk_refusals() + service_refusals()
             for name in QUOTED.findall(zh) if name not in TITLES]
    assert not wrong, "a refusal names something that is not a tile:\n" + "\n".join(wrong)


def test_the_english_of_a_refusal_names_the_tile_by_its_english_title():
    wrong = [f"{w}: {tr(registry.service(TITLES[name]).title, 'en')!r} not in {en!r}"
             for w, zh, en, *_ in kiosk_refusals() + service_refusals() for name in tiles_named(zh)
             if tr(registry.service(TITLES[name]).title, "en") not in en]
    assert not wrong, "\n".join(wrong)


def test_every_refusal_that_suggests_a_tile_offers_it():
    missing = []
    for w, zh, _en, offer, class_offer in kiosk_refusals():
        named = tiles_named(zh)
        if not named:
            continue
        if isinstance(offer, ast.Constant):
            if offer.value not in {TITLES[n] for n in named}:
                missing.append(f"{w}: offers {offer.value!r}, names {named}")
        elif offer is None and class_offer not in {TITLES[n] for n in named}:
            missing.append(f"{w}: names {named} without offer=")
    assert not missing, "refusals suggesting a tile without a button to it:\n" + "\n".join(missing)


@pytest.mark.parametrize("w, zh, en", service_refusals(), ids=lambda v: v if isinstance(v, str) and ":" in v else "")
def test_the_service_refusals_that_name_a_tile_get_its_button(w, zh, en):
    named = tiles_named(zh)
    if named:
        assert registry.named_in(zh) == TITLES[named[0]]


def test_a_refusal_with_no_kiosk_remedy_says_where_to_go_and_what_to_bring():
    """A counter named without the papers to bring sends the citizen to queue twice."""
    vague = [f"{w}: {zh}" for w, zh, *_ in kiosk_refusals()
             if "窗口" in zh and not tiles_named(zh) and not re.search(r"(携带|持|带)[^，。；]*(身份证|证件|社保卡|委托书)", zh)]
    assert not vague, "\n".join(vague)
