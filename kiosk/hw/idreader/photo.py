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
