"""Touches per service, as the UI tests count them, kept in tests/artifacts/touches.json and checked
against the README's table, so the README reports what was measured and cannot go stale."""
from __future__ import annotations

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).parent.parent
STORE = ROOT / "tests" / "artifacts" / "touches.json"
ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|[^|]*\|\s*(\d+)\s*\|")


def readme_counts() -> dict[str, int]:
    counts = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            counts[match.group(1)] = int(match.group(2))
    return counts


def record_touches(measured: dict[str, int]) -> None:
    """Save the counts, then check that the README's table says the same for every service it lists and
    lists every happy path measured here (refusal and frame checks have names with a suffix or no tile)."""
    import fcntl
    import os
    STORE.parent.mkdir(parents=True, exist_ok=True)
    with open(STORE.with_suffix(".lock"), "w") as lock:      # UI tests on both workers record at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        known = json.loads(STORE.read_text()) if STORE.exists() else {}
        known.update(measured)
        tmp = STORE.with_suffix(".tmp")
        tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1, sort_keys=True))
        os.replace(tmp, STORE)
    readme = readme_counts()
    stale = {key: (readme[key], count) for key, count in measured.items() if key in readme and readme[key] != count}
    assert not stale, f"README touch counts differ from the measured ones (README, measured): {stale}"
    unlisted = sorted(set(measured) - set(readme))
    assert not unlisted, f"services measured but not in the README's touch table: {unlisted}"
