"""The kiosk's key files: its own SM2 key and the service's public key pinned at enrolment."""
from __future__ import annotations

import os

from kiosk.security.sm2 import PrivateKey, PublicKey


def load_or_make_key(path: str, make=PrivateKey.generate) -> PrivateKey:
    """An SM2 key (the kiosk's; the demo service's): read, or made on first start and written readable by its
    owner only. Written whole under a temporary name, then linked into place, so a crash while writing never
    leaves a truncated key, and an existing key is never overwritten."""
    if os.path.exists(path):
        with open(path, encoding="ascii") as fh:
            return PrivateKey.from_pem(fh.read())
    key = make()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.to_pem())
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)                      # fails if a key appeared meanwhile: never overwritten
    finally:
        os.unlink(tmp)
    with open(os.path.splitext(path)[0] + ".pub.pem", "w", encoding="ascii") as fh:
        fh.write(key.public.to_pem())
    return key


ENROL_HINT = "sudo sbk-provision enroll --code CODE; in a checkout: python -m provisioning enroll --config CONFIG --code CODE"


def hand_to_folder_owner(*paths: str) -> None:
    """Key files written by root (a technician's sudo enroll) given to whoever owns their folder: the
    installed kiosk's keys folder belongs to the kiosk's user, mode 0700, and the kiosk must read its keys."""
    if os.geteuid() != 0:
        return
    for path in paths:
        if os.path.exists(path):
            folder = os.stat(os.path.dirname(os.path.abspath(path)))
            os.chown(path, folder.st_uid, folder.st_gid)


def required_key(path: str, what: str = "the kiosk's private key") -> PrivateKey:
    """A key made at enrolment that must be there: never made anew here (a new key is an unenrolled kiosk)."""
    return _required(path, what, PrivateKey.from_pem)


def required_public(path: str, what: str = "the service key pinned at enrolment") -> PublicKey:
    return _required(path, what, PublicKey.from_pem)


def _required(path: str, what: str, parse):
    from kiosk.errors import StartRefused
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise StartRefused(f"{what} {path} is missing: enrol this kiosk ({ENROL_HINT})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StartRefused(f"{what} {path} cannot be read ({type(exc).__name__}: {exc.strerror or exc}): "
                           f"it must be readable by the kiosk's user; or enrol again ({ENROL_HINT})") from None
    try:
        return parse(text)
    except Exception:          # whatever a damaged file makes the parser raise: the file is not a key
        raise StartRefused(f"{what} {path} is not a valid SM2 key: enrol again ({ENROL_HINT})") from None


def load_public(path: str) -> PublicKey | None:
    if not os.path.exists(path):
        return None
    with open(path, encoding="ascii") as fh:
        return PublicKey.from_pem(fh.read())


def save_public(path: str, key: PublicKey) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(key.to_pem())
    os.replace(tmp, path)
