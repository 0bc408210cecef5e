"""The card face and the face printers."""
import datetime as dt
import pathlib

import pytest
from PIL import Image, ImageChops, ImageDraw

from kiosk.hw.base import DeviceState
from kiosk.hw.camera import SimulatedCamera
from kiosk.hw.cardissuer import face
from kiosk.hw.cardissuer.branding import Branding
from kiosk.policy import profile
from kiosk.hw.cardissuer.faceprinter import CupsFacePrinter, EvolisFacePrinter, FacePrintError, SimulatedFacePrinter

DATA = face.FaceData("刘䶮", "610113198504300072", "A00000012", dt.date(2026, 11, 22))


ARTIFACTS = pathlib.Path(__file__).parent / "artifacts" / "card_face"
SHAANXI = Branding(profile("shaanxi").card_issuer, "中国农业银行")
FOOT_BG = (214, 228, 244)


def test_the_face_is_id1_at_300_dpi(tmp_path):
    image = face.render(DATA, SimulatedCamera().capture(), SHAANXI)
    assert image.size == (1011, 638) == face.SIZE
    printer = SimulatedFacePrinter(str(tmp_path))
    printer.print_face(image)
    with Image.open(printer.printed[0]) as saved:            # the file says 300 dpi: printed at its real size
        assert saved.size == face.SIZE and tuple(round(v) for v in saved.info["dpi"]) == (300, 300)


def test_the_photo_slot_is_26_by_32_mm_and_a_capture_is_scaled_down_into_it():
    x0, y0, x1, y1 = face.PHOTO
    assert (x1 - x0, y1 - y0) == (307, 378)                  # 26 × 32 mm at 300 dpi
    capture = SimulatedCamera().capture()
    assert capture.size == (1280, 720) and capture.width > x1 - x0 and capture.height > y1 - y0   # a camera frame
    image = face.render(DATA, capture, SHAANXI)
    inner = (x0 + 1, y0 + 1, x1 - 1, y1 - 1)                 # inside the frame's 1-dot line
    expected = face.fit_photo(capture, (x1 - x0, y1 - y0)).crop((1, 1, x1 - x0 - 1, y1 - y0 - 1))
    assert image.crop(inner).tobytes() == expected.tobytes()


def test_a_photo_of_other_proportions_is_cut_to_the_slot_not_stretched():
    wide = Image.new("RGB", (800, 400), (200, 30, 30))
    wide.paste((30, 200, 30), (0, 0, 100, 400))              # a green strip at the left edge: cut away
    image = face.render(DATA, wide)
    x0, y0, x1, y1 = face.PHOTO
    colours = {colour for _count, colour in image.crop((x0 + 2, y0 + 2, x1 - 2, y1 - 2)).getcolors(1 << 20)}
    assert colours == {(200, 30, 30)}


def ink_crop(image: Image.Image, background) -> Image.Image:
    """The part of ``image`` that differs from a plain ``background``: the text drawn on it."""
    plain = Image.new("RGB", image.size, background)
    box = ImageChops.difference(image.convert("RGB"), plain).getbbox()
    assert box, "no ink"
    return image.crop(box)


def text_image(text: str, font, fill, background) -> Image.Image:
    """``text`` drawn alone, as a reference for the face's own drawing of it."""
    canvas = Image.new("RGB", (face.SIZE[0], 120), background)
    ImageDraw.Draw(canvas).text((10, 10), text, font=font, fill=fill)
    return ink_crop(canvas, background)


def foot_without(image: Image.Image, other: Image.Image) -> Image.Image:
    """The foot line's pixels where two faces differ (the rest of the foot painted plain)."""
    foot_a, foot_b = image.crop(face.FOOT), other.crop(face.FOOT)
    mask = ImageChops.difference(foot_a, foot_b).convert("L").point(lambda v: 255 if v else 0)
    plain = Image.new("RGB", foot_a.size, FOOT_BG)
    return Image.composite(foot_a, plain, mask)


