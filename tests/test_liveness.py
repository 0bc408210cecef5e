"""The blink challenge on faces found by the real engine in frames made from real photographs: a blink of one
face passes; a printed photo, eyes held shut, a face swapped mid-blink or a face that left do not."""
import pytest

from kiosk.faces import liveness, samples
from kiosk.faces.liveness import BlinkChallenge
from kiosk.faces.measure import find_scaled
from tests.face_tools import engine  # noqa: F401  (the session's engine)

FPS = 15


@pytest.fixture(scope="module")
def faces(engine):  # noqa: F811
    """name → the face the preview finds in each kind of frame."""
    def one(image):
        found = find_scaled(engine, image)
        assert len(found) == 1
        return found[0]
    return {"open": one(samples.scene("obama2.jpg")), "closed": one(samples.scene("obama2.jpg", eyes_closed=True)),
            "other_closed": one(samples.scene("biden.jpg", dx=0.3, eyes_closed=True)),
            "print": [one(samples.printed("obama2.jpg", tilt=t)) for t in (3.0, 4.0, 5.0, 4.0)]}


def run(sequence, fps=FPS, start=0.0) -> BlinkChallenge:
    challenge = BlinkChallenge()
    for i, face in enumerate(sequence):
        challenge.feed(face, start + i / fps)
    return challenge


def test_a_blink_of_the_same_face_passes(faces):
    challenge = run([faces["open"]] * 6 + [faces["closed"]] * 2 + [faces["open"]] * 2)
    assert challenge.passed and challenge.state == "passed"


def test_a_blink_while_the_baseline_is_learnt_does_not_count(faces):
    challenge = run([faces["open"]] * (liveness.BASELINE_FRAMES - 2) + [faces["closed"]] * 2 + [faces["open"]] * 4)
    assert not challenge.passed and challenge.baseline == pytest.approx(liveness.eyes_open_ratio(faces["open"]))


def test_open_eyes_alone_never_pass(faces):
    challenge = run([faces["open"]] * 60)
    assert not challenge.passed and challenge.state == "waiting"


def test_a_printed_photo_held_up_and_moved_never_passes(faces):
    challenge = run(faces["print"] * 30)          # 120 frames, the print tilted a little back and forth
    assert not challenge.passed


def test_eyes_held_shut_are_not_a_blink(faces):
    challenge = run([faces["open"]] * 6 + [faces["closed"]] * (liveness.MAX_CLOSED_FRAMES + 1) + [faces["open"]] * 3)
    assert not challenge.passed


def test_closed_eyes_of_another_face_in_another_place_reset_the_challenge(faces):
    challenge = run([faces["open"]] * 6 + [faces["other_closed"]] * 2 + [faces["open"]] * 3)
    assert not challenge.passed and challenge.resets >= 1


def test_a_face_that_leaves_for_longer_than_the_gap_starts_again(faces):
    challenge = run([faces["open"]] * 6)
    challenge.feed(None, 6 / FPS + liveness.MAX_GAP_S + 0.1)
    assert challenge.state == "learning" and challenge.resets == 1
    for i, face in enumerate([faces["closed"]] * 2 + [faces["open"]] * 2):
        challenge.feed(face, 1.0 + i / FPS)
    assert not challenge.passed                   # the closed eyes were learnt as the new baseline's start


def test_two_faces_reset_forgets_a_passed_blink(faces):
    challenge = run([faces["open"]] * 6 + [faces["closed"]] * 2 + [faces["open"]] * 2)
    challenge.reset()
    assert not challenge.passed and challenge.state == "learning"
