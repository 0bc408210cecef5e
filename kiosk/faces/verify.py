"""The camera loops the kiosk runs on a worker thread: 人证核验 (is the person at the kiosk the ID card's
holder, and alive?) and taking the card photo. Both read camera frames, tell the citizen what to do with
each frame (``Guidance``, through ``on_frame``), and always stop the camera.

Speed: every preview frame is searched on a copy at most ``PREVIEW_LONGEST`` px (measure.py); only the one
chosen frame is searched again at full size and encoded. Privacy: frames, landmarks and descriptors live in
local variables of one call and are dropped when it returns; nothing is logged or kept (README, "Privacy").

Cancelling (``cancelled`` set): ``check_person`` returns a Verdict with reason "cancelled";
``shoot_card_photo`` raises PhotoRefused("cancelled"). Both return within one frame's wait.
A camera that fails (its driver raises) is not caught here: the device error reaches the flow, which tells
the citizen the camera is unavailable; the camera is stopped either way.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from PIL import Image

from kiosk.faces import Guidance, PhotoRefused, Verdict
from kiosk.faces import card_photo
from kiosk.faces.engine import Face, FaceEngineMissing, distance, eyes_open_ratio
from kiosk.faces.liveness import BlinkChallenge
from kiosk.faces.measure import (PREVIEW_LONGEST, downscaled, roll_degrees, scaled_face, yaw_share)
from kiosk.i18n import _

# The largest descriptor distance that counts as the same person, unless the region's policy sets one.
# Measured (bench/faces.py): genuine pairs of different photographs 0.32-0.46 (ID-style 102 x 126 against
# another photograph: 0.35-0.46), impostor pairs 0.61-0.92. dlib's usual 0.6 sits 0.01 under the closest
# impostor; 0.5 leaves 0.11 to it and 0.04 to the farthest genuine pair — stricter, because a false accept
# hands a card to a stranger while a false reject costs a retry (and, after three, a member of staff).
DEFAULT_THRESHOLD = 0.5
FRAME_WAIT_S = 0.5             # the longest wait for one frame (so a cancel is seen within it)
MIN_FACE_SHARE = 0.2           # face width / frame width: smaller is too far for a good descriptor
MAX_FACE_SHARE = 0.6           # larger: the face leaves the frame when the head moves
MAX_OFF_CENTRE = 0.22          # face centre's offset from the frame centre, in frame widths/heights
COUNTDOWN_S = 3
SHOOT_PREVIEW_LONGEST = 640    # the card photo needs a face >= 179 px wide in the shot: in a 1280 x 720 frame
                               # searched at 640 that is ~90 px, just over the detector's 80 px window
MATCH_MAX_ROLL_DEG = 15.0      # the match tolerates more pose than the card photo: dlib aligns the face by its
MATCH_MAX_YAW_SHARE = 0.55     # landmarks before the descriptor; the sample portraits turned ~20 deg match

GUIDANCE = {
    "no_face": _("请正对摄像头"),
    "two_faces": _("请确保镜头前只有您一人"),
    "closer": _("请靠近一点"),
    "further": _("请离远一点"),
    "centre": _("请把脸移到框内"),
    "look_straight": _("请正视摄像头，不要侧脸或歪头"),
    "blink": _("请眨眨眼"),
    "hold_still": _("请保持不动"),
    "checking": _("正在核验，请稍候"),
    "done": _("核验完成"),
}
VERDICT_WORDS = {
    "": _("人脸核验通过"),
    "no_face": _("没有检测到人脸，请正对摄像头后重试"),
    "not_live": _("未能完成眨眼检测，请重试"),
    "no_match": _("人脸与身份证照片不一致"),
    "id_photo_unusable": _("身份证照片无法用于比对，请到服务窗口办理"),
    "timeout": _("摄像头没有画面，请呼叫工作人员"),
    "engine_missing": _("人脸核验暂不可用，请到服务窗口办理"),
    "cancelled": _("已取消人脸核验"),
}
SHOOT_WORDS = {
    "cancelled": _("已取消拍照"),
    "timeout": _("没有拍到合格的照片，请重试"),
    "engine_missing": _("拍照检查暂不可用，请到服务窗口办理"),
}
# a refusal of the card photo in the preview, as what the citizen is told to do
SHOOT_GUIDANCE = {"no_face": "no_face", "two_faces": "two_faces", "too_far": "closer", "too_close": "further",
                  "not_centred": "centre", "not_frontal": "look_straight", "eyes_closed": "hold_still"}


def guide(key: str, face: Face | None = None, **extra) -> Guidance:
    box = tuple(int(v) for v in face.box) if face is not None else None
    text = extra.pop("text", None) or GUIDANCE[key]
    return Guidance(key, text, box, **extra)


def look(engine, frame: Image.Image, longest: int = PREVIEW_LONGEST) -> list[Face]:
    small, factor = downscaled(frame, longest)
    return [scaled_face(f, factor) for f in engine.find(small)]


def placement(faces: list[Face], size: tuple[int, int]) -> str | None:
    """The guidance key for where the face is for the match (None: one face, right size, centred, facing
    the camera closely enough for the descriptor)."""
    if not faces:
        return "no_face"
    face = faces[0]
    if any(o.width >= card_photo.OTHER_FACE_SHARE * face.width for o in faces[1:]):
        return "two_faces"
    width, height = size
    if face.width < MIN_FACE_SHARE * width:
        return "closer"
    if face.width > MAX_FACE_SHARE * width:
        return "further"
    cx, cy = face.centre
    if abs(cx / width - 0.5) > MAX_OFF_CENTRE or abs(cy / height - 0.5) > MAX_OFF_CENTRE:
        return "centre"
    if abs(roll_degrees(face)) > MATCH_MAX_ROLL_DEG or yaw_share(face) > MATCH_MAX_YAW_SHARE:
        return "look_straight"
    return None


def next_frame(camera, timeout: float) -> Image.Image | None:
    try:
        return camera.frame(timeout)
    except TimeoutError:
        return None


MATCH_LONGEST = 1024           # a photograph is compared at most this size (the descriptor's chip is 150 px)


def single_face_descriptor(engine, image: Image.Image):
    """(how many faces the photograph shows, the descriptor of its face when it shows exactly one, else None).
    A small photo — the ID card's 102 × 126 holds a ~50 px face, under the HOG detector's 80 px window — is
    searched again doubled, then quadrupled."""
    photo, _factor = downscaled(image.convert("RGB"), MATCH_LONGEST)
    faces, upsample = engine.find(photo), 0
    while not faces and upsample < 2 and max(photo.size) * 2 ** (upsample + 1) <= MATCH_LONGEST:
        upsample += 1
        faces = engine.find(photo, upsample)
    if len(faces) != 1:
        return len(faces), None
    return 1, engine.encode(photo, faces[0])


def verdict(reason: str, threshold: float, *, match=False, live=False, score=None) -> Verdict:
    return Verdict(match, live, score, threshold, reason, VERDICT_WORDS[reason])


def check_person(camera, engine, id_photo: Image.Image | None, threshold: float, cancelled: threading.Event,
                 on_frame: Callable[[Image.Image, Guidance], None], timeout_s: float = 30.0) -> Verdict:
    """Watch the person until they blinked (liveness), then compare their most frontal open-eyed frame and
    the frame after the blink with the ID card photo (score: the larger distance). Verdict.reason: ""
    (passed), no_face, not_live, no_match, id_photo_unusable (also: no photo), timeout (no frames from the
    camera), engine_missing, cancelled."""
    if not getattr(engine, "installed", True):
        return verdict("engine_missing", threshold)
    if id_photo is None:
        return verdict("id_photo_unusable", threshold)
    try:
        _count, reference = single_face_descriptor(engine, id_photo)
    except FaceEngineMissing:
        return verdict("engine_missing", threshold)
    if reference is None:
        return verdict("id_photo_unusable", threshold)
    challenge = BlinkChallenge()
    best: tuple[float, Image.Image, Face] | None = None        # (how frontal, frame, face)
    seen_face = got_frame = False
    deadline = time.monotonic() + timeout_s
    camera.start()
    try:
        while True:
            if cancelled.is_set():
                return verdict("cancelled", threshold)
            left = deadline - time.monotonic()
            if left <= 0:
                reason = "not_live" if seen_face else "no_face" if got_frame else "timeout"
                return verdict(reason, threshold)
            frame = next_frame(camera, min(FRAME_WAIT_S, left))
            if frame is None:
                continue
            got_frame = True
            faces = look(engine, frame)
            where = placement(faces, frame.size)
            face = faces[0] if faces else None
            resets = challenge.resets
            if where == "two_faces":
                challenge.reset()
            else:                                  # a step aside or a turn is still the same face blinking
                challenge.feed(face, time.monotonic())
            if challenge.resets != resets:
                best = None                        # frames before a reset may show another face
            if where is not None:
                seen_face = seen_face or face is not None
                on_frame(frame, guide(where, face))
                continue
            seen_face = True
            if challenge.baseline is not None and eyes_open_ratio(face) >= 0.95 * challenge.baseline:
                frontal = yaw_share(face) + abs(roll_degrees(face)) / 90
                if best is None or frontal < best[0]:
                    best = (frontal, frame, face)
            if not challenge.passed:
                key = "hold_still" if challenge.state == "learning" else "blink"
                on_frame(frame, guide(key, face, progress=0.3 if key == "blink" else 0.1))
                continue
            if best is None:                       # passed but no open frontal frame kept: keep looking
                on_frame(frame, guide("hold_still", face, progress=0.8))
                continue
            on_frame(frame, guide("checking", face, progress=0.9))
            # both the most frontal open-eyed frame and this one, just after the blink, must be the holder:
            # a print of the holder shown before someone else blinks in its place does not pass
            scores = [compare(engine, image, near, reference) for image, near in
                      ((best[1], best[2]), (frame, face)) if image is not frame or near is face]
            if None in scores:
                best = None
                continue
            score = max(scores)
            match = score <= threshold
            on_frame(frame, guide("done", face, progress=1.0))
            return Verdict(match, True, score, threshold, "" if match else "no_match",
                           VERDICT_WORDS["" if match else "no_match"])
    finally:
        camera.stop()


def compare(engine, frame: Image.Image, near: Face, reference) -> float | None:
    """The distance between the reference descriptor and the face in ``frame`` nearest to ``near`` (found
    again at full size: the descriptor wants the sharpest landmarks); None if it is not found again."""
    faces = engine.find(frame)
    if not faces:
        return None
    cx, cy = near.centre
    face = min(faces, key=lambda f: (f.centre[0] - cx) ** 2 + (f.centre[1] - cy) ** 2)
    return distance(engine.encode(frame, face), reference)


def shoot_card_photo(camera, engine, cancelled: threading.Event,
                     on_frame: Callable[[Image.Image, Guidance], None], countdown_s: int = COUNTDOWN_S,
                     timeout_s: float = 60.0) -> Image.Image:
    """Preview with guidance until a good frame (one face, centred, the right size for the card photo, eyes
    open), a countdown (Guidance "countdown", 3-2-1, a second each; a bad frame in it starts the preview
    again), the shot (``camera.capture()``), then the card photo: the 358 × 441 image, or PhotoRefused
    (its reason; "cancelled", "timeout" or "engine_missing" too)."""
    if not getattr(engine, "installed", True):
        raise PhotoRefused("engine_missing", SHOOT_WORDS["engine_missing"])
    deadline = time.monotonic() + timeout_s
    last: str | None = None
    counting_from: float | None = None
    camera.start()
    try:
        while True:
            if cancelled.is_set():
                raise PhotoRefused("cancelled", SHOOT_WORDS["cancelled"])
            left = deadline - time.monotonic()
            if left <= 0:
                raise card_photo.refusal(last) if last in card_photo.WORDS else \
                    PhotoRefused("timeout", SHOOT_WORDS["timeout"])
            frame = next_frame(camera, min(FRAME_WAIT_S, left))
            if frame is None:
                continue
            faces = look(engine, frame, SHOOT_PREVIEW_LONGEST)
            problem = shot_problem(faces, frame.size)
            face = faces[0] if faces else None
            if problem == "eyes_closed" and counting_from is not None:
                problem = None                     # a blink during the countdown: the shot itself is judged
            if problem is not None:
                last, counting_from = problem, None
                on_frame(frame, guide(SHOOT_GUIDANCE[problem], face))
                continue
            now = time.monotonic()
            counting_from = counting_from if counting_from is not None else now
            remaining = countdown_s - int(now - counting_from)
            if remaining > 0:
                on_frame(frame, guide("countdown", face, text=_("请保持不动，{n}秒后拍照", n=remaining),
                                      countdown=remaining, progress=(now - counting_from) / max(1, countdown_s)))
                continue
            photo = _shoot(camera, engine)
            on_frame(frame, guide("done", face, text=_("拍照完成"), progress=1.0))
            return photo
    finally:
        camera.stop()


SHOT_TRIES = 3       # a blink caught in the shot: take the next frame (a blink lasts 100-400 ms), not refuse


def _shoot(camera, engine) -> Image.Image:
    """The shot made into the card photo; a shot that caught the eyes closed is taken again at once."""
    for attempt in range(1, SHOT_TRIES + 1):
        try:
            return card_photo.make_card_photo(camera.capture(), engine)
        except PhotoRefused as refused:
            if refused.reason != "eyes_closed" or attempt == SHOT_TRIES:
                raise
    raise AssertionError("unreachable")


def shot_problem(faces: list[Face], size: tuple[int, int]) -> str | None:
    """The card-photo refusal this preview frame would get for its face and framing (None: good to shoot);
    light, background and sharpness are judged on the shot itself."""
    try:
        face = card_photo.check_face(faces)
        if card_photo.face_width(face) < card_photo.FACE_WIDTH_RANGE[0]:
            return "too_far"
        card_photo.check_fits(size, card_photo.crop_map(face)[3])
    except PhotoRefused as refused:
        return refused.reason
    return None

