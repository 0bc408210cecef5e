"""No request reads a whole table that grows with the population or the traffic, on SQLite or PostgreSQL.

Every SQL statement in the service's code (kiosk/backend/*.py) is found by reading the code itself (the AST):
string literals, literals joined with ``+`` and conditional pieces (every combination), and the f-strings,
whose variable parts are filled in below as the code fills them (a new f-string fails this test until it is
listed). Each is explained on the service's own schema — SQLite's ``EXPLAIN QUERY PLAN``; PostgreSQL's generic
plan of the prepared statement with sequential scans priced out (``enable_seqscan = off``: a table of a few
test rows would be scanned anyway, so a scan left in the plan means no index can answer) — and a full scan of
a growing table fails, unless it is one of the few listed with the reason the scan is bounded."""
from __future__ import annotations

import ast
import itertools
import json
import pathlib
import re
import sqlite3

import pytest

from kiosk.backend.store import Store
from tests import databases

BACKEND = pathlib.Path(__file__).resolve().parent.parent / "kiosk" / "backend"
SQL_START = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b")

# Tables whose rows grow with the persons served or with the requests made. (operators, staff, service_keys
# hold a handful of rows each.)
GROWING = {"persons", "cards", "applications", "fee_orders", "card_events", "temporary_cards", "contact_codes",
           "pin_outcomes_unknown", "idempotent_requests", "nonces", "staff_events", "staff_calls", "staff_audit",
           "staff_sessions", "operator_sessions", "enrolment_codes", "kiosks"}

# Tables only an old database has, read once to move what they hold (kiosk/backend/keycustody.py).
OLD_TABLES = {"service_keys"}

# Not the service's queries: the engines' own catalog look-ups and writers' lock (engines.py), and the
# migrations' bookkeeping (a handful of rows, read at start).
NOT_REQUESTS = {"engines.py", "migrations.py"}

# A scan that is bounded, and why. Keys are the statement with its whitespace collapsed.
BOUNDED = {
    "SELECT 1 FROM persons LIMIT 1": "is the database empty (at start): stops at the first row",
    "SELECT a.*, s.name FROM staff_audit a LEFT JOIN staff s ON s.staff_no = a.staff_no ORDER BY a.id DESC LIMIT ?":
        "the newest N actions, read backwards along the primary key: stops after N rows",
    "SELECT k.* FROM kiosks k ORDER BY k.region, k.site, k.kiosk_id":
        "the operator's fleet table lists every kiosk, by design (one row per kiosk, not per citizen)",
    "SELECT k.* FROM kiosks k WHERE k.site = ? ORDER BY k.region, k.site, k.kiosk_id":
        "the fleet table filtered by site: a page of kiosks, not of citizens",
    "SELECT DISTINCT region FROM kiosks ORDER BY region": "the fleet page's region filter: one row per kiosk",
    "SELECT DISTINCT site FROM kiosks ORDER BY site": "the fleet page's site filter: one row per kiosk",
}

# The f-strings' variable parts, as the code fills them: (file, first words) → every form the code builds.
DYNAMIC = {
    ("service.py", "SELECT id FROM applications WHERE state = 'awaiting_payment' AND"): [
        "SELECT id FROM applications WHERE state = 'awaiting_payment' AND created_at <= ?",     # end_unpaid
        "SELECT id FROM applications WHERE state = 'awaiting_payment' AND id_number = ?",
    ],
    ("operator_view.py", "SELECT k.* FROM kiosks k"): [
        "SELECT k.* FROM kiosks k ORDER BY k.region, k.site, k.kiosk_id",
        "SELECT k.* FROM kiosks k WHERE k.region = ? ORDER BY k.region, k.site, k.kiosk_id",
        "SELECT k.* FROM kiosks k WHERE k.site = ? ORDER BY k.region, k.site, k.kiosk_id",
        "SELECT k.* FROM kiosks k WHERE k.region = ? AND k.site = ? ORDER BY k.region, k.site, k.kiosk_id",
    ],
    ("operator_view.py", "SELECT * FROM staff_calls WHERE state != 'closed' AND kiosk_id IN ("): [
        "SELECT * FROM staff_calls WHERE state != 'closed' AND kiosk_id IN ('') ORDER BY id DESC LIMIT 100",
        "SELECT * FROM staff_calls WHERE state != 'closed' AND kiosk_id IN (?,?,?) ORDER BY id DESC LIMIT 100",
    ],
    ("operator_view.py", "SELECT * FROM staff_events WHERE state = 'open' AND kiosk_id IN ("): [
        "SELECT * FROM staff_events WHERE state = 'open' AND kiosk_id IN ('') ORDER BY id DESC LIMIT 50",
        "SELECT * FROM staff_events WHERE state = 'open' AND kiosk_id IN (?,?,?) ORDER BY id DESC LIMIT 50",
    ],
}


def collapse(sql: str) -> str:
    return " ".join(sql.split())


