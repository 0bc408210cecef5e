"""The ID card photo: 1024 bytes of WLT, compressed and encrypted; only a licensed vendor library decodes
it (protocols.md §2.8: no open decoder exists). This module is the port for that library and never
pretends: without one, the photo is kept as bytes and the status says "photo decoding not installed".

Vendor libraries differ in how they are called; the configuration names the library, the function and
one of these calling conventions (all seen in public wrappers of reader SDKs):
  ``bmp_buffer``   int f(const unsigned char *wlt, unsigned char *bmp, int flag)  → a 38862-byte BMP file
  ``rgb_buffer``   int f(const unsigned char *wlt, unsigned char *rgb)            → 102×126×3 bytes, BGR
  ``file``         int f(const char *wlt_path, const char *bmp_path)              → writes a BMP file
and the return value that means success (1 in every SDK seen).
"""
from __future__ import annotations

import ctypes
import io
import os
import tempfile
from dataclasses import dataclass

from PIL import Image

from kiosk.hw.base import Action, DeviceError

WIDTH, HEIGHT = 102, 126
RGB_LEN = WIDTH * HEIGHT * 3            # 38556
BMP_LEN = 54 + HEIGHT * 308             # 38862: 54-byte header, rows padded to 308 bytes
CONVENTIONS = ("bmp_buffer", "rgb_buffer", "file")


class PhotoUnavailable(DeviceError):
    action = Action.CONFIGURATION


@dataclass(frozen=True)
class PhotoConfig:
    library: str = ""
    function: str = ""
    convention: str = "bmp_buffer"
    success: int = 1


class NoPhotoDecoder:
    """The default: the WLT block is kept, nothing is decoded."""
    installed = False
    status = "photo decoding not installed (no vendor library configured)"

    def decode(self, wlt: bytes) -> Image.Image:
        raise PhotoUnavailable(self.status, zh="本机未安装身份证照片解码组件",
                               en="ID photo decoding is not installed on this kiosk")


class VendorPhotoDecoder:
    """Calls a vendor shared library through ctypes."""
    installed = True

    def __init__(self, config: PhotoConfig):
        if config.convention not in CONVENTIONS:
            raise ValueError(f"photo convention {config.convention!r}: one of {', '.join(CONVENTIONS)}")
        self.config = config
        self._lib = ctypes.CDLL(config.library)      # OSError when missing: the caller reports it
        self._fn = getattr(self._lib, config.function)  # AttributeError when the symbol is absent
        self._fn.restype = ctypes.c_int
        self.status = f"photo decoding by {os.path.basename(config.library)}:{config.function}"

    def _failed(self, detail: str) -> PhotoUnavailable:
        return PhotoUnavailable(f"{self.config.function}: {detail}", zh="身份证照片解码失败",
                                en="The ID photo could not be decoded", action=Action.RETRY)

    def decode(self, wlt: bytes) -> Image.Image:
        if len(wlt) != 1024:
            raise self._failed(f"WLT block is {len(wlt)} bytes, expected 1024")
        source = ctypes.create_string_buffer(bytes(wlt), 1024)
        convention = self.config.convention
        if convention == "file":
            with tempfile.TemporaryDirectory() as tmp:
                wlt_path, bmp_path = os.path.join(tmp, "photo.wlt"), os.path.join(tmp, "photo.bmp")
                with open(wlt_path, "wb") as fh:
                    fh.write(wlt)
                result = self._fn(wlt_path.encode(), bmp_path.encode())
                if result != self.config.success or not os.path.exists(bmp_path):
                    raise self._failed(f"returned {result}")
                with open(bmp_path, "rb") as fh:
                    return self._from_bmp(fh.read())
        size = BMP_LEN if convention == "bmp_buffer" else RGB_LEN
        out = ctypes.create_string_buffer(size + 1024)       # slack: some libraries write past the image
        args = (source, out, ctypes.c_int(0)) if convention == "bmp_buffer" else (source, out)
        result = self._fn(*args)
        if result != self.config.success:
            raise self._failed(f"returned {result}")
        if convention == "bmp_buffer":
            return self._from_bmp(out.raw[:size])
        return Image.frombytes("RGB", (WIDTH, HEIGHT), out.raw[:RGB_LEN], "raw", "BGR")

    def _from_bmp(self, data: bytes) -> Image.Image:
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except Exception as exc:
            raise self._failed(f"output is not a BMP ({exc})") from None
        if image.size != (WIDTH, HEIGHT):
            raise self._failed(f"image is {image.size}, expected {WIDTH}×{HEIGHT}")
        return image.convert("RGB")


# The demo ID cards' photo block: what the simulated reader sends where a real card has its WLT. It names the
# person whose photograph kiosk.faces.samples makes the ID photo from; a real WLT never starts like this.
SIM_WLT_MAGIC = b"SIMWLT1\0"
WLT_LEN = 1024


def simulated_wlt(person: str) -> bytes:
    """A demo card's 1024-byte photo block for ``person`` (a key of kiosk.faces.samples.PERSONS)."""
    name = person.encode("ascii")
    if not name or b"\0" in name or len(SIM_WLT_MAGIC) + len(name) > WLT_LEN:
        raise ValueError(f"not a person key: {person!r}")
    return (SIM_WLT_MAGIC + name).ljust(WLT_LEN, b"\0")


def simulated_person(wlt: bytes) -> str | None:
    """The person a demo card's photo block names; None for anything else (a real WLT, an empty block)."""
    if len(wlt) != WLT_LEN or not wlt.startswith(SIM_WLT_MAGIC):
        return None
    name = wlt[len(SIM_WLT_MAGIC):].split(b"\0", 1)[0]
    try:
        return name.decode("ascii") or None
    except UnicodeDecodeError:
        return None


class SimulatedPhotoDecoder:
    """The decoder of the simulated kiosk: a demo card's photo block gives that person's 102 × 126 ID photo,
    made from a real photograph (kiosk.faces.samples). A real card's WLT cannot be decoded without the
    vendor's library, and this decoder says so rather than return a wrong face."""
    installed = True
    status = "simulated ID photos (demo ID cards only)"

    def decode(self, wlt: bytes) -> Image.Image:
        from kiosk.faces import samples       # where the photographs are: samples.samples_dir()
        person = simulated_person(bytes(wlt))
        if person is None or person not in samples.PERSONS:
            raise PhotoUnavailable("the simulated decoder reads only the demo cards' photo blocks",
                                   zh="身份证照片无法读取", en="The ID photo cannot be read")
        if not samples.available():
            raise PhotoUnavailable(f"sample faces missing in {samples.samples_dir()}: run {samples.FETCH_HINT}",
                                   zh="本机未安装身份证照片解码组件", en="ID photo decoding is not installed on this kiosk")
        return samples.id_photo(person).copy()


def load(config: PhotoConfig):
    """The decoder a config asks for; a missing or broken library gives a NoPhotoDecoder saying why."""
    if not config.library:
        return NoPhotoDecoder()
    try:
        return VendorPhotoDecoder(config)
    except (OSError, AttributeError, ValueError) as exc:
        fallback = NoPhotoDecoder()
        fallback.status = f"photo decoding not installed: {config.library}:{config.function}: {exc}"
        return fallback
