"""The two storage engines under the store (kiosk/backend/engines.py): the service's SQL as written runs on
both, rows read alike, a check-then-change is never interleaved with another, more threads than pooled
connections still get served, and nothing about a database's password reaches a log line."""
from __future__ import annotations

import threading
import time

import pytest

from kiosk.backend.engines import PostgresEngine, UnstorableText, describe
from kiosk.backend.store import Store


def test_placeholders_and_percent_signs_are_translated_outside_quotes_only():
    sql = "SELECT * FROM cards WHERE card_number LIKE 'A%' AND note = '?' AND id = ? AND x = \"a?%\" AND y % 2 = ?"
    assert PostgresEngine.translate(sql) == (
        "SELECT * FROM cards WHERE card_number LIKE 'A%%' AND note = '?' AND id = %s AND x = \"a?%%\" "
        "AND y %% 2 = %s")


def test_a_password_in_the_database_url_is_not_printed():
    assert describe("postgresql://svc:s3cret@db.example:5432/cards") == "postgresql://svc:***@db.example:5432/cards"
    assert describe("postgresql://svc@db/cards") == "postgresql://svc@db/cards"
    assert describe("/var/lib/sbk/service.db") == "/var/lib/sbk/service.db"


@pytest.fixture
def store(service_db):
    s = Store(service_db.location)
    yield s
    s.close()


def test_rows_answer_by_name_by_position_and_as_a_mapping(store):
    with store.transaction() as db:
        db.execute("INSERT INTO persons (id_number, name, region) VALUES (?, ?, ?)", ("X1", "李四", "610100"))
        new_id = db.execute("INSERT INTO staff_calls (kiosk_id, at, screen) VALUES (?, ?, ?) RETURNING id",
                            ("K1", "2026-01-01", "home")).fetchone()[0]
    row = store.person("X1")
    assert row["name"] == "李四" and row[1] == "李四"
    assert dict(row)["region"] == "610100" and "insured" in row.keys()
    assert isinstance(new_id, int) and new_id > 0


def test_a_failed_transaction_leaves_nothing_and_a_savepoint_only_its_own_part(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.execute("INSERT INTO persons (id_number, name, region) VALUES ('X2', 'a', '610100')")
            raise RuntimeError
    assert store.person("X2") is None
    with store.transaction() as db:
        db.execute("INSERT INTO persons (id_number, name, region) VALUES ('X3', 'a', '610100')")
        with pytest.raises(RuntimeError):
            with store.transaction() as inner:
                inner.execute("INSERT INTO persons (id_number, name, region) VALUES ('X4', 'a', '610100')")
                raise RuntimeError
    assert store.person("X3") is not None and store.person("X4") is None


def test_two_check_then_change_steps_never_interleave(store):
    """Each step reads a counter, waits, writes it plus one: any interleaving loses an increment."""
    with store.transaction() as db:
        db.execute("INSERT INTO persons (id_number, name, region, insured) VALUES ('CNT', 'n', '610100', 0)")

    def step():
        with store.transaction() as db:
            seen = db.execute("SELECT insured FROM persons WHERE id_number = 'CNT'").fetchone()[0]
            time.sleep(0.01)
            db.execute("UPDATE persons SET insured = ? WHERE id_number = 'CNT'", (seen + 1,))
    threads = [threading.Thread(target=lambda: [step() for _ in range(5)]) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.person("CNT")["insured"] == 30


def test_more_threads_than_pooled_connections_are_all_served(service_db):
    store = Store(service_db.location, pool_size=2)
    answers, errors = [], []

    def look():
        try:
            with store.transaction() as db:
                time.sleep(0.02)
                answers.append(db.execute("SELECT COUNT(*) FROM persons").fetchone()[0])
        except Exception as exc:          # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=look) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert not errors and len(answers) == 12


def test_text_postgresql_cannot_hold_is_a_typed_refusal_not_a_database_error(store):
    if store.dialect != "postgresql":
        pytest.skip("SQLite stores a NUL character")
    with pytest.raises(UnstorableText):
        store.person("61011319700101\x000011")
    assert store.person("61011319700101") is None          # the pool's connection is still good
