"""The citizen sees the photo the new card will carry and approves it, or has it taken again, before the
card is made (kiosk/flows/photo_step.py in the new-card journey)."""
import datetime as dt
import gc

import pytest
from PIL import Image

from kiosk import demo, masking
from kiosk.config import Config
from kiosk.flows import issuance, photo_step
from kiosk.flows.photo_step import ConfirmPhoto
from kiosk.hw.cardissuer import face
from kiosk.runtime import Kiosk
from tests.issuance_tools import citizen_takes_cards
from tests.journey_player import Player, place


@pytest.fixture
def kiosk(tmp_path, request):
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, camera=getattr(request, "param", "sim")))
    yield k
    gc.collect()
    k.close()


def printed_photo(kiosk) -> Image.Image:
    """The photo slot of the face the printer printed (inside the slot's 1-dot frame)."""
    x0, y0, x1, y1 = face.PHOTO
    with Image.open(kiosk.hands.faceprinter_sim.printed[-1]) as printed:
        return printed.convert("RGB").crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1))


def slot_of(photo: Image.Image) -> Image.Image:
    return photo.crop((1, 1, photo.width - 1, photo.height - 1))


def test_a_retaken_photo_is_the_one_printed_once_the_citizen_approves_it(kiosk):
    citizen_takes_cards(kiosk)
    camera = kiosk.devices.camera
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start")
    assert isinstance(p.step, ConfirmPhoto) and p.title == "请确认制卡照片" and camera.captures == 1
    first = p.step.snapshot.photo
    assert kiosk.hands.issuer_sim.hopper == 50                 # nothing made while the photo is on screen
    p.press(photo_step.RETAKE)
    assert isinstance(p.step, ConfirmPhoto) and camera.captures == 2   # the camera was asked again
    second = p.step.snapshot.photo
    assert second.tobytes() != first.tobytes()
    p.press(photo_step.USE)
    assert p.title == "制卡完成", p.body
    assert printed_photo(kiosk).tobytes() == slot_of(second).tobytes()   # the approved photo, not the first
    assert p.titles.count("请确认制卡照片") == 2 and p.titles.count("正在拍照，请正对摄像头") == 2


def test_the_photo_shown_is_the_slots_own_size_on_a_preview_with_name_and_number_masked(kiosk):
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start")
    snapshot = p.step.snapshot
    x0, y0, x1, y1 = face.PHOTO
    assert snapshot.photo.size == (x1 - x0, y1 - y0) == (307, 378)
    person = demo.by_key("no_card")
    masked = face.FaceData(masking.name(person.name), masking.id_number(person.id_number), "制卡时生成",
                           dt.date.today())
    assert snapshot.preview.tobytes() == face.render(masked, snapshot.photo, kiosk.devices.branding()).tobytes()
    assert person.id_number not in repr(p.step) and masking.id_number(person.id_number) != person.id_number


def test_leaving_at_the_photo_makes_nothing(kiosk):
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start").leave()
    assert p.ended == "cancel" and kiosk.hands.issuer_sim.hopper == 50
    assert kiosk.devices.service.card_status(demo.by_key("no_card").id_number)["card"] is None


@pytest.mark.parametrize("kiosk", ["none"], indirect=True)
def test_without_a_camera_no_photo_is_asked_for_and_the_face_says_so(kiosk):
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start")
    assert p.title == "制卡完成" and not any(isinstance(step, ConfirmPhoto) for step in p.shown)


def test_the_photo_for_a_replacement_is_the_full_capture_scaled_down_on_the_face(kiosk):
    """issuance.card_photo (replacement) no longer hands the face a 102 × 126 thumbnail to blow up."""
    assert issuance.card_photo(kiosk.devices).size == kiosk.devices.camera.resolution == (640, 480)   # a whole frame
