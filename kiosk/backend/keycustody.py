"""Where the service's signing key lives: a key file readable by the service's user only, never the database.

Every answer the service gives is signed with this key and every kiosk pins its public half at enrolment, so
whoever holds it can answer as the service. A database is copied, backed up and read by reports; a key in it
travels with every copy. The key therefore sits in one file (PKCS#8 PEM, mode 0600) that every worker and
every host of the service reads; an HSM would sit behind the same :class:`KeyCustody` port later.

A database from before this kept the key in ``service_keys``: the first start moves it into the file (the
kiosks' pinned key stays the same) and deletes it from the database."""
from __future__ import annotations

import os
import stat
from typing import Protocol

from kiosk.keyfiles import load_or_make_key
from kiosk.security.sm2 import PrivateKey, Sm2Error


class KeyCustodyError(RuntimeError):
    """The service cannot get its signing key safely: says what a technician must do."""


class KeyCustody(Protocol):
    def signing_key(self) -> PrivateKey: ...


def default_key_path(db_path: str) -> str:
    """The key file beside a database when none is named: ``service.db`` → ``service-key.pem``. A PostgreSQL
    database has no "beside": its key file must be named (``--key-file``)."""
    from kiosk.backend.engines import is_postgres
    if is_postgres(db_path):
        raise ValueError("a service on PostgreSQL needs its key file named (--key-file): it has no folder to "
                         "keep one beside the database")
    return os.path.splitext(os.path.abspath(db_path))[0] + "-key.pem"


class KeyFile:
    """The key in a file, made (0600) on the first start when ``create`` is set."""

    def __init__(self, path: str, create: bool = True):
        self.path = path
        self.create = create

    def signing_key(self, make=PrivateKey.generate) -> PrivateKey:
        if not os.path.exists(self.path):
            if not self.create:
                raise KeyCustodyError(f"no service key file at {self.path}")
            try:
                return load_or_make_key(self.path, make)
            except FileExistsError:          # another worker made it meanwhile: read theirs
                pass
        mode = os.stat(self.path).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyCustodyError(f"the service key file {self.path} is readable by others "
                                  f"(mode {stat.S_IMODE(mode):o}): chmod 600 it")
        try:
            with open(self.path, encoding="ascii") as fh:
                return PrivateKey.from_pem(fh.read())
        except (OSError, UnicodeDecodeError, Sm2Error) as exc:
            raise KeyCustodyError(f"the service key file {self.path} cannot be read: {exc}") from None


def key_for(store, custody: KeyFile) -> PrivateKey:
    """The service's key, moving a key an older database holds into the key file first."""
    legacy = store.legacy_service_key()
    if legacy is None:
        return custody.signing_key()
    try:
        old = PrivateKey.from_pem(legacy)
    except Sm2Error as exc:
        raise KeyCustodyError(f"the database's old service key cannot be read: {exc}") from None
    key = custody.signing_key(make=lambda: old)
    if key.public != old.public:
        raise KeyCustodyError(f"the database holds another service key than {custody.path}: the kiosks pinned "
                              f"one of them; keep that one and remove the other")
    store.forget_legacy_service_key()
    return key
