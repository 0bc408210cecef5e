"""Scenes made from real photographs of faces, for the simulated camera, the demo ID cards, tests and the bench.

The photographs come from registry packages (``scripts/fetch_sample_faces.py``, into ``var/sample-faces``);
nothing here draws a face. What is derived, and how:

- ``scene``: a person in front of the kiosk's plain light backdrop — the head and shoulders of a photograph,
  cut out along an ellipse around the landmarks and feathered onto the backdrop, at a chosen size and place;
- ``close_eyes``: the same photograph with both eyes closed — the skin above each upper lid is stretched down
  over the eye (dlib then measures the eyes as closed: the eye aspect ratio drops by 15–30 %);
- ``printed``: a print of a photograph held up to the camera — paper border, flattened contrast, a tilt;
- ``two_people``, ``nobody``: what the names say;
- ``id_photo``: the 102 × 126 colour photo a second-generation ID card carries (white background, head and
  shoulders), as the vendor's WLT decoder returns it.

The live camera of a person shows other photographs than that person's ID photo where there are several
(Obama: the ID photo is obama.jpg, the camera shows obama2/obama3), so a match is a real comparison.
"""
from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from kiosk.faces import engine as face_engine

ROOT = Path(__file__).resolve().parent.parent.parent
BACKDROP = (238, 239, 241)          # the kiosk's photo backdrop: plain, light grey
FETCH_HINT = "python scripts/fetch_sample_faces.py (make setup runs it)"


@dataclass(frozen=True)
class Person:
    key: str
    id_source: str                  # the photograph the ID card's photo is made from
    live_sources: tuple[str, ...]   # what the camera shows of this person


PERSONS = {
    "obama": Person("obama", "obama.jpg", ("obama2.jpg", "obama3.jpg")),
    "biden": Person("biden", "biden.jpg", ("biden.jpg",)),
    "hopper": Person("hopper", "grace_hopper.jpg", ("grace_hopper.jpg",)),
    "collins": Person("collins", "astronaut.png", ("astronaut.png",)),
}


class SamplesMissing(FileNotFoundError):
    pass


def samples_dir() -> Path:
    return Path(os.environ.get("KIOSK_SAMPLE_FACES", ROOT / "var" / "sample-faces"))


def available() -> bool:
    folder = samples_dir()
    return all((folder / p.id_source).exists() and all((folder / s).exists() for s in p.live_sources)
               for p in PERSONS.values())


LEVEL = "@level"     # a photograph's name + LEVEL: the same photograph turned so the eyes are level


@functools.lru_cache(maxsize=16)
def photograph(name: str) -> Image.Image:
    """A sample photograph; ``name@level``: turned about the face so its eye line is level — the head held
    straight, as a person does at the kiosk when told "不要歪头" (Biden's portrait leans 13°)."""
    if name.endswith(LEVEL):
        base = name[:-len(LEVEL)]
        face = face_of(base)
        left, right = face.group("left_eye").mean(axis=0), face.group("right_eye").mean(axis=0)
        angle = math.degrees(math.atan2(right[1] - left[1], right[0] - left[0]))
        return photograph(base).rotate(angle, resample=Image.BICUBIC, center=face.centre,
                                       fillcolor=BACKDROP)
    path = samples_dir() / name
    if not path.exists():
        raise SamplesMissing(f"sample photograph {path} is missing: run {FETCH_HINT}")
    with Image.open(path) as image:
        return image.convert("RGB")


@functools.lru_cache(maxsize=16)
def face_of(name: str) -> face_engine.Face:
    """The (largest) face in a sample photograph."""
    faces = face_engine.shared().find(photograph(name))
    if not faces:
        raise ValueError(f"no face found in sample {name}")
    return faces[0]


