"""The OpenCV camera driver, run for real: it reads a short MJPG video of real faces (written here with
cv2.VideoWriter) through the same capture thread it uses for /dev/videoN, and it reports a camera that is not
there, cannot be opened or stops delivering as typed faults."""
import threading
import time

import cv2
import numpy as np
import pytest

from kiosk.faces import engine, samples
from kiosk.hw.base import Action, DeviceError, DeviceState, DeviceTimeout
from kiosk.hw.camera import OpenCvCamera
from kiosk.ports import CameraPort

FPS = 15
RED = (230, 20, 20)            # a patch in the corner: RGB out means OpenCV's BGR was converted


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    assert samples.available(), f"sample faces missing: run {samples.FETCH_HINT}"
    path = tmp_path_factory.mktemp("video") / "faces.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (640, 480))
    assert writer.isOpened()
    for i in range(20):
        frame = samples.scene("obama2.jpg", face_width=0.28, dx=0.01 * (i % 5))
        rgb = np.asarray(frame).copy()
        rgb[:40, :40] = RED
        writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.fixture
def camera(video):
    cam = OpenCvCamera(str(video))
    yield cam
    cam.stop()


def test_the_driver_stands_behind_the_camera_port(camera):
    assert isinstance(camera, CameraPort)


def test_a_video_file_streams_rgb_frames_with_the_face_in_them(camera):
    camera.start()
    image = camera.frame(timeout=2)
    assert image.mode == "RGB" and image.size == (640, 480) == camera.resolution
    r, g, b = image.getpixel((10, 10))
    assert r > 180 and b < 80, (r, g, b)                          # BGR → RGB
    faces = engine.shared().find(image)
    assert len(faces) == 1 and faces[0].width > 120


def test_each_frame_is_a_new_one_and_status_measures_the_rate(camera):
    camera.start()
    started = time.monotonic()
    frames = [camera.frame(timeout=2).tobytes() for _ in range(16)]
    took = time.monotonic() - started
    assert took > 14 / FPS * 0.8                                  # paced at the file's rate, not re-served
    assert all(a != b for a, b in zip(frames, frames[1:]))        # never the same frame twice
    status = camera.status()
    assert status.state is DeviceState.ONLINE and status.media["resolution"] == "640x480"
    assert 0.7 * FPS <= status.media["fps"] <= 1.3 * FPS, status.media


def test_frames_are_read_on_the_cameras_own_daemon_thread(camera, video):
    camera.start()
    camera.frame(timeout=2)
    readers = [t for t in threading.enumerate() if t.name == f"camera {video}"]
    assert len(readers) == 1 and readers[0].daemon and readers[0] is not threading.current_thread()
    camera.stop()
    camera.stop()                                                 # idempotent
    assert not readers[0].is_alive()
    camera.start()                                                # and it opens again
    camera.start()                                                # idempotent
    assert camera.frame(timeout=2).size == (640, 480)
    assert len([t for t in threading.enumerate() if t.name == f"camera {video}"]) == 1


def test_capture_starts_the_camera_and_gives_a_still(video):
    cam = OpenCvCamera(str(video))
    try:
        assert cam.capture().size == (640, 480)
    finally:
        cam.stop()


def test_a_camera_that_stops_delivering_is_a_typed_fault_not_a_crash(video):
    cam = OpenCvCamera(str(video), loop_file=False)           # the file's end: as a camera pulled out
    try:
        with pytest.raises(DeviceError) as caught:
            for _ in range(40):
                cam.frame(timeout=2)
        assert "stopped delivering" in caught.value.detail and caught.value.zh == "摄像头已断开，请联系工作人员"
        assert cam.status().state is DeviceState.OFFLINE
        with pytest.raises(DeviceError):                      # and it stays lost until started again
            cam.frame(timeout=0.2)
    finally:
        cam.stop()


def test_a_frame_that_does_not_come_in_time_is_a_retryable_timeout(tmp_path, video):
    slow = tmp_path / "slow.avi"                              # 2 frames a second: a camera stalling
    writer = cv2.VideoWriter(str(slow), cv2.VideoWriter_fourcc(*"MJPG"), 2, (320, 240))
    for i in range(4):
        writer.write(np.full((240, 320, 3), 60 * i, np.uint8))
    writer.release()
    cam = OpenCvCamera(str(slow))
    try:
        cam.frame(timeout=2)
        with pytest.raises(DeviceTimeout) as caught:
            cam.frame(timeout=0.1)
        assert caught.value.action is Action.RETRY and caught.value.zh == "摄像头没有画面，请稍后再试"
        assert cam.frame(timeout=2).size == (320, 240)         # and the next one still comes
    finally:
        cam.stop()


def test_a_camera_that_is_not_there_says_it_is_not_connected():
    cam = OpenCvCamera("/dev/video97")
    status = cam.status()
    assert status.state is DeviceState.OFFLINE and "not connected" in status.detail
    with pytest.raises(DeviceError) as caught:
        cam.start()
    assert "not connected" in caught.value.detail and caught.value.action is Action.MAINTENANCE
    assert caught.value.zh == "摄像头未连接，请联系工作人员" and "not connected" in caught.value.en
    with pytest.raises(DeviceError):
        cam.capture()


def test_something_that_is_not_a_camera_cannot_be_opened(tmp_path):
    junk = tmp_path / "not-a-video.avi"
    junk.write_bytes(b"this is no video" * 10)
    cam = OpenCvCamera(str(junk))
    with pytest.raises(DeviceError) as caught:
        cam.start()
    assert "cannot be opened" in caught.value.detail and caught.value.zh == "摄像头无法打开，请联系工作人员"
    assert not [t for t in threading.enumerate() if t.name == f"camera {junk}" and t.is_alive()]
