"""The card photo: taken at the camera to the card photo spec, then approved by the citizen.

    if photo_needed(devices, id_card):
        photo = yield from approve_photo(devices, name, id_number)

The camera step (LookAtCamera) shows the live image with the oval guide and what to do, counts down 3-2-1
and takes the shot (kiosk.faces.verify.shoot_card_photo, on the worker); the shot is checked against the
spec (kiosk/faces/card_photo.py: one face, frontal, eyes open, even light, plain light background) and cut
to 358 × 441. A refused shot says why ("照片中只能有一个人") and is taken again. The answer is a
ConfirmPhoto: the photo as it will be printed and a preview of the face (name and number masked: it is on
a public screen; the printed card carries them in full). [重新拍照] starts the camera again, as often as the
citizen likes; [确认使用此照片] returns that photo to be printed at its real size (26 × 32 mm at 300 dpi).
No photo is asked for a child under ``policy.photo_exempt_below_age`` (seeds/003: 未满7周岁…可不提供照片) or
when no camera is configured (``[camera] device = "none"``: the face is printed without one).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from kiosk import masking
from kiosk.flows.base import Devices
from kiosk.faces import PhotoRefused
from kiosk.flows import representation
from kiosk.flows.steps import LookAtCamera, Message, Work
from kiosk.hw.cardissuer import face
from kiosk.i18n import _, join

USE, RETAKE = "use_photo", "retake_photo"


@dataclass
class Snapshot:
    photo: Any          # PIL image: the card photo, 358 × 441 (the face prints it at 26 × 32 mm)
    preview: Any        # PIL image: the whole face with that photo, personal data masked


@dataclass
class ConfirmPhoto(Message):
    """A Message with the photo and the face preview beside its words; answer: USE or RETAKE."""
    kind: ClassVar[str] = "photo"
    snapshot: Snapshot | None = None


SHOOT_TIMEOUT_S = 40      # the camera step: guidance, the countdown and the shot


def photo_needed(devices: Devices, id_card) -> bool:
    """A card photo is taken unless the holder is a child the region exempts, or there is no camera."""
    if devices.camera is None:
        return False
    birth = representation.birth_of(id_card)
    return birth is None or representation.age_on(birth, dt.date.today()) >= devices.policy.photo_exempt_below_age


def _shoot(devices: Devices):
    def run(timeout_s: float, cancelled, on_frame):
        from kiosk.faces import engine, verify
        return verify.shoot_card_photo(devices.camera, engine.shared(), cancelled, on_frame, timeout_s=timeout_s)
    return run


def preview(devices: Devices, photo, name: str, id_number: str) -> Snapshot:
    """What the citizen is shown of a shot: the photo cut to the face's slot and the whole face with it."""
    data = face.FaceData(masking.name(name), masking.id_number(id_number), "制卡时生成", dt.date.today())
    return Snapshot(photo, face.render(data, photo, devices.branding()))


def approve_photo(devices: Devices, name: str, id_number: str):
    """Steps until the citizen approves a photo that meets the spec; returns it, 358 × 441 (None without a
    camera)."""
    if devices.camera is None:
        return None
    while True:
        try:
            photo = yield LookAtCamera(_("拍摄制卡照片"), _shoot(devices), SHOOT_TIMEOUT_S)
        except PhotoRefused as refused:
            yield Message(_("照片不符合要求"), join(refused.words, "\n", _("请按提示调整后重新拍照。")), tone="warn",
                          primary=(RETAKE, _("重新拍照")))
            continue
        snapshot = yield Work(_("正在生成卡面预览"), lambda: preview(devices, photo, name, id_number))
        answer = yield ConfirmPhoto(
            _("请确认制卡照片"), _("这张照片将印在您的社保卡上。\n满意请点“确认使用此照片”，不满意可以重新拍照。"),
            primary=(USE, _("确认使用此照片")), secondary=(RETAKE, _("重新拍照")), snapshot=snapshot)
        if answer == USE:
            return snapshot.photo
