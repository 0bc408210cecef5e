"""Finds every screen text in the code: _("…") literals in kiosk/ and app.tr("…") literals in the .kv files."""
from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).parent.parent / "kiosk"
KV_LITERAL = re.compile(r'app\.tr\(\s*(?:"([^"]*)"(?:\s+if\s+[^"]+\s+else\s+"([^"]*)")?)')


def code_texts() -> dict[str, str]:
    """template → where it is used"""
    found = {}
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def kv_texts() -> dict[str, str]:
    found = {}
    for path in (ROOT / "screens" / "kv").glob("*.kv"):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in KV_LITERAL.finditer(line):
                for text in match.groups():
                    if text:
                        found.setdefault(text, f"{path.relative_to(ROOT.parent)}:{lineno}")
    return found


def plain_texts() -> dict[str, str]:
    """Plain strings the screens translate by value (the issuance steps)."""
    from kiosk.flows.issuance import STEPS_DONE_ZH, STEPS_ZH
    return {**{text: "kiosk/flows/issuance.py STEPS_ZH" for text in STEPS_ZH.values()},
            **{text: "kiosk/flows/issuance.py STEPS_DONE_ZH" for text in STEPS_DONE_ZH.values()}}


def all_texts() -> dict[str, str]:
    return {**plain_texts(), **kv_texts(), **code_texts()}


if __name__ == "__main__":
    import sys
    sys.path.insert(0, str(ROOT.parent))
    for text, where in sorted(all_texts().items(), key=lambda kv: kv[1]):
        print(repr(text), where)