@functools.lru_cache(maxsize=16)
def close_eyes(name: str) -> Image.Image:
    """The photograph with both eyes closed: above each eye, the skin from a third of an eye's width over the
    upper lid is stretched down to the lower lid (the eye is covered), and the lid margin is drawn as a dark
    line along the lower lid's landmarks. Measured with dlib's predictor on the full photographs, the eyes'
    aspect ratio drops by 21 % (obama2), 28 % (obama3), 27 % (biden), 33 % (astronaut); not on Grace Hopper's
    (2 %: her glasses' frame covers the lids), so the simulated camera does not make her blink."""
    image, face = photograph(name), face_of(name)
    out = image.copy()
    draw = ImageDraw.Draw(out)
    pixels = image.load()
    for group in ("left_eye", "right_eye"):
        eye = face.group(group)
        xs, ys = eye[:, 0], eye[:, 1]
        width = xs.max() - xs.min()
        x0, x1 = int(xs.min() - width * 0.2), int(xs.max() + width * 0.2)
        top, lid, bottom = int(ys.min() - width * 0.35), int(ys.min() + 1), int(ys.max())
        if lid - top < 2 or bottom <= lid:
            continue
        out.paste(image.crop((x0, top, x1, lid)).resize((x1 - x0, bottom - top), Image.BICUBIC), (x0, top))
        below = pixels[int(xs.mean()), min(image.height - 1, int(ys.max() + width * 0.35))]
        margin = tuple(int(v * 0.3) for v in below)            # lashes: the cheek's colour, much darker
        draw.line([tuple(eye[i]) for i in (0, 5, 4, 3)], fill=margin, width=max(2, int(width * 0.12)),
                  joint="curve")
    return out


@functools.lru_cache(maxsize=32)
def _cutout(name: str, eyes_closed: bool) -> tuple[Image.Image, tuple[float, float, float]]:
    """Head and shoulders of a photograph as an RGBA image, and where its face is in it: (centre x, centre y,
    face width). The head is the photograph's, cut along a feathered ellipse from the crown to the chin, so
    little of its own background comes along; neck and shoulders are the photograph's neck over a plain dark
    jacket, as most people wear to have a card photo taken."""
    source = close_eyes(name) if eyes_closed else photograph(name)
    face = face_of(name)
    cx, cy = face.centre
    w = face.width
    chin = face.points[8][1]
    brows = min(p[1] for p in face.points[17:27])
    head = (cx - w * 0.56, brows - w * 0.62, cx + w * 0.56, chin + w * 0.04)
    left, top = int(cx - w * 1.4), int(head[1])
    size = (int(w * 2.8), int(chin + w * 1.3 - top))
    person = Image.new("RGBA", size, (0, 0, 0, 0))
    shoulders = ImageDraw.Draw(person)
    neck_top = chin - top - w * 0.15
    shoulders.rounded_rectangle((0, chin - top + w * 0.26, size[0], size[1] + w), radius=int(w * 0.45),
                                fill=(38, 42, 54, 255))
    shoulders.polygon([(size[0] / 2 - w * 0.2, chin - top + w * 0.26), (size[0] / 2 + w * 0.2, chin - top + w * 0.26),
                       (size[0] / 2, chin - top + w * 0.8)], fill=(236, 236, 232, 255))   # the shirt's V
    region = source.crop((left, top, left + size[0], top + size[1])).convert("RGBA")
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse(tuple(v - o for v, o in zip(head, (left, top, left, top))), fill=255)
    draw.rectangle((size[0] / 2 - w * 0.22, neck_top, size[0] / 2 + w * 0.22, chin - top + w * 0.3), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.5, w * 0.02)))
    person.paste(region, (0, 0), mask)
    return person, (cx - left, cy - top, w)


