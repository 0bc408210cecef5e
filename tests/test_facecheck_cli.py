"""``python -m provisioning facecheck``: the kiosk's face match on two photographs, for a technician — real
photographs, the real CLI, its JSON and exit codes."""
import json
import subprocess
import sys

import pytest

from kiosk.faces import samples
from kiosk.faces.verify import DEFAULT_THRESHOLD
from provisioning.__main__ import main
from tests.face_tools import engine  # noqa: F401  (the session's engine; skips when samples are missing)


@pytest.fixture(scope="module")
def photos(engine, tmp_path_factory):  # noqa: F811
    folder = tmp_path_factory.mktemp("facecheck")
    files = {"obama_id": samples.id_photo("obama"), "obama_live": samples.photograph("obama2.jpg"),
             "biden_live": samples.photograph("biden.jpg"),
             "two": samples.two_people("obama2.jpg", "biden.jpg"), "nobody": samples.nobody((102, 126))}
    for name, image in files.items():
        image.save(folder / f"{name}.png")
    return {name: str(folder / f"{name}.png") for name in files}


def facecheck(capsys, *args):
    code = main(["facecheck", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_holder_matches_the_id_card_photo(photos, capsys):
    code, out = facecheck(capsys, photos["obama_id"], photos["obama_live"])
    assert code == 0 and out["match"] is True and out["faces"] == 1
    assert 0 < out["score"] <= out["threshold"] == DEFAULT_THRESHOLD


def test_someone_else_does_not_match(photos, capsys):
    code, out = facecheck(capsys, photos["obama_id"], photos["biden_live"])
    assert code == 1 and out["match"] is False and out["score"] > DEFAULT_THRESHOLD


def test_a_stricter_threshold_turns_the_match_down(photos, capsys):
    code, out = facecheck(capsys, photos["obama_id"], photos["obama_live"], "--threshold", "0.1")
    assert code == 1 and out["match"] is False and out["threshold"] == 0.1


def test_two_faces_in_the_live_photo_exit_2_and_say_which(photos, capsys):
    code, out = facecheck(capsys, photos["obama_id"], photos["two"])
    assert code == 2 and out["faces"] == 2 and "LIVE_PHOTO" in out["error"] and out["score"] is None


def test_no_face_on_the_id_photo_exits_2_and_says_which(photos, capsys):
    code, out = facecheck(capsys, photos["nobody"], photos["obama_live"])
    assert code == 2 and out["id_faces"] == 0 and "ID_PHOTO" in out["error"]


def test_the_command_line_itself(photos):
    done = subprocess.run([sys.executable, "-m", "provisioning", "facecheck", photos["obama_id"],
                           photos["biden_live"], "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert set(json.loads(done.stdout)) >= {"faces", "match", "score", "threshold"}
