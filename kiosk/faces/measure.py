"""What one face's landmarks say — where the eyes are, how wide the face is, how far it is turned — and
finding faces on a downscaled copy of a large frame (HOG detection time grows with the pixel count).

Shared by the card photo (``card_photo``) and the live guidance (``verify``), so both judge a face alike.
Nothing here keeps an image or a face.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from kiosk.faces.engine import Face

# a preview frame is searched at this longest side (HOG time grows with the pixels: bench/faces.py). The
# detector's window is 80 px, so at 480 a 640-wide frame shows faces from 1/6 of its width: the match asks
# for 1/5 and says "closer" below that.
PREVIEW_LONGEST = 480


def downscaled(image: Image.Image, longest: int) -> tuple[Image.Image, float]:
    """The image with its longest side at most ``longest`` and the factor back (original px per small px)."""
    factor = max(image.size) / longest
    if factor <= 1:
        return image, 1.0
    size = (round(image.width / factor), round(image.height / factor))
    return image.resize(size, Image.BILINEAR), factor


def scaled_face(face: Face, factor: float) -> Face:
    """The face found on a downscaled copy, in the original image's pixels (not encodable: no dlib shape)."""
    if factor == 1:
        return face
    return Face(tuple(int(round(v * factor)) for v in face.box),
                tuple((x * factor, y * factor) for x, y in face.points))


def find_scaled(engine, image: Image.Image, longest: int = PREVIEW_LONGEST, upsample: int = 0) -> list[Face]:
    """Every face, largest first, found on a copy at most ``longest`` px, in the original image's pixels."""
    small, factor = downscaled(image, longest)
    return [scaled_face(f, factor) for f in engine.find(small, upsample)]


def eye_centres(face: Face) -> tuple[np.ndarray, np.ndarray]:
    """The centres of the image-left and image-right eye (the mean of each eye's six landmarks)."""
    return face.group("left_eye").mean(axis=0), face.group("right_eye").mean(axis=0)


def eye_midpoint(face: Face) -> np.ndarray:
    left, right = eye_centres(face)
    return (left + right) / 2


def roll_degrees(face: Face) -> float:
    """The eye line's angle to the horizontal (positive: the image-right eye is lower)."""
    left, right = eye_centres(face)
    return math.degrees(math.atan2(right[1] - left[1], right[0] - left[0]))


def face_width(face: Face) -> float:
    """The face's width as the spec measures it (脸部宽: between the cheeks where the ears join): the distance
    between the first and the last jaw landmark, which dlib places at the ear roots."""
    p = np.asarray(face.points, dtype=float)
    return float(np.linalg.norm(p[16] - p[0]))


def eye_to_chin(face: Face) -> float:
    return float(np.linalg.norm(np.asarray(face.points[8], dtype=float) - eye_midpoint(face)))


def yaw_share(face: Face) -> float:
    """How far the head is turned, 0 (frontal) to 1 (profile), from two landmark symmetries: where the nose tip
    falls between the two jaw ends, and how far it sits sideways from the eyes' midpoint (in eye distances).
    The larger of the two counts; a roll of the whole head does not change either."""
    p = np.asarray(face.points, dtype=float)
    jaw = p[16] - p[0]
    width = float(np.linalg.norm(jaw))
    if width <= 0:
        return 1.0
    along = jaw / width
    nose = p[30]
    jaw_share = abs(float(np.dot(nose - p[0], along)) / width - 0.5) * 2
    left, right = eye_centres(face)
    eyes = float(np.linalg.norm(right - left))
    nose_share = abs(float(np.dot(nose - (left + right) / 2, along))) / eyes if eyes > 0 else 1.0
    return max(jaw_share, nose_share)


def luminance(image: Image.Image) -> np.ndarray:
    """ITU-R BT.601 luma as floats (PIL's "L" conversion)."""
    return np.asarray(image.convert("L"), dtype=float)


def sharpness(grey: np.ndarray) -> float:
    """The variance of the Laplacian (Pech-Pacheco et al., 2000): high for sharp edges, low when blurred."""
    g = grey
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var()) if lap.size else 0.0