def scene(name: str, size: tuple[int, int] = (640, 480), face_width: float = 0.3, dx: float = 0.0,
          dy: float = 0.0, eyes_closed: bool = False, backdrop: tuple[int, int, int] = BACKDROP) -> Image.Image:
    """A camera frame: the person of photograph ``name`` in front of the backdrop, their face ``face_width``
    of the frame's width wide, centred (moved by ``dx``, ``dy`` in frame widths/heights)."""
    frame = Image.new("RGB", size, backdrop)
    _paste_person(frame, name, face_width, 0.5 + dx, 0.45 + dy, eyes_closed)
    return frame


def _paste_person(frame: Image.Image, name: str, face_width: float, at_x: float, at_y: float,
                  eyes_closed: bool = False) -> None:
    cutout, (fx, fy, fw) = _cutout(name, eyes_closed)
    scale = face_width * frame.width / fw
    sized = _sized(name, eyes_closed, max(1, int(cutout.width * scale)), max(1, int(cutout.height * scale)))
    frame.paste(sized, (int(at_x * frame.width - fx * scale), int(at_y * frame.height - fy * scale)), sized)


@functools.lru_cache(maxsize=12)
def _sized(name: str, eyes_closed: bool, width: int, height: int) -> Image.Image:
    """The person scaled for a frame: a person standing still is the same size frame after frame (only the
    sway moves them), so the LANCZOS resize — most of a simulated frame's cost — is done once per size."""
    return _cutout(name, eyes_closed)[0].resize((width, height), Image.LANCZOS)


def two_people(first: str, second: str, size: tuple[int, int] = (640, 480)) -> Image.Image:
    frame = Image.new("RGB", size, BACKDROP)
    _paste_person(frame, first, 0.22, 0.3, 0.45)
    _paste_person(frame, second, 0.22, 0.72, 0.47)
    return frame


def nobody(size: tuple[int, int] = (640, 480)) -> Image.Image:
    """The empty backdrop, with a little shading as a real wall has."""
    frame = Image.new("RGB", size, BACKDROP)
    ImageDraw.Draw(frame).rectangle((0, int(size[1] * 0.85), size[0], size[1]), fill=(222, 223, 226))
    return frame


PRINT_FACE = 154            # px: the face's width on the print (a 280 × 300 px picture of head and shoulders)


@functools.lru_cache(maxsize=8)
def _print_of(name: str) -> Image.Image:
    """A print of the person's scene: white paper border, flattened contrast and colour."""
    picture = scene(name, (280, 300), face_width=PRINT_FACE / 280, dy=0.03)
    picture = ImageEnhance.Contrast(picture).enhance(0.75)
    picture = ImageEnhance.Color(picture).enhance(0.8)
    paper = Image.new("RGB", (picture.width + 36, picture.height + 36), (246, 244, 238))
    paper.paste(picture, (18, 18))
    return paper


def printed(name: str, size: tuple[int, int] = (640, 480), tilt: float = 4.0, face_width: float = 0.24) -> Image.Image:
    """A print of the person held up in front of the camera (by someone standing out of the frame), close
    enough that its face fills the oval as a live one would (``face_width`` of the frame's width)."""
    frame = Image.new("RGB", size, (120, 116, 110))        # the room behind the print, not the backdrop
    paper = _print_of(name)
    scale = face_width * size[0] / PRINT_FACE
    paper = paper.resize((int(paper.width * scale), int(paper.height * scale)), Image.LANCZOS)
    paper = paper.rotate(tilt, expand=True, resample=Image.BICUBIC, fillcolor=(120, 116, 110))
    frame.paste(paper, ((size[0] - paper.width) // 2, (size[1] - paper.height) // 2))
    return frame


@functools.lru_cache(maxsize=8)
def id_photo(person: str) -> Image.Image:
    """The 102 × 126 photo on the person's ID card: head and shoulders on white, the face about half the
    width (as the ID card photo standard frames it)."""
    source = PERSONS[person].id_source
    frame = scene(source, (408, 504), face_width=0.5, dy=-0.03, backdrop=(255, 255, 255))
    return frame.resize((102, 126), Image.LANCZOS)
