"""The photo printed on the card, made from one camera shot to the 社会保障卡 photo requirement — or refused
with the reason the citizen is told.

The requirement followed: 中华人民共和国社会保障卡制证用数字相片技术要求 (the national card-photo requirement
of the Ministry of Human Resources and Social Security), as reproduced by public pages — the original
ministry publication was not found online here (NOT CONFIRMED against the ministry's own text):

- https://rsc.sdws.edu.cn/2019/0416/c253a1938/page.htm ("社会保障卡制证用数字相片技术要求", 2019):
  white background without border; 358 × 441 px at 350 dpi; 24-bit RGB; JPEG, quality factor 70
  (typically 14–40 KB); the portrait centred horizontally; face width 179–255 px; top of the hair 7–21 px
  below the top edge; the midpoint of the eye line 162–196 px from the left edge; the eye line at least
  207 px above the bottom edge.
- https://m.zhuangpeitu.com/article/173362432.html (Wuhan, 2013: the national text as an attachment):
  definitions — face width (脸部宽) is measured between the cheeks where the ears join; the eye line joins
  the two eye centres.
- http://yes29.com/detail-7c20235d59d43ad2.html: 32 × 26 mm, 358 × 441 px, 350 dpi, JPG, 9–20 KB, frontal,
  bare-headed, dark clothing on pure white. (The file size differs between sources — 9–20 KB here, 14–40 KB
  above: NOT CONFIRMED which one the card bureau enforces; this module returns an image, the encoder sets it.)
- http://www.bbbaike.com/baike/techan/980456.html (Binzhou): eyes open and looking straight, no shadow or
  reflection on the face or background, no tinted lenses, children from 7 years need a photo.

Checks (each a ``PhotoRefused`` reason with its words): no_face, two_faces, too_far (the face is narrower than
the spec's minimum, so it would have to be enlarged — we never invent pixels), too_close (the crop does not
fit in the frame), not_centred, not_frontal (yaw or roll), eyes_closed, too_dark, too_bright, uneven_light,
background (not plain and light), blurred. Not checked: tinted glasses, hats, mouth open, shoulders shown.

The crop is one affine map (rotate the eye line level, scale down, place the eye midpoint): nothing is
kept, the caller gets the 358 × 441 image only.
"""
from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from kiosk.faces import PhotoRefused
from kiosk.faces.engine import Face, eyes_open_ratio
from kiosk.faces.measure import (eye_midpoint, eye_to_chin, face_width, find_scaled, luminance, roll_degrees,
                                 sharpness, yaw_share)
from kiosk.i18n import _

CARD_SIZE = (358, 441)                  # the spec's pixels (32 x 26 mm at 350 dpi)
FACE_WIDTH_RANGE = (179, 255)           # the spec's face width in the card photo
TARGET_FACE_WIDTH = 200                 # the low half of the range: leaves the head about 2/3 of the height
EYE_MID_X = 179                         # the spec's 162-196 px from the left edge: we centre it
EYE_LINE_MAX_Y = CARD_SIZE[1] - 207     # the eye line at least 207 px above the bottom edge
CROWN_TOP = 14                          # the spec's 7-21 px from the top to the top of the hair: the middle
CROWN_ABOVE_EYES = 0.85                 # hair top above the eye line, in eye-to-chin lengths (dlib's chin
                                        # point to the eye centres; measured ~0.8 on obama.jpg's short hair)
DETECT_LONGEST = 1024                   # the shot is searched at this size (a 2 MP shot takes 3x longer)
OTHER_FACE_SHARE = 0.3                  # a second face at least this wide (share of the first) is a person
                                        # in the photo; smaller ones are detector noise or far away
MAX_ROLL_DEG = 8.0                      # the spec wants level eyes; beyond ~8 deg a tilt is visible on the card
MAX_YAW_SHARE = 0.38                    # head turn, measure.yaw_share on the sample portraits: frontal
                                        # 0.03 (obama.jpg), slightly turned 0.19-0.31 frame to frame (biden,
                                        # obama3: acceptable on a card, as on most ID photos), visibly turned
                                        # 0.44-0.46 (obama2). The limit sits in the gap with room for the
                                        # landmarks' frame-to-frame noise (±0.03): at 0.30 the same steady
                                        # head passed or failed by the frame the shot fell on
