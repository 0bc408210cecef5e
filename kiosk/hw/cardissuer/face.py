"""The card face, rendered with Pillow at 300 dpi on the ID-1 size (85.60 × 53.98 mm).

Layout after the national card face (front): the title band 中华人民共和国社会保障卡 with its English line,
the chip where ISO/IEC 7816-2 puts the contacts, the holder's data beside it — 姓名, 社会保障号码,
社会保障卡号, 发卡日期 — and the photo on the right. Positions are in millimetres so a province's own
layout is a change of numbers here. The exact national dimensions are NOT CONFIRMED (the spec is not
public); these follow published card images.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from kiosk import fonts

DPI = 300
WIDTH_MM, HEIGHT_MM = 85.60, 53.98


def mm(value: float) -> int:
    return round(value / 25.4 * DPI)


SIZE = (mm(WIDTH_MM), mm(HEIGHT_MM))                 # 1011 × 638 dots
CHIP = (mm(10.25), mm(19.23), mm(10.25 + 11.0), mm(19.23 + 9.0))   # ISO/IEC 7816-2 contact area
PHOTO = (mm(60.0), mm(17.0), mm(60.0 + 20.0), mm(17.0 + 25.0))      # 20 × 25 mm
FIELDS_X, FIELDS_Y, LINE = mm(24.0), mm(15.2), mm(9.2)    # each field: a small label above its value


@dataclass(frozen=True)
class FaceData:
    name: str
    ssn: str
    card_number: str
    issue_date: dt.date


def _font(size_mm: float, bold: bool = False):
    return ImageFont.truetype(fonts.collection("Bold" if bold else "Regular"), mm(size_mm), index=fonts.SC_INDEX)


def render(data: FaceData, photo: Image.Image | None = None) -> Image.Image:
    face = Image.new("RGB", SIZE, (236, 244, 252))
    draw = ImageDraw.Draw(face)
    draw.rectangle((0, 0, SIZE[0], mm(13.0)), fill=(24, 86, 160))
    draw.text((mm(4.0), mm(2.0)), "中华人民共和国社会保障卡", font=_font(4.6, bold=True), fill="white")
    draw.text((mm(4.0), mm(8.4)), "SOCIAL SECURITY CARD OF THE PEOPLE'S REPUBLIC OF CHINA", font=_font(2.1),
              fill=(220, 232, 248))
    draw.rounded_rectangle(CHIP, radius=mm(1.5), fill=(212, 175, 55), outline=(150, 120, 30), width=2)
    for x in (CHIP[0] + (CHIP[2] - CHIP[0]) // 2,):
        draw.line((x, CHIP[1], x, CHIP[3]), fill=(150, 120, 30), width=2)
    for i in (1, 2):
        y = CHIP[1] + (CHIP[3] - CHIP[1]) * i // 3
        draw.line((CHIP[0], y, CHIP[2], y), fill=(150, 120, 30), width=2)
    label, value = _font(2.2), _font(3.0)
    rows = (("姓名", data.name), ("社会保障号码", data.ssn), ("社会保障卡号", data.card_number),
            ("发卡日期", data.issue_date.strftime("%Y年%m月")))
    for i, (key, text) in enumerate(rows):
        y = FIELDS_Y + i * LINE
        draw.text((FIELDS_X, y), key, font=label, fill=(70, 80, 95))
        draw.text((FIELDS_X, y + mm(3.0)), text, font=value, fill=(15, 20, 30))
    box = PHOTO
    if photo is not None:
        face.paste(photo.convert("RGB").resize((box[2] - box[0], box[3] - box[1])), box[:2])
    else:                                   # no decoded photo (or a child under 7): a marked empty frame
        draw.rectangle(box, fill=(250, 250, 250), outline=(160, 170, 185), width=2)
        draw.text((box[0] + mm(5.0), box[1] + mm(10.5)), "无照片", font=_font(3.0), fill=(160, 170, 185))
    return face
