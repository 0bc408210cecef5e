"""The service's signing key lives in a key file readable by its owner only, never in the database; a database
from before keeps its kiosks: its key moves into the file at the first start."""
from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from kiosk import demo
from kiosk.backend.keycustody import KeyCustodyError, KeyFile, default_key_path, key_for
from kiosk.backend.server import ServiceThread
from kiosk.backend.store import Store
from kiosk.policy import profile
from kiosk.security.sm2 import PrivateKey, PublicKey
from tests.service_tools import enrolled


def database_text(path) -> bytes:
    return b"".join(open(p, "rb").read() for p in (str(path), f"{path}-wal") if os.path.exists(p))


def test_a_new_service_makes_its_key_file_0600_and_keeps_no_key_in_the_database(tmp_path):
    db = tmp_path / "svc.db"
    service = ServiceThread(str(db), profile("shaanxi")).start()
    try:
        client = enrolled(service)
        assert client.card_status(demo.by_key("normal").id_number)["card"]["state"] == "normal"   # signed both ways
        client.close()
    finally:
        service.stop()
    key_path = tmp_path / "svc-key.pem"
    assert service.key_file == str(key_path) == default_key_path(str(db))
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    key = PrivateKey.from_pem(key_path.read_text())
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "service_keys" not in tables
    assert b"PRIVATE KEY" not in database_text(db)
    assert key.to_pem().split("\n")[1].encode() not in database_text(db)


def test_an_old_database_key_moves_to_the_file_and_the_kiosks_keep_trusting_it(tmp_path):
    db = tmp_path / "old.db"
    old_key = PrivateKey.generate()
    Store(str(db)).close()
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE service_keys (id INTEGER PRIMARY KEY CHECK (id = 1), private_pem TEXT NOT NULL)")
    raw.execute("INSERT INTO service_keys VALUES (1, ?)", (old_key.to_pem(),))
    raw.commit()
    raw.close()
    store = Store(str(db))
    try:
        key = key_for(store, KeyFile(str(tmp_path / "old-key.pem")))
        assert store.legacy_service_key() is None
    finally:
        store.close()
    assert key.public == old_key.public
    assert PrivateKey.from_pem((tmp_path / "old-key.pem").read_text()).public == old_key.public
    pem_line = old_key.to_pem().split("\n")[1].encode()
    assert pem_line not in database_text(db)                 # gone from the file and its WAL, not only unlinked
    service = ServiceThread(str(db), profile("shaanxi"), seed_demo=False).start()
    try:
        import requests
        answer = requests.get(service.url + "/v1/service-key", timeout=10).json()
        assert PublicKey.from_pem(answer["public_key"]) == old_key.public
    finally:
        service.stop()


def test_a_database_key_that_differs_from_the_key_file_stops_the_start(tmp_path):
    db = tmp_path / "two.db"
    Store(str(db)).close()
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE service_keys (id INTEGER PRIMARY KEY CHECK (id = 1), private_pem TEXT NOT NULL)")
    raw.execute("INSERT INTO service_keys VALUES (1, ?)", (PrivateKey.generate().to_pem(),))
    raw.commit()
    raw.close()
    KeyFile(str(tmp_path / "two-key.pem")).signing_key()
    with pytest.raises(KeyCustodyError, match="another service key"):
        ServiceThread(str(db), profile("shaanxi"), seed_demo=False)


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "k.pem"
    KeyFile(str(path)).signing_key()
    os.chmod(path, 0o644)
    with pytest.raises(KeyCustodyError, match="chmod 600"):
        KeyFile(str(path)).signing_key()


def test_a_missing_key_file_is_not_made_when_custody_must_not_create(tmp_path):
    with pytest.raises(KeyCustodyError, match="no service key file"):
        KeyFile(str(tmp_path / "none.pem"), create=False).signing_key()