EYES_CLOSED_BELOW = 0.17                # eye aspect ratio: open 0.2-0.4 on the samples, closed ~0.1
CROP_SLACK = 0.02                       # the crop may reach this share beyond the frame (filled white)
FACE_DARK_BELOW = 60                    # mean luma of the face: below is an underexposed shot (a dark skin
                                        # in even light is ~80-120, so this does not refuse skin tone)
FACE_BRIGHT_ABOVE = 215                 # mean luma of the face above this is washed out
CLIPPED_SHARE = 0.2                     # or this share of the face's pixels at full white
UNEVEN_RATIO = 0.7                      # darker cheek / brighter cheek below this: light from one side
                                        # (the sample portraits measure 0.84-0.99)
BACKDROP_MIN_LUMA = 165                 # "white background": the backdrop's mean luma at least this
BACKDROP_MAX_SPREAD = 30                # and its luma's standard deviation at most this (plain, no pattern)
BACKDROP_MAX_TINT = 45                  # and its mean colour within this of grey (max-min of R, G, B)
JPEG_QUALITY = 70                       # the spec's compression quality factor; 12-17 KB on the samples,
                                        # inside both sources' file sizes (9-20 KB; 14-40 KB) or near them
BLURRED_BELOW = 25.0                    # variance of the Laplacian on the face at card size: sharp sample
                                        # shots measure 60-300, a 2-3 px blur drops them under 20


def refusal(reason: str) -> PhotoRefused:
    return PhotoRefused(reason, WORDS[reason])


WORDS = {
    "no_face": _("没有拍到人脸，请正对摄像头"),
    "two_faces": _("照片中只能有一个人"),
    "too_far": _("离摄像头太远，请靠近一点"),
    "too_close": _("离摄像头太近，请离远一点"),
    "not_centred": _("请把脸移到框的中间"),
    "not_frontal": _("请正对摄像头，不要侧脸或歪头"),
    "eyes_closed": _("请睁开双眼"),
    "too_dark": _("照片太暗，请到光线充足处再拍"),
    "too_bright": _("照片过亮，请避开强光再拍"),
    "uneven_light": _("脸上光线不均匀，请避开侧面的光"),
    "background": _("背景须为纯白浅色，请站到白色背景前"),
    "blurred": _("照片模糊，请保持不动再拍"),
}


def check_face(faces: list[Face]) -> Face:
    """The one face a card photo may show (the pose and eyes checks the preview also uses), or a refusal."""
    if not faces:
        raise refusal("no_face")
    face = faces[0]
    if any(other.width >= OTHER_FACE_SHARE * face.width for other in faces[1:]):
        raise refusal("two_faces")
    if abs(roll_degrees(face)) > MAX_ROLL_DEG or yaw_share(face) > MAX_YAW_SHARE:
        raise refusal("not_frontal")
    if eyes_open_ratio(face) < EYES_CLOSED_BELOW:
        raise refusal("eyes_closed")
    return face


def crop_map(face: Face) -> tuple[float, float, float, tuple[float, ...]]:
    """(scale, eye line y in the card photo, roll, PIL affine coefficients card px → shot px)."""
    scale = min(1.0, TARGET_FACE_WIDTH / face_width(face))         # never enlarge
    eye_y = min(EYE_LINE_MAX_Y, CROWN_TOP + CROWN_ABOVE_EYES * eye_to_chin(face) * scale)
    theta = math.radians(roll_degrees(face))
    cos, sin = math.cos(theta) / scale, math.sin(theta) / scale
    ex, ey = eye_midpoint(face)
    coeffs = (cos, -sin, ex - cos * EYE_MID_X + sin * eye_y, sin, cos, ey - sin * EYE_MID_X - cos * eye_y)
    return scale, eye_y, theta, coeffs


def to_card(coeffs, point) -> tuple[float, float]:
    """A shot pixel's place in the card photo (the inverse of the affine map)."""
    a, b, c, d, e, f = coeffs
    det = a * e - b * d
    x, y = point[0] - c, point[1] - f
    return ((e * x - b * y) / det, (-d * x + a * y) / det)


