"""Fetches the photographs of real faces that the simulated camera, the demo ID cards and the face tests use.

No photograph is committed: each comes from a package on the Python package registry (pinned, checked by
its SHA-256), fetched with pip into a cache and copied out:

  face_recognition 1.3.0, source distribution, tests/test_images/ — four photographs of one man (Barack Obama:
      obama.jpg, obama2.jpg, obama3.jpg, and two half-face crops) and one of another (Joe Biden: biden.jpg)
  matplotlib 3.11.2, mpl-data/sample_data/grace_hopper.jpg — a third person (Grace Hopper)
  scikit-image 0.26.0, skimage/data/astronaut.png — a fourth (Eileen Collins)

    python scripts/fetch_sample_faces.py [DIR]      (default var/sample-faces; prints the directory)

Idempotent: files already there with the right hash are kept; exit 1 when a package cannot be fetched.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "sample-faces"

# file name here: (package requirement, binary?, path inside the archive, sha256)
SOURCES = {
    "obama.jpg": ("face_recognition==1.3.0", False, "tests/test_images/obama.jpg",
                  "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6"),
    "obama2.jpg": ("face_recognition==1.3.0", False, "tests/test_images/obama2.jpg",
                   "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6"),
    "obama3.jpg": ("face_recognition==1.3.0", False, "tests/test_images/obama3.jpg",
                   "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3"),
    "obama_partial_face.jpg": ("face_recognition==1.3.0", False, "tests/test_images/obama_partial_face.jpg",
                               "c2d1f09e7ef3042352b41e41286e6eb0522f64f88308be13886991b95db52117"),
    "obama_partial_face2.jpg": ("face_recognition==1.3.0", False, "tests/test_images/obama_partial_face2.jpg",
                                "9a812347f97633542b8cd9992de22def11b74f79d82056bc3ee830f13878e028"),
    "biden.jpg": ("face_recognition==1.3.0", False, "tests/test_images/biden.jpg",
                  "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c"),
    "grace_hopper.jpg": ("matplotlib==3.11.2", True, "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
                         "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"),
    "astronaut.png": ("scikit-image==0.26.0", True, "skimage/data/astronaut.png",
                      "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
}

# who is in each photograph: the labels the face tests and the bench count pairs by
PERSON = {"obama.jpg": "obama", "obama2.jpg": "obama", "obama3.jpg": "obama", "obama_partial_face.jpg": "obama",
          "obama_partial_face2.jpg": "obama", "biden.jpg": "biden", "grace_hopper.jpg": "hopper",
          "astronaut.png": "collins"}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _have(target: Path, digest: str) -> bool:
    return target.exists() and _sha256(target.read_bytes()) == digest


def _download(requirement: str, binary: bool, into: Path) -> Path:
    """One archive of the package (pip's cache makes a second run local)."""
    mode = ["--only-binary", ":all:"] if binary else ["--no-binary", ":all:"]
    done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", *mode, requirement,
                           "-d", str(into)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise OSError(f"pip download {requirement} failed: {done.stderr.strip()[-400:]}")
    name = requirement.split("==")[0].replace("-", "_").lower()
    found = [p for p in into.iterdir() if p.name.replace("-", "_").lower().startswith(name)]
    if not found:
        raise FileNotFoundError(f"pip fetched nothing for {requirement}")
    return found[0]


def _members(archive: Path) -> dict[str, bytes]:
    """name inside the archive (without a source distribution's top folder) → bytes, images only."""
    out: dict[str, bytes] = {}
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.endswith((".jpg", ".png")):
                    out[name] = zf.read(name)
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if member.isfile() and member.name.endswith((".jpg", ".png")):
                    out[member.name.split("/", 1)[1]] = tf.extractfile(member).read()
    return out


def fetch(directory: Path = DEFAULT_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {name: src for name, src in SOURCES.items() if not _have(directory / name, src[3])}
    by_package: dict[tuple[str, bool], list[str]] = {}
    for name, (requirement, binary, _, _) in wanted.items():
        by_package.setdefault((requirement, binary), []).append(name)
    for (requirement, binary), names in by_package.items():
        with tempfile.TemporaryDirectory() as tmp:
            members = _members(_download(requirement, binary, Path(tmp)))
        for name in names:
            inner, digest = SOURCES[name][2], SOURCES[name][3]
            data = members.get(inner)
            if data is None or _sha256(data) != digest:
                raise ValueError(f"{requirement}: {inner} missing or not the expected file")
            (directory / name).write_bytes(data)
    return directory


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DEFAULT_DIR
    try:
        print(fetch(target))
    except (OSError, ValueError) as exc:
        print(f"sample faces: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
