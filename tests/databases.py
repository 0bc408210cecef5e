"""The service's database for a test, on either engine: a SQLite file in the test's folder, or a new
PostgreSQL database in the throw-away cluster ``make test`` starts (scripts/test-postgres.sh), dropped after.

The service's suites take the ``service_db`` fixture (tests/conftest.py), parametrized over ENGINES, so each
of their tests runs once per engine."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import pytest

ENGINES = ("sqlite", "postgresql")
ADMIN_URL = "SBK_TEST_POSTGRES"


@dataclass(frozen=True)
class ServiceDatabase:
    engine: str
    location: str          # what the service is given: a file path or a postgresql:// URL
    key_file: str          # the service's key file (a PostgreSQL database has no folder to keep one beside)
    name: str = ""

    def __str__(self) -> str:
        return self.location


def admin_url() -> str:
    url = os.environ.get(ADMIN_URL, "")
    if not url:
        if os.environ.get("KIOSK_REQUIRE_POSTGRES") == "1":
            pytest.fail("make test started no PostgreSQL (see its 'test services:' lines)")
        pytest.skip("no PostgreSQL: run the tests through 'make test', which starts one")
    return url


def fresh(engine: str, folder, name: str = "svc") -> ServiceDatabase:
    key_file = os.path.join(str(folder), f"{name}-key.pem")
    if engine == "sqlite":
        return ServiceDatabase(engine, os.path.join(str(folder), f"{name}.db"), key_file)
    import psycopg
    url = admin_url()
    database = f"t_{name}_{secrets.token_hex(6)}".lower()
    with psycopg.connect(url, autocommit=True) as admin:
        # a copy of a database already migrated (0.04 s here, against 0.4 s to create one and migrate it)
        admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{_migrated_template(admin, url)}" STRATEGY WAL_LOG')
    return ServiceDatabase(engine, _url(url, database), key_file, database)


def empty(folder, name: str = "empty") -> ServiceDatabase:
    """A PostgreSQL database with nothing in it (what a province's new database is), for the migration tests."""
    import psycopg
    url = admin_url()
    database = f"t_{name}_{secrets.token_hex(6)}".lower()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    return ServiceDatabase("postgresql", _url(url, database), os.path.join(str(folder), f"{name}-key.pem"), database)


def _url(admin: str, database: str) -> str:
    return admin.rsplit("/", 1)[0] + "/" + database


_template = None


def _migrated_template(admin, url: str) -> str:
    """This test process's template: made once, by the service's own migrations, then only copied (one per
    xdist worker: a template cannot be copied while another process is connected to it)."""
    global _template
    if _template is None:
        from kiosk.backend.store import Store
        name = f"template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
        admin.execute(f'CREATE DATABASE "{name}"')
        Store(_url(url, name)).close()
        _template = name
    return _template


def drop(db: ServiceDatabase) -> None:
    if db.engine != "postgresql":
        return
    import psycopg
    with psycopg.connect(admin_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


def dump(store) -> str:
    """Every row of every table, as text (what someone who copied the database would read)."""
    with store.engine.connection() as held:
        db = held.db
        if store.dialect == "sqlite":
            return "\n".join(db.iterdump())
        tables = [r[0] for r in db.execute("SELECT table_name FROM information_schema.tables WHERE "
                                           "table_schema = current_schema() ORDER BY table_name")]
        return "\n".join(f"{table}: {tuple(row)!r}" for table in tables
                         for row in db.execute(f'SELECT * FROM "{table}"'))