def check_fits(shot_size, coeffs) -> None:
    """The crop must lie inside the shot (a little slack, filled white): else too close, or off-centre."""
    a, b, c, d, e, f = coeffs
    w, h = CARD_SIZE
    corners = [(a * x + b * y + c, d * x + e * y + f) for x, y in ((0, 0), (w, 0), (0, h), (w, h))]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    slack_x, slack_y = CROP_SLACK * (max(xs) - min(xs)), CROP_SLACK * (max(ys) - min(ys))
    width, height = shot_size
    if max(xs) - min(xs) > width + 2 * slack_x or max(ys) - min(ys) > height + 2 * slack_y:
        raise refusal("too_close")
    if min(xs) < -slack_x or min(ys) < -slack_y or max(xs) > width + slack_x or max(ys) > height + slack_y:
        raise refusal("not_centred")


def check_image(card: Image.Image, points: np.ndarray) -> None:
    """Light, background and sharpness, judged on the card photo itself (points: landmarks in card px)."""
    grey = luminance(card)
    eye_y = (points[36:48, 1]).mean()
    mouth_y = points[51, 1]
    nose_x = points[30, 0]
    top, bottom = int(eye_y + 0.1 * (mouth_y - eye_y)), int(mouth_y)
    left_cheek = grey[top:bottom, int(points[2, 0]):int(nose_x)]
    right_cheek = grey[top:bottom, int(nose_x):int(points[14, 0])]
    face = grey[top:bottom, int(points[2, 0]):int(points[14, 0])]
    if face.size == 0 or left_cheek.size == 0 or right_cheek.size == 0:
        raise refusal("not_frontal")
    if face.mean() < FACE_DARK_BELOW:
        raise refusal("too_dark")
    if face.mean() > FACE_BRIGHT_ABOVE or (face >= 250).mean() > CLIPPED_SHARE:
        raise refusal("too_bright")
    darker, brighter = sorted((left_cheek.mean(), right_cheek.mean()))
    if darker < UNEVEN_RATIO * brighter:
        raise refusal("uneven_light")
    if sharpness(face) < BLURRED_BELOW:
        raise refusal("blurred")
    backdrop = backdrop_pixels(card, points)
    if backdrop.size:
        luma = backdrop @ np.array([0.299, 0.587, 0.114])
        tint = float(np.ptp(backdrop.mean(axis=0)))
        if luma.mean() < BACKDROP_MIN_LUMA or luma.std() > BACKDROP_MAX_SPREAD or tint > BACKDROP_MAX_TINT:
            raise refusal("background")


def backdrop_pixels(card: Image.Image, points: np.ndarray) -> np.ndarray:
    """The RGB pixels around the head that should be backdrop: the strips beside the head (with room for
    ears and hair) from the top down to the eye line, and the strip above the hair."""
    rgb = np.asarray(card.convert("RGB"), dtype=float)
    width = points[16, 0] - points[0, 0]
    left, right = int(points[0, 0] - 0.3 * width), int(points[16, 0] + 0.3 * width)
    eye_y = int(points[36:48, 1].mean())
    parts = [rgb[:eye_y, :max(0, left)], rgb[:eye_y, min(CARD_SIZE[0], right):], rgb[:max(0, CROWN_TOP - 6), :]]
    return np.concatenate([p.reshape(-1, 3) for p in parts if p.size])


def make_card_photo(image: Image.Image, engine) -> Image.Image:
    """The 358 × 441 RGB card photo from one shot, or PhotoRefused(reason, words). Raises FaceEngineMissing
    when the engine is not installed."""
    shot = image.convert("RGB")
    face = check_face(find_scaled(engine, shot, DETECT_LONGEST))
    if face_width(face) < FACE_WIDTH_RANGE[0]:
        raise refusal("too_far")
    _scale, _eye_y, _theta, coeffs = crop_map(face)
    check_fits(shot.size, coeffs)
    card = shot.transform(CARD_SIZE, Image.AFFINE, coeffs, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    points = np.array([to_card(coeffs, p) for p in face.points])
    check_image(card, points)
    return card


def to_jpeg(photo: Image.Image) -> bytes:
    """The card photo as the file the spec describes: JPEG, quality factor 70, 350 dpi, 24-bit RGB."""
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, dpi=(350, 350))
    return out.getvalue()
