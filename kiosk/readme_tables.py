"""README sections generated from code (the services from the registry, the card-state machine), so the
README cannot drift from what runs. Each section sits between its own BEGIN and END marker lines; this is
the one way a section is replaced and the one command line that prints or writes it."""
from __future__ import annotations

import pathlib
from typing import Callable


def replaced(readme: str, begin: str, end: str, section: str) -> str:
    """``readme`` with the text from ``begin`` to ``end`` (markers included) replaced by ``section``."""
    start, stop = readme.index(begin), readme.index(end) + len(end)
    return readme[:start] + section + readme[stop:]


def main(argv: list[str], begin: str, end: str, table: Callable[[], str]) -> int:
    """``--write README.md`` replaces the section in that file; no argument prints it."""
    if argv[:1] == ["--write"] and len(argv) == 2:
        path = pathlib.Path(argv[1])
        path.write_text(replaced(path.read_text(encoding="utf-8"), begin, end, table()), encoding="utf-8")
    else:
        print(table())
    return 0
