"""The technician's ``probe camera``: the simulated camera and a real OpenCV capture (from a video file of
faces) give resolution, a measured rate and quality figures; no camera is exit 3 with one line saying why."""
import json

import cv2
import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from kiosk.faces import samples
from provisioning import camera_probe
from provisioning.__main__ import main


@pytest.fixture(scope="module")
def faces_video(tmp_path_factory):
    assert samples.available(), f"sample faces missing: run {samples.FETCH_HINT}"
    path = tmp_path_factory.mktemp("probe") / "faces.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 20, (640, 480))
    for i in range(30):
        frame = samples.scene("obama3.jpg", face_width=0.28, dx=0.005 * (i % 4))
        writer.write(cv2.cvtColor(np.asarray(frame), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def test_the_simulated_camera_probed_as_json(capsys):
    assert main(["probe", "camera", "--device", "sim", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"device", "resolution", "fps", "frames", "brightness", "contrast", "sharpness", "faces"}
    assert result["device"] == "sim" and result["resolution"] == [640, 480] and result["faces"] == 1
    assert 12 <= result["fps"] <= 18 and result["frames"] == 15          # paced at its 15 fps
    assert 150 < result["brightness"] < 230 and result["contrast"] > 20 and result["sharpness"] > 20


def test_a_real_capture_through_opencv_reports_the_files_rate_and_the_face(faces_video, capsys):
    assert main(["probe", "camera", "--device", str(faces_video), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["resolution"] == [640, 480] and result["faces"] == 1
    assert 16 <= result["fps"] <= 24, result


def test_without_json_one_line_for_the_technician(capsys):
    assert main(["probe", "camera", "--device", "sim", "--resolution", "320x240"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("camera sim: 320x240 at ") and "faces " in out[0]


def test_no_camera_is_exit_3_with_one_line(capsys):
    assert main(["probe", "camera", "--device", "/dev/video97"]) == 3
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == "no camera: camera /dev/video97 is not connected"
    assert main(["probe", "camera", "--device", "/dev/video97", "--json"]) == 3
    assert json.loads(capsys.readouterr().out) == {"device": "/dev/video97",
                                                    "error": "camera /dev/video97 is not connected"}


def test_a_device_that_cannot_be_opened_is_exit_3(tmp_path, capsys):
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"\0" * 4096)
    assert main(["probe", "camera", "--device", str(junk)]) == 3
    assert "cannot be opened" in capsys.readouterr().err


def test_a_bad_resolution_is_refused(capsys):
    assert main(["probe", "camera", "--device", "sim", "--resolution", "big"]) == 2


def test_the_quality_figures_follow_the_picture():
    assert samples.available()
    sharp = samples.scene("obama3.jpg", face_width=0.3)
    figures = camera_probe.quality(sharp)
    assert camera_probe.quality(sharp.filter(ImageFilter.GaussianBlur(3)))["sharpness"] < figures["sharpness"] / 4
    dark = camera_probe.quality(ImageEnhance.Brightness(sharp).enhance(0.3))
    assert dark["brightness"] < figures["brightness"] / 2
    flat = camera_probe.quality(Image.new("RGB", (64, 48), (128, 128, 128)))
    assert flat == {"brightness": 128.0, "contrast": 0.0, "sharpness": 0.0}
