"""The card face and the face printers."""
import datetime as dt

import pytest
from PIL import Image

from kiosk.hw.base import DeviceState
from kiosk.hw.cardissuer import face
from kiosk.hw.cardissuer.faceprinter import CupsFacePrinter, EvolisFacePrinter, FacePrintError, SimulatedFacePrinter

DATA = face.FaceData("刘䶮", "610113198504300072", "A00000012", dt.date(2026, 11, 22))


def test_the_face_is_id1_at_300_dpi():
    image = face.render(DATA)
    assert image.size == (1011, 638) == face.SIZE


def test_the_photo_goes_in_its_frame():
    photo = Image.new("RGB", (102, 126), (200, 30, 30))
    image = face.render(DATA, photo)
    x0, y0, x1, y1 = face.PHOTO
    assert image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2)) == (200, 30, 30)


def test_the_rare_character_is_drawn_not_boxed():
    """䶮 (CJK Extension A) must come out as a glyph: its ink differs from the font's missing-glyph box."""
    from PIL import ImageDraw
    font = face._font(3.0)
    def ink(ch):
        img = Image.new("L", (60, 60), 255)
        ImageDraw.Draw(img).text((5, 5), ch, font=font, fill=0)
        return img.tobytes()
    assert ink("䶮") != ink("\U000F0000")           # a private-use character: the font has no glyph for it


def test_simulated_printer_keeps_the_png_and_scripts_faults(tmp_path):
    printer = SimulatedFacePrinter(str(tmp_path))
    printer.print_face(face.render(DATA))
    assert Image.open(printer.printed[0]).size == face.SIZE
    printer.inject("jam")
    with pytest.raises(FacePrintError):
        printer.print_face(face.render(DATA))
    printer.inject("ribbon_out")
    assert printer.status().state is DeviceState.HARDWARE_ERROR


def test_evolis_and_cups_say_plainly_when_absent():
    assert EvolisFacePrinter().status().state is DeviceState.OFFLINE
    status = CupsFacePrinter("no-such-queue").status()
    assert status.state is DeviceState.OFFLINE and status.detail
