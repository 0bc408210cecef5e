"""The simulated camera shows real photographs, and the real face engine sees in them what the camera says
it shows: the ID card holder (matching the ID photo), someone else, a printed photo that never blinks, two
people, nobody. Frames step on one per call, so each test knows which frames have the eyes closed."""
import time
from statistics import mean

import pytest

from kiosk.faces import engine, samples
from kiosk.hw.base import Action, DeviceError, DeviceState
from kiosk.hw.camera import SimulatedCamera
from kiosk.hw.camera.simulated import BLINK_EVERY, FIRST_BLINK, blinks_at
from kiosk.ports import CameraPort

FRAMES = FIRST_BLINK + BLINK_EVERY + 6        # the approach and two blinks, with open frames around each
SAME_PERSON = 0.6                             # dlib's distance for "the same person"


@pytest.fixture(scope="module")
def eng():
    assert samples.available(), f"sample faces missing: run {samples.FETCH_HINT}"
    return engine.shared()


def id_descriptor(eng, person):
    photo = samples.id_photo(person)
    faces = eng.find(photo, upsample=1)
    assert len(faces) == 1
    return eng.encode(photo, faces[0])


def record(eng, camera, count=FRAMES):
    """For each frame: the faces found, whether the camera said the eyes were closed, and the image."""
    out = []
    for _ in range(count):
        image = camera.frame()
        out.append((eng.find(image), camera.eyes_closed, image))
    return out


@pytest.fixture(scope="module")
def holder_frames(eng):
    return record(eng, SimulatedCamera())


def test_it_stands_behind_the_camera_port_and_says_what_it_shows():
    camera = SimulatedCamera()
    assert isinstance(camera, CameraPort) and camera.resolution == (1280, 720)
    status = camera.status()
    assert status.state is DeviceState.ONLINE and status.detail == "simulated camera (showing: holder)"
    camera.show("photo")
    assert camera.status().detail == "simulated camera (showing: photo)"
    with pytest.raises(ValueError):
        camera.show("ghost")


def test_the_holder_is_one_face_that_matches_the_id_photo_and_steps_closer(eng, holder_frames):
    reference = id_descriptor(eng, "obama")
    assert [len(faces) for faces, _, _ in holder_frames] == [1] * FRAMES
    for faces, _, image in holder_frames[::9]:
        assert engine.distance(reference, eng.encode(image, faces[0])) < SAME_PERSON
    first, arrived = holder_frames[0][0][0].width, holder_frames[FIRST_BLINK][0][0].width
    assert first < 0.7 * arrived                 # a little far at first, then close enough
    assert arrived >= 150                        # in a 640-wide frame


def test_a_blink_closes_the_eyes_in_exactly_the_frames_the_camera_says(eng, holder_frames):
    closed = [i for i, (_, shut, _) in enumerate(holder_frames) if shut]
    assert closed == [i for i in range(FRAMES) if blinks_at(i)] and len(closed) == 4
    ratio = [engine.eyes_open_ratio(faces[0]) for faces, _, _ in holder_frames]
    open_ratios = [r for i, r in enumerate(ratio) if i not in closed]
    assert max(ratio[i] for i in closed) < 0.8 * min(open_ratios[FIRST_BLINK - 5:]), ratio
    assert mean(ratio[i] for i in closed) < 0.75 * mean(open_ratios)


def test_the_people_sway_so_no_two_frames_in_a_row_are_alike(holder_frames):
    boxes = [faces[0].box for faces, _, _ in holder_frames[FIRST_BLINK:]]
    assert len(set(boxes)) > 2
    images = [image.tobytes() for _, _, image in holder_frames[:10]]
    assert len(set(images)) == 10


def test_someone_else_does_not_match_the_holders_id_photo_but_blinks(eng):
    reference = id_descriptor(eng, "obama")
    frames = record(eng, SimulatedCamera(showing="other"), FIRST_BLINK + 3)
    assert all(len(faces) == 1 for faces, _, _ in frames)
    faces, _, image = frames[-1]
    assert engine.distance(reference, eng.encode(image, faces[0])) > SAME_PERSON
    assert engine.distance(id_descriptor(eng, "biden"), eng.encode(image, faces[0])) < SAME_PERSON
    assert any(shut for _, shut, _ in frames)


