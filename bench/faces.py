"""Face match and face finding, measured: false accepts and false rejects on the labelled sample photographs
and variants derived from them, and the time from the shot to the decision beside the 1 s target.

    python -m bench.faces          (also run by python -m bench)

The photographs (scripts/fetch_sample_faces.py) show four people: Obama in five files, Biden, Grace Hopper and
Eileen Collins in one each. obama_partial_face*.jpg are crops of obama.jpg, so only six photographs are
independent and only three genuine pairs of *different* photographs exist (obama, obama2, obama3). Every
photograph is also used in derived variants — an ID-card-style 102 × 126 photo, rotated ±10°, cropped,
darker, brighter, mirrored — which multiplies the pairs but not the evidence: pairs of variants of the same
two photographs are not independent, and the table says how many pairs of each kind there are. A threshold
chosen here is a starting point for a region's policy, not a measured error rate for a population.
"""
from __future__ import annotations

import itertools
import os
import statistics
import time

from PIL import Image, ImageEnhance, ImageOps

from bench.__main__ import header, row, timed
from kiosk.faces import card_photo, engine as face_engine, samples
from kiosk.faces.measure import PREVIEW_LONGEST, downscaled
from kiosk.faces.verify import DEFAULT_THRESHOLD, SHOOT_PREVIEW_LONGEST, single_face_descriptor
from scripts.fetch_sample_faces import PERSON

THRESHOLDS = (0.4, 0.45, DEFAULT_THRESHOLD, 0.55, 0.6)
SOURCE = {"obama_partial_face.jpg": "obama.jpg", "obama_partial_face2.jpg": "obama.jpg"}   # crops of one photo


def id_style(name: str) -> Image.Image:
    """The photograph as an ID card would carry it: head and shoulders on white, 102 × 126."""
    return samples.scene(name, (408, 504), face_width=0.5, dy=-0.03, backdrop=(255, 255, 255)).resize(
        (102, 126), Image.LANCZOS)


def tight_crop(name: str) -> Image.Image:
    image, face = samples.photograph(name), samples.face_of(name)
    left, top, right, bottom = face.box
    pad = face.width // 2
    return image.crop((max(0, left - pad), max(0, top - pad), right + pad, bottom + pad))


VARIANTS = {
    "original": samples.photograph,
    "id 102x126": id_style,
    "rotated +10": lambda n: samples.photograph(n).rotate(10, resample=Image.BICUBIC, expand=True),
    "rotated -10": lambda n: samples.photograph(n).rotate(-10, resample=Image.BICUBIC, expand=True),
    "cropped": tight_crop,
    "darker": lambda n: ImageEnhance.Brightness(samples.photograph(n)).enhance(0.5),
    "brighter": lambda n: ImageEnhance.Brightness(samples.photograph(n)).enhance(1.6),
    "mirrored": lambda n: ImageOps.mirror(samples.photograph(n)),
}


def descriptors(engine):
    """(photo, variant) → descriptor, and the variants where no single face was found."""
    out, missed = {}, []
    for name in PERSON:
        for variant, make in VARIANTS.items():
            _count, descriptor = single_face_descriptor(engine, make(name))
            if descriptor is None:
                missed.append(f"{name} {variant}")
            else:
                out[(name, variant)] = descriptor
    return out, missed


def pair_kinds(found):
    """kind → list of distances: genuine (same person, different photographs), genuine (same photograph, two
    variants), impostor; and the kiosk's own case: an ID-style photo against another photograph."""
    kinds = {"genuine, different photographs": [], "genuine, same photograph": [], "impostor": [],
             "ID-style vs other photograph, genuine": [], "ID-style vs other photograph, impostor": []}
    for (a, va), (b, vb) in itertools.combinations(found, 2):
        d = face_engine.distance(found[(a, va)], found[(b, vb)])
        same_person = PERSON[a] == PERSON[b]
        same_photo = SOURCE.get(a, a) == SOURCE.get(b, b)
        if not same_person:
            kinds["impostor"].append(d)
        elif same_photo:
            kinds["genuine, same photograph"].append(d)
        else:
            kinds["genuine, different photographs"].append(d)
        if (va == "id 102x126") != (vb == "id 102x126") and not same_photo:
            kinds[f"ID-style vs other photograph, {'genuine' if same_person else 'impostor'}"].append(d)
    return kinds


def error_table(kinds) -> None:
    print(f"\nFace match (dlib ResNet descriptor, Euclidean distance): false rejects of genuine pairs, false "
          f"accepts of impostor pairs\n{'pairs':<42} {'n':>5} {'min':>6} {'median':>6} {'max':>6}   "
          + "  ".join(f"@{t:<5g}" for t in THRESHOLDS))
    for kind, values in kinds.items():
        if not values:
            continue
        genuine = not kind.endswith("impostor")
        errors = [sum((v > t) if genuine else (v <= t) for v in values) for t in THRESHOLDS]
        cells = "  ".join(f"{e:>2} {'FR' if genuine else 'FA'}  " for e in errors)
        print(f"{kind:<42} {len(values):>5} {min(values):6.3f} {statistics.median(values):6.3f} {max(values):6.3f}   "
              f"{cells}")


def timing(engine) -> None:
    frame = samples.scene("obama2.jpg", (640, 480))
    _n, reference = single_face_descriptor(engine, samples.id_photo("obama"))

    def decide():
        face = engine.find(frame)[0]
        return face_engine.distance(engine.encode(frame, face), reference) <= DEFAULT_THRESHOLD

    def preview(image, longest):
        small, _factor = downscaled(image, longest)
        return lambda: engine.find(small)
    hd = samples.scene("obama3.jpg", (1280, 720), face_width=0.2)
    header(f"Face engine on this machine ({os.cpu_count()} cores): {engine.status}")
    row("shot → decision: detect+landmarks+encode+compare, 640x480", timed(decide, runs=15), 1000.0,
        "target: 1 s from the shot")
    row("ID card photo 102x126 → descriptor (detect upsampled)", timed(
        lambda: single_face_descriptor(engine, samples.id_photo("obama")), runs=15), None, "once per check")
    row(f"HOG detect + landmarks, preview 640x480 at {PREVIEW_LONGEST} px", timed(preview(frame, PREVIEW_LONGEST)),
        1000 / 15, "limit: one frame at 15 fps")
    row("HOG detect + landmarks, full 640x480 frame", timed(preview(frame, 640)), 1000 / 15)
    row(f"HOG detect + landmarks, card preview 1280x720 at {SHOOT_PREVIEW_LONGEST} px",
        timed(preview(hd, SHOOT_PREVIEW_LONGEST)), 1000 / 15)
    row("card photo from a 1280x720 shot (checks, crop, scale)", timed(
        lambda: card_photo.make_card_photo(hd, engine), runs=10), None)


def main() -> None:
    engine = face_engine.shared()
    if not engine.installed or not samples.available():
        print(f"\nfaces: skipped ({engine.status if not engine.installed else 'run ' + samples.FETCH_HINT})")
        return
    start = time.perf_counter()
    found, missed = descriptors(engine)
    print(f"\nFace match pairs: {len(PERSON)} photographs of {len(set(PERSON.values()))} "
          f"people x {len(VARIANTS)} variants = {len(found)} descriptors "
          f"({time.perf_counter() - start:.1f} s); no single face found in: {', '.join(missed) or 'none'}")
    error_table(pair_kinds(found))
    print("  genuine pairs of different photographs are all Obama's: only 3 independent photograph pairs "
          "(obama/obama2/obama3); the rest are variants of them, not independent evidence")
    timing(engine)


if __name__ == "__main__":
    main()
