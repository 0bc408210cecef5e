"""The photo port: nothing decodes without a vendor library; a library is called by its convention.

No vendor library can be had here, so the tests build a stand-in shared library with the system C compiler
that follows each calling convention and fills the image with a known pattern."""
import shutil
import subprocess

import pytest

from kiosk.hw.idreader.photo import (BMP_LEN, HEIGHT, WIDTH, NoPhotoDecoder, PhotoConfig, PhotoUnavailable,
                                     VendorPhotoDecoder, load)

STAND_IN = r"""
#include <stdio.h>
#include <string.h>
static void bmp(unsigned char *o, unsigned char shade) {
    memset(o, 0, 38862); o[0] = 'B'; o[1] = 'M';
    unsigned int v[] = {38862, 0, 54, 40, 102, 126};
    memcpy(o + 2, &v[0], 4); memcpy(o + 10, &v[2], 4); memcpy(o + 14, &v[3], 4);
    memcpy(o + 18, &v[4], 4); memcpy(o + 22, &v[5], 4);
    o[26] = 1; o[28] = 24;
    for (int r = 0; r < 126; r++) memset(o + 54 + r * 308, shade, 306);
}
int wlt_bmp(const unsigned char *wlt, unsigned char *out, int flag) { bmp(out, wlt[0]); return 1; }
int wlt_rgb(const unsigned char *wlt, unsigned char *out) { memset(out, wlt[0], 38556); return 1; }
int wlt_file(const char *src, const char *dst) {
    unsigned char w[1024], o[38862]; FILE *f = fopen(src, "rb");
    if (!f || fread(w, 1, 1024, f) != 1024) return -1; fclose(f);
    bmp(o, w[0]); f = fopen(dst, "wb"); fwrite(o, 1, sizeof o, f); fclose(f); return 1;
}
int wlt_refuses(const unsigned char *wlt, unsigned char *out, int flag) { return -3; }
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    if not shutil.which("cc"):
        pytest.skip("no C compiler to build the stand-in vendor library")
    folder = tmp_path_factory.mktemp("vendor")
    (folder / "wlt.c").write_text(STAND_IN)
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(folder / "libwlt.so"), str(folder / "wlt.c")], check=True)
    return str(folder / "libwlt.so")


def test_without_a_library_nothing_is_decoded():
    decoder = load(PhotoConfig())
    assert not decoder.installed and "not installed" in decoder.status
    with pytest.raises(PhotoUnavailable) as failure:
        decoder.decode(b"\0" * 1024)
    assert "照片" in failure.value.zh


def test_a_missing_library_is_reported_not_fatal(tmp_path):
    decoder = load(PhotoConfig(library=str(tmp_path / "libnope.so"), function="unpack"))
    assert isinstance(decoder, NoPhotoDecoder) and "libnope.so" in decoder.status


def test_a_missing_function_is_reported(library):
    decoder = load(PhotoConfig(library=library, function="no_such_symbol"))
    assert not decoder.installed and "no_such_symbol" in decoder.status


@pytest.mark.parametrize("function,convention", [("wlt_bmp", "bmp_buffer"), ("wlt_rgb", "rgb_buffer"),
                                                 ("wlt_file", "file")])
def test_each_calling_convention(library, function, convention):
    decoder = load(PhotoConfig(library=library, function=function, convention=convention))
    assert decoder.installed
    image = decoder.decode(bytes([0x80]) + b"\0" * 1023)
    assert image.size == (WIDTH, HEIGHT) and image.getpixel((50, 60)) == (0x80, 0x80, 0x80)


def test_a_failing_library_call_is_a_typed_error(library):
    decoder = VendorPhotoDecoder(PhotoConfig(library=library, function="wlt_refuses"))
    with pytest.raises(PhotoUnavailable, match="returned -3"):
        decoder.decode(b"\0" * 1024)
    with pytest.raises(PhotoUnavailable, match="1024"):
        decoder.decode(b"\0" * 10)


def test_bmp_size_is_the_published_one():
    assert BMP_LEN == 38862