def _pieces(node) -> list[str] | None:
    """Every string a literal / ``a + b`` / ``x if c else y`` expression of literals can be, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pieces(node.left), _pieces(node.right)
        return None if left is None or right is None else [a + b for a, b in itertools.product(left, right)]
    if isinstance(node, ast.IfExp):
        body, other = _pieces(node.body), _pieces(node.orelse)
        return None if body is None or other is None else body + other
    return None


def statements_in_code() -> tuple[set[str], list[tuple[str, str]]]:
    """(every statement built from literals, the f-string statements as (file, first words))."""
    found, dynamic = set(), []
    for path in sorted(BACKEND.glob("*.py")):
        if path.name in NOT_REQUESTS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inner: set[int] = set()
        for node in ast.walk(tree):
            if id(node) in inner:
                continue
            if isinstance(node, ast.JoinedStr):
                first = node.values[0] if node.values else None
                if isinstance(first, ast.Constant) and SQL_START.match(first.value):
                    dynamic.append((path.name, collapse(first.value)))
                inner.update(id(n) for n in ast.walk(node))
                continue
            pieces = _pieces(node) if isinstance(node, (ast.BinOp, ast.IfExp, ast.Constant)) else None
            if pieces is None:
                continue
            inner.update(id(n) for n in ast.walk(node))
            found.update(collapse(p) for p in pieces if SQL_START.match(p))
    return found, dynamic


class SqlitePlans:
    def __init__(self, path):
        Store(str(path)).close()                       # the service's own schema, indexes and added columns
        self.db = sqlite3.connect(path, cached_statements=0)     # a plan made after the schema changed

    def full_scans(self, sql: str) -> list[str]:
        """The growing tables this statement reads whole."""
        plan = self.db.execute("EXPLAIN QUERY PLAN " + sql, (None,) * sql.count("?")).fetchall()
        names = aliases(sql)
        scans = []
        for *_, detail in plan:
            match = re.match(r"SCAN (\w+)", detail)
            if match and names.get(match.group(1), match.group(1)) in GROWING:
                scans.append(detail)
        return scans

    def close(self):
        self.db.close()


class PostgresPlans:
    def __init__(self, db: databases.ServiceDatabase):
        import psycopg
        Store(db.location).close()
        self.db = psycopg.connect(db.location, autocommit=True)
        self.db.execute("SET enable_seqscan = off")
        self.db.execute("SET plan_cache_mode = force_generic_plan")    # a plan for any value, not for NULL
        self.count = 0

    def full_scans(self, sql: str) -> list[str]:
        self.count += 1
        name, n = f"q{self.count}", sql.count("?")
        numbered = iter(range(1, n + 1))
        self.db.execute(f"PREPARE {name} AS " + re.sub(r"\?", lambda _: f"${next(numbered)}", sql))
        args = f"({', '.join(['NULL'] * n)})" if n else ""
        plan = self.db.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}{args}").fetchone()[0]
        self.db.execute(f"DEALLOCATE {name}")
        plan = json.loads(plan) if isinstance(plan, str) else plan
        # a sequential scan, or an index walked end to end (no condition on it: read for its order)
        return [f"{node['Node Type']} on {node['Relation Name']}" for node in _nodes(plan[0]["Plan"])
                if node.get("Relation Name") in GROWING and (node["Node Type"] == "Seq Scan" or (
                    node["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in node))]

    def close(self):
        self.db.close()


def _nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


@pytest.fixture(scope="module", params=databases.ENGINES)
def schema(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("plans")
    db = databases.fresh(request.param, folder, "plans")
    plans = SqlitePlans(folder / "plans.db") if request.param == "sqlite" else PostgresPlans(db)
    yield plans
    plans.close()
    databases.drop(db)


def aliases(sql: str) -> dict[str, str]:
    out = {}
    for table, alias in re.findall(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?!ON\b|WHERE\b|ORDER\b|SET\b|LEFT\b|"
                                   r"JOIN\b|VALUES\b|GROUP\b|LIMIT\b)(\w+))?", sql):
        out[table] = table
        if alias:
            out[alias] = table
    return out


def test_the_code_has_statements_to_check():
    found, dynamic = statements_in_code()
    assert len(found) > 80
    assert any(s.startswith("SELECT * FROM cards WHERE id_number = ?") for s in found)
    assert any(s.startswith("SELECT a.*, s.name FROM staff_audit a") and "WHERE a.kiosk_id" in s for s in found)


def test_every_f_string_statement_is_listed_with_its_forms():
    _, dynamic = statements_in_code()
    unlisted = [d for d in dynamic if d not in DYNAMIC]
    assert not unlisted, f"list these f-string statements' forms in DYNAMIC: {unlisted}"
    assert not set(DYNAMIC) - set(dynamic), "DYNAMIC lists a statement the code no longer has"


def test_no_statement_reads_a_growing_table_whole(schema):
    found, _ = statements_in_code()
    found = {s for s in found if not re.search(rf"\b({'|'.join(OLD_TABLES)})\b", s)}
    everything = found | {collapse(s) for forms in DYNAMIC.values() for s in forms}
    offenders = {}
    for sql in sorted(everything):
        scans = schema.full_scans(sql)
        if scans and sql not in BOUNDED:
            offenders[sql] = scans
    assert not offenders, "full scans:\n" + "\n".join(f"  {s}\n    → {p}" for s, p in offenders.items())


def test_every_bounded_scan_is_still_in_the_code_and_still_a_scan(tmp_path):
    """A listed exemption that no longer applies is taken off the list (SQLite's plans: PostgreSQL's may read
    a bounded statement through an index anyway)."""
    found, _ = statements_in_code()
    everything = found | {collapse(s) for forms in DYNAMIC.values() for s in forms}
    plans = SqlitePlans(tmp_path / "bounded.db")
    try:
        for sql in BOUNDED:
            assert sql in everything, f"no longer in the code: {sql}"
            assert plans.full_scans(sql), f"no longer a scan, take it off BOUNDED: {sql}"
    finally:
        plans.close()


def test_a_missing_index_is_caught(schema):
    """The check itself: the same statement without the index it needs is a full scan, on either engine."""
    sql = "SELECT * FROM card_events WHERE card_number = ? ORDER BY id"
    assert schema.full_scans(sql) == []
    schema.db.execute("DROP INDEX card_events_by_card")
    try:
        assert schema.full_scans(sql) in (["SCAN card_events"], ["Seq Scan on card_events"],
                                          ["Index Scan on card_events"])
    finally:
        schema.db.execute("CREATE INDEX card_events_by_card ON card_events(card_number, id)")
