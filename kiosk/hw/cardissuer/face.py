"""The card face, rendered with Pillow at 300 dpi on the ID-1 size (85.60 × 53.98 mm, the size
《社会保障(个人)卡规范 第1部分：卡面样式》 references, research/anchors.md §3.10).

Layout after the national card face (front): the title band with the card's mark, 中华人民共和国社会保障卡 and
its English line, and the partner bank's mark (a configured image, or the bank's name in text:
kiosk/hw/cardissuer/branding.py); the chip where ISO/IEC 7816-2 puts the contacts and the contactless mark
below it (the 3rd generation adds a contactless interface, seeds/003 "增加非接触使用功能"); the holder's data
— 姓名, 社会保障号码, 社会保障卡号, 发卡日期 — printed in full (it is the holder's own card); the photo on the
right; and a foot line with the issuing authority (发卡机构, from the region profile) and the 12333 hotline.

NOT CONFIRMED: the national layout's exact positions (the spec is not public; these follow published card
images); that the authority and the hotline are on the front (on issued cards they are usually on the back,
which this single-sided kiosk printer does not print); the printed photo's size (below). Positions are in
millimetres, so a province's own layout is a change of numbers here. The national emblem is not drawn: the
round mark is a plain placeholder for the artwork pre-printed on the card stock.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from kiosk import fonts
from kiosk.hw.cardissuer.branding import Branding

DPI = 300
WIDTH_MM, HEIGHT_MM = 85.60, 53.98


def mm(value: float) -> int:
    return round(value / 25.4 * DPI)


SIZE = (mm(WIDTH_MM), mm(HEIGHT_MM))                 # 1011 × 638 dots
BAND_MM = 12.6                                       # the title band
CHIP = (mm(10.25), mm(19.23), mm(10.25 + 11.0), mm(19.23 + 9.0))   # ISO/IEC 7816-2 contact area
CONTACTLESS = (mm(11.2), mm(31.0), mm(11.2 + 8.0), mm(31.0 + 8.0))  # the contactless mark's box
# The photo slot. The applicant's digital photo is 358 × 441 px (kiosk/hw/camera.py); at the 350 dpi such
# photos are specified at that is 26 × 32 mm, printed here at that size — 307 × 378 dots at 300 dpi, so a
# capture is scaled down, never up. NOT CONFIRMED against the national face spec: change PHOTO_MM.
PHOTO_MM = (26.0, 32.0)
PHOTO_AT_MM = (57.2, 14.2)
PHOTO = (mm(PHOTO_AT_MM[0]), mm(PHOTO_AT_MM[1]),
         mm(PHOTO_AT_MM[0]) + mm(PHOTO_MM[0]), mm(PHOTO_AT_MM[1]) + mm(PHOTO_MM[1]))
BANK_MARK = (mm(63.6), mm(1.6), mm(83.6), mm(11.0))  # the bank's mark, on a white plate in the band
FOOT = (0, mm(48.3), SIZE[0], SIZE[1])               # the authority and the hotline
FIELDS_X, FIELDS_Y, LINE = mm(23.6), mm(14.6), mm(7.9)   # each field: a small label above its value

BLUE, INK, LABEL = (24, 86, 160), (15, 20, 30), (70, 80, 95)
NO_BRANDING = Branding(authority="", bank_name="")


@dataclass(frozen=True)
class FaceData:
    name: str
    ssn: str
    card_number: str
    issue_date: dt.date


def _font(size_mm: float, bold: bool = False):
    return ImageFont.truetype(fonts.collection("Bold" if bold else "Regular"), mm(size_mm), index=fonts.SC_INDEX)


def _fitting_font(draw: ImageDraw.ImageDraw, text: str, size_mm: float, width: int, bold: bool = False):
    """The largest font up to ``size_mm`` in which ``text`` fits ``width`` dots (a long bank or office name)."""
    size = size_mm
    while size > 1.2 and draw.textlength(text, font=_font(size, bold)) > width:
        size -= 0.1
    return _font(size, bold)


def render(data: FaceData, photo: Image.Image | None = None, branding: Branding = NO_BRANDING) -> Image.Image:
    face = Image.new("RGB", SIZE, (236, 244, 252))
    draw = ImageDraw.Draw(face)
    _band(face, draw, branding)
    _chip(draw)
    contactless_mark(draw, CONTACTLESS)
    label, value = _font(2.0), _font(3.0)
    rows = (("姓名", data.name), ("社会保障号码", data.ssn), ("社会保障卡号", data.card_number),
            ("发卡日期", data.issue_date.strftime("%Y年%m月")))
    for i, (key, text) in enumerate(rows):
        y = FIELDS_Y + i * LINE
        draw.text((FIELDS_X, y), key, font=label, fill=LABEL)
        draw.text((FIELDS_X, y + mm(2.5)), text, font=value, fill=INK)
    _photo(face, draw, photo)
    _foot(draw, branding)
    face.info["dpi"] = (DPI, DPI)
    return face


def _band(face: Image.Image, draw: ImageDraw.ImageDraw, branding: Branding) -> None:
    draw.rectangle((0, 0, SIZE[0], mm(BAND_MM)), fill=BLUE)
    # the card's round mark: a plain placeholder where the stock carries the national artwork
    ring = (mm(2.4), mm(2.1), mm(10.6), mm(10.3))
    draw.ellipse(ring, fill="white")
    draw.ellipse((ring[0] + 5, ring[1] + 5, ring[2] - 5, ring[3] - 5), outline=BLUE, width=3)
    draw.text(((ring[0] + ring[2]) // 2, (ring[1] + ring[3]) // 2), "社保", font=_font(2.5, bold=True),
              fill=BLUE, anchor="mm")
    draw.text((mm(12.2), mm(1.5)), "中华人民共和国社会保障卡", font=_font(4.0, bold=True), fill="white")
    draw.text((mm(12.3), mm(7.7)), "SOCIAL SECURITY CARD OF THE PEOPLE'S REPUBLIC OF CHINA",
              font=_fitting_font(draw, "SOCIAL SECURITY CARD OF THE PEOPLE'S REPUBLIC OF CHINA", 1.8,
                                 BANK_MARK[0] - mm(13.5)), fill=(220, 232, 248))
    draw.rounded_rectangle(BANK_MARK, radius=mm(1.0), fill="white")
    inner = (BANK_MARK[0] + mm(0.8), BANK_MARK[1] + mm(0.6), BANK_MARK[2] - mm(0.8), BANK_MARK[3] - mm(0.6))
    if branding.bank_mark is not None:
        mark = branding.bank_mark.copy()
        mark.thumbnail((inner[2] - inner[0], inner[3] - inner[1]), Image.LANCZOS)   # contained, ratio kept
        x = inner[0] + (inner[2] - inner[0] - mark.width) // 2
        y = inner[1] + (inner[3] - inner[1] - mark.height) // 2
        face.paste(mark, (x, y), mark)
    elif branding.bank_name:
        font = _fitting_font(draw, branding.bank_name, 3.0, inner[2] - inner[0], bold=True)
        draw.text(((inner[0] + inner[2]) // 2, (inner[1] + inner[3]) // 2), branding.bank_name, font=font,
                  fill=(160, 20, 30), anchor="mm")


def _chip(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle(CHIP, radius=mm(1.5), fill=(212, 175, 55), outline=(150, 120, 30), width=2)
    x = CHIP[0] + (CHIP[2] - CHIP[0]) // 2
    draw.line((x, CHIP[1], x, CHIP[3]), fill=(150, 120, 30), width=2)
    for i in (1, 2):
        y = CHIP[1] + (CHIP[3] - CHIP[1]) * i // 3
        draw.line((CHIP[0], y, CHIP[2], y), fill=(150, 120, 30), width=2)


def contactless_mark(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], fill=INK) -> None:
    """The contactless symbol as commonly drawn: four arcs of growing radius opening to the right, like a
    signal leaving the card (drawn here, no artwork copied)."""
    x0, y0, x1, y1 = box
    height = y1 - y0
    cy = (y0 + y1) / 2
    width = max(2, round(height * 0.09))
    for i in range(4):
        radius = height * (0.16 + 0.12 * i)
        cx = x0 + (i * height * 0.13) - radius * math.cos(math.radians(50)) + height * 0.05
        draw.arc((cx - radius, cy - radius, cx + radius, cy + radius), start=-50, end=50, fill=fill, width=width)


def _photo(face: Image.Image, draw: ImageDraw.ImageDraw, photo: Image.Image | None) -> None:
    box = PHOTO
    size = (box[2] - box[0], box[3] - box[1])
    if photo is not None:
        face.paste(fit_photo(photo, size), box[:2])
        draw.rectangle(box, outline=(160, 170, 185), width=1)
    else:                                   # no photo (a child under 7, or no camera): a marked empty frame
        draw.rectangle(box, fill=(250, 250, 250), outline=(160, 170, 185), width=2)
        draw.text(((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), "无照片", font=_font(3.0),
                  fill=(160, 170, 185), anchor="mm")


def fit_photo(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo cut to the slot's proportions around its centre, then scaled to the slot (a 358 × 441
    capture is scaled down; nothing is stretched)."""
    photo = photo.convert("RGB")
    width, height = photo.size
    want = size[0] / size[1]
    if width / height > want:            # too wide: cut the sides
        keep = round(height * want)
        photo = photo.crop(((width - keep) // 2, 0, (width - keep) // 2 + keep, height))
    elif width / height < want:          # too tall: cut top and bottom evenly
        keep = round(width / want)
        photo = photo.crop((0, (height - keep) // 2, width, (height - keep) // 2 + keep))
    return photo.resize(size, Image.LANCZOS)


def _foot(draw: ImageDraw.ImageDraw, branding: Branding) -> None:
    x0, y0, x1, y1 = FOOT
    draw.rectangle(FOOT, fill=(214, 228, 244))
    middle = (y0 + y1) // 2
    hotline = f"服务热线 {branding.hotline}" if branding.hotline else ""
    hotline_font = _font(2.4, bold=True)
    right = x1 - mm(3.0)
    if hotline:
        draw.text((right, middle), hotline, font=hotline_font, fill=BLUE, anchor="rm")
        right -= round(draw.textlength(hotline, font=hotline_font)) + mm(3.0)
    if branding.authority:
        text = f"发卡机构：{branding.authority}"
        draw.text((mm(3.0), middle), text, font=_fitting_font(draw, text, 2.3, right - mm(3.0)), fill=INK,
                  anchor="lm")
