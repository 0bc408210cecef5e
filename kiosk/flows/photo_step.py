"""The citizen sees the photo that will be printed on the new card, and approves it or has it taken again.

    photo = yield from approve_photo(devices, name, id_number)

The camera is asked in a Work step (off the UI thread); the answer is a ConfirmPhoto: the photo cut to the
card's photo slot, as it will be printed, and a preview of the face (name and number masked: it is on a
public screen; the printed card carries them in full). [重新拍照] asks the camera again, as often as the
citizen likes; [确认使用此照片] returns that photo to be printed. No camera configured (``[camera] device =
"none"``): no step, no photo (the face is printed without one, as before).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from kiosk import masking
from kiosk.flows.base import Devices
from kiosk.flows.steps import Message, Work
from kiosk.hw.cardissuer import face
from kiosk.i18n import _

USE, RETAKE = "use_photo", "retake_photo"


@dataclass
class Snapshot:
    photo: Any          # PIL image: the capture cut and scaled to the face's photo slot, as printed
    preview: Any        # PIL image: the whole face with that photo, personal data masked


@dataclass
class ConfirmPhoto(Message):
    """A Message with the photo and the face preview beside its words; answer: USE or RETAKE."""
    kind: ClassVar[str] = "photo"
    snapshot: Snapshot | None = None


def take(devices: Devices, name: str, id_number: str) -> Snapshot:
    """One capture and what the citizen is shown of it (blocking: the camera, then the rendering)."""
    capture = devices.camera.capture()
    x0, y0, x1, y1 = face.PHOTO
    photo = face.fit_photo(capture, (x1 - x0, y1 - y0))
    data = face.FaceData(masking.name(name), masking.id_number(id_number), "制卡时生成", dt.date.today())
    return Snapshot(photo, face.render(data, photo, devices.branding()))


def approve_photo(devices: Devices, name: str, id_number: str):
    """Steps until the citizen approves a photo; returns it (None without a camera)."""
    if devices.camera is None:
        return None
    while True:
        snapshot = yield Work(_("正在拍照，请正对摄像头"), lambda: take(devices, name, id_number))
        answer = yield ConfirmPhoto(
            _("请确认制卡照片"), _("这张照片将印在您的社保卡上。\n满意请点“确认使用此照片”，不满意可以重新拍照。"),
            primary=(USE, _("确认使用此照片")), secondary=(RETAKE, _("重新拍照")), snapshot=snapshot)
        if answer == USE:
            return snapshot.photo