def test_the_holder_is_whoever_the_id_card_on_the_reader_shows(eng):
    on_reader = {"person": "collins"}
    camera = SimulatedCamera(holder=lambda: on_reader["person"])
    faces = eng.find(image := camera.frame())
    assert engine.distance(id_descriptor(eng, "collins"), eng.encode(image, faces[0])) < SAME_PERSON
    camera.show("other")                                   # someone else than collins: obama
    faces = eng.find(image := camera.frame())
    assert engine.distance(id_descriptor(eng, "obama"), eng.encode(image, faces[0])) < SAME_PERSON
    on_reader["person"] = None                             # no card (or no photo on it): obama is the holder
    camera.show("holder")
    faces = eng.find(image := camera.frame())
    assert engine.distance(id_descriptor(eng, "obama"), eng.encode(image, faces[0])) < SAME_PERSON


def test_a_printed_photo_held_up_never_blinks(eng):
    camera = SimulatedCamera(showing="photo")
    frames = record(eng, camera)
    assert all(len(faces) == 1 and not shut for faces, shut, _ in frames)
    ratio = [engine.eyes_open_ratio(faces[0]) for faces, _, _ in frames]
    # the eyes on paper stay as they are: the landmarks wobble with the hand (±0.3°) by a few per cent, never
    # down to the blink challenge's 80 % of the open baseline (kiosk/faces/liveness.py)
    assert min(ratio) > 0.85 * max(ratio), ratio
    image = frames[0][2]
    assert engine.distance(id_descriptor(eng, "obama"), eng.encode(image, frames[0][0][0])) < SAME_PERSON


def test_two_people_are_two_faces_and_nobody_is_none(eng):
    camera = SimulatedCamera(showing="two")
    assert all(len(faces) == 2 for faces, _, _ in record(eng, camera, 3))
    camera.show("nobody")
    assert all(len(faces) == 0 for faces, _, _ in record(eng, camera, 3))


def test_capture_counts_the_stills_asked_for():
    camera = SimulatedCamera()
    assert camera.capture().size == (1280, 720) and camera.captures == 1
    camera.capture()
    assert camera.captures == 2


def test_in_real_time_frames_come_at_the_configured_rate():
    camera = SimulatedCamera(showing="nobody", fps=20, realtime=True)
    camera.frame()
    started = time.monotonic()
    for _ in range(6):
        camera.frame()
    assert 0.25 <= time.monotonic() - started < 0.6


def test_without_the_sample_photographs_it_says_how_to_fetch_them(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_SAMPLE_FACES", str(tmp_path))
    camera = SimulatedCamera()
    status = camera.status()
    assert status.state is DeviceState.OFFLINE and "scripts/fetch_sample_faces.py" in status.detail
    with pytest.raises(DeviceError) as caught:
        camera.start()
    assert caught.value.action is Action.CONFIGURATION and "fetch_sample_faces.py" in caught.value.detail
    with pytest.raises(DeviceError):
        camera.capture()


def test_a_person_shown_again_steps_closer_again_and_still_blinks_clearly(eng):
    camera = SimulatedCamera()
    record(eng, camera, 5)
    camera.show("other")
    camera.show("holder")                                     # back in front of the camera: from a little far
    frames = record(eng, camera, FIRST_BLINK + BLINK_EVERY + 2)
    assert frames[0][0][0].width < 0.7 * frames[FIRST_BLINK][0][0].width
    ratio = [engine.eyes_open_ratio(faces[0]) for faces, _, _ in frames]
    closed = [r for r, (_, shut, _) in zip(ratio, frames) if shut]
    still_open = [r for r, (_, shut, _) in zip(ratio[FIRST_BLINK - 5:], frames[FIRST_BLINK - 5:]) if not shut]
    assert len(closed) == 4 and max(closed) < 0.8 * min(still_open), ratio