@pytest.mark.parametrize("region", ["shaanxi", "henan", "sichuan"])
def test_the_issuing_authority_of_the_region_is_printed_in_the_foot_line(region):
    authority = profile(region).card_issuer
    assert authority.endswith("省人力资源和社会保障厅") and profile(region).card_issuer_source.startswith("seeds/")
    printed = face.render(DATA, branding=Branding(authority, "中国农业银行"))
    blank = face.render(DATA, branding=Branding("", "中国农业银行"))
    drawn = ink_crop(foot_without(printed, blank), FOOT_BG)
    reference = text_image(f"发卡机构：{authority}", face._font(2.3), face.INK, FOOT_BG)
    assert drawn.size == reference.size and drawn.tobytes() == reference.tobytes()


def test_the_12333_hotline_is_printed_in_the_foot_line():
    with_line = face.render(DATA, branding=Branding("", "中国农业银行"))
    without = face.render(DATA, branding=Branding("", "中国农业银行", hotline=""))
    drawn = ink_crop(foot_without(with_line, without), FOOT_BG)
    reference = text_image("服务热线 12333", face._font(2.4, bold=True), face.BLUE, FOOT_BG)
    assert drawn.size == reference.size and drawn.tobytes() == reference.tobytes()


def test_the_bank_mark_is_placed_in_its_box_whole_and_in_proportion():
    green = (0, 160, 90)
    mark = Image.new("RGBA", (400, 100), green + (255,))
    image = face.render(DATA, branding=Branding("", "中国农业银行", mark))
    x0, y0, x1, y1 = face.BANK_MARK
    inside = sum(count for count, colour in image.crop(face.BANK_MARK).getcolors(1 << 20) if colour == green)
    everywhere = sum(count for count, colour in image.getcolors(1 << 20) if colour == green)
    assert inside == everywhere > 0                          # all of it in the box, none of it elsewhere
    box = ink_crop(plate_inside(image), "white")
    assert box.getpixel((box.width // 2, box.height // 2)) == green
    assert abs(box.width / box.height - 4.0) < 0.1           # its proportions kept (400 × 100)
    assert box.width <= x1 - x0 and box.height <= y1 - y0


def plate_inside(image: Image.Image) -> Image.Image:
    """The bank's white plate without its rounded corners (where the blue band shows)."""
    x0, y0, x1, y1 = face.BANK_MARK
    inset = face.mm(0.8)
    return image.crop((x0 + inset, y0 + inset, x1 - inset, y1 - inset))


def test_without_a_mark_the_banks_name_is_printed_in_its_box():
    image = face.render(DATA, branding=Branding("", "中国农业银行"))
    name = ink_crop(plate_inside(image), "white")
    reference = text_image("中国农业银行", face._font(3.0, bold=True), (160, 20, 30), "white")
    assert name.size == reference.size and name.tobytes() == reference.tobytes()


def test_the_contactless_mark_is_drawn_beside_the_chip():
    image = face.render(DATA)
    inked = sum(count for count, colour in image.crop(face.CONTACTLESS).getcolors(1 << 20) if colour == face.INK)
    x0, y0, x1, y1 = face.CONTACTLESS
    assert inked > 0.05 * (x1 - x0) * (y1 - y0)
    assert face.CONTACTLESS[1] > face.CHIP[3]                 # below the chip, clear of it


def test_the_face_is_saved_for_review():
    """The face a citizen would hold, saved for a person to look at (tests/artifacts/card_face/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mark = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(mark)                              # a made-up mark: no real bank's artwork
    draw.ellipse((4, 4, 116, 116), fill=(0, 122, 94, 255))
    draw.text((130, 30), "示例银行", font=face._font(4.5, bold=True), fill=(0, 122, 94, 255))
    for name, branding in (("face-shaanxi-bank-mark.png", Branding(SHAANXI.authority, "示例银行", mark)),
                           ("face-henan-bank-name.png", Branding(profile("henan").card_issuer, "中国农业银行"))):
        face.render(DATA, SimulatedCamera().capture(), branding).save(ARTIFACTS / name, dpi=(300, 300))
    assert (ARTIFACTS / "face-shaanxi-bank-mark.png").stat().st_size > 10_000


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
