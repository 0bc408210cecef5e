"""The citizen sees the photo the new card will carry and approves it, or has it taken again, before the
card is made (kiosk/flows/photo_step.py in the new-card journey)."""
import datetime as dt
import gc

import pytest
from PIL import Image

from kiosk import demo, masking
from kiosk.config import Config
from kiosk.flows import photo_step
from kiosk.flows.photo_step import ConfirmPhoto
from kiosk.hw.cardissuer import face
from kiosk.runtime import Kiosk
from tests.issuance_tools import citizen_takes_cards
from tests.journey_player import Player, pay, place


@pytest.fixture
def kiosk(tmp_path, request):
    camera = getattr(request, "param", "sim")
    # without a camera there is no face check either: a region's [face] list must then leave "issue" out
    k = Kiosk(Config(state_dir=str(tmp_path / "state"), issuer_timing=0, camera=camera,
                     face_services=() if camera == "none" else None))
    yield k
    gc.collect()
    k.close()


def printed_photo(kiosk) -> Image.Image:
    """The photo slot of the face the printer printed (inside the slot's 1-dot frame)."""
    x0, y0, x1, y1 = face.PHOTO
    with Image.open(kiosk.hands.faceprinter_sim.printed[-1]) as printed:
        return printed.convert("RGB").crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1))


def slot_of(photo: Image.Image) -> Image.Image:
    """The approved 358 × 441 photo as the face prints it: scaled to the slot, inside its 1-dot frame."""
    x0, y0, x1, y1 = face.PHOTO
    fitted = face.fit_photo(photo, (x1 - x0, y1 - y0))
    return fitted.crop((1, 1, fitted.width - 1, fitted.height - 1))


def test_a_retaken_photo_is_the_one_printed_once_the_citizen_approves_it(kiosk):
    citizen_takes_cards(kiosk)
    camera = kiosk.devices.camera
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start")
    # a shot is 1-3 stills: a still that caught a blink is taken again, as the kiosk does
    assert isinstance(p.step, ConfirmPhoto) and p.title == "请确认制卡照片" and 1 <= camera.captures <= 3
    first, first_shot = p.step.snapshot.photo, camera.captures
    assert kiosk.hands.issuer_sim.hopper == 50                 # nothing made while the photo is on screen
    p.press(photo_step.RETAKE)
    assert isinstance(p.step, ConfirmPhoto) and 1 <= camera.captures - first_shot <= 3   # the camera asked again
    second = p.step.snapshot.photo
    assert second.tobytes() != first.tobytes()
    p.press(photo_step.USE)
    assert p.title == "制卡完成", p.body
    assert printed_photo(kiosk).tobytes() == slot_of(second).tobytes()   # the approved photo, not the first
    assert p.titles.count("请确认制卡照片") == 2 and p.titles.count("拍摄制卡照片") == 2


def test_the_photo_shown_is_the_slots_own_size_on_a_preview_with_name_and_number_masked(kiosk):
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")]).press("start")
    snapshot = p.step.snapshot
    x0, y0, x1, y1 = face.PHOTO
    assert snapshot.photo.size == (358, 441)                    # the card photo spec's pixels
    assert (x1 - x0, y1 - y0) == (307, 378)                     # printed at 26 × 32 mm, 300 dpi
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
def test_without_a_camera_an_adults_application_is_refused_for_want_of_a_photo(kiosk):
    """Was: without a camera the kiosk applied "with a photo" and printed a face without one. An adult's card
    needs a photo (domain.md: a compliant photo; only a child under 7 is exempt), so the service refuses."""
    p = Player(kiosk, "issue", does=[place(kiosk, "no_card")])
    assert p.ended == "failed" and "照片" in p.body and kiosk.hands.issuer_sim.hopper == 50
    assert not any(isinstance(step, ConfirmPhoto) for step in p.shown)


def test_a_replacement_card_carries_the_photo_taken_and_approved_at_the_camera(kiosk):
    """Was: a replacement card's photo was a capture nobody saw. Now it is shot and approved like a new
    card's, after the reason and before the fee, and that photo is printed."""
    citizen_takes_cards(kiosk)
    p = Player(kiosk, "replace", does=[place(kiosk, "normal"), None, pay(kiosk)], wait_s=5,
               on_progress={"insert": lambda: kiosk.hands.insert_old_card("normal")})
    p.choose("damaged")
    assert isinstance(p.step, ConfirmPhoto), p.titles
    approved = p.step.snapshot.photo
    p.press(photo_step.USE).press("confirm_fee")
    assert p.title == "补换卡完成", p.body
    assert printed_photo(kiosk).tobytes() == slot_of(approved).tobytes()
