"""[camera]: the device (sim, none or a V4L2 node), what it is asked for, and whom the simulator shows; each
bad value stops start-up naming the key. And the kiosk is built with the camera the table names."""
import pytest

from kiosk.config import CAMERA_PERSONS, Config, ConfigError, load
from kiosk.hw.base import DeviceState
from kiosk.hw.camera.opencv import OpenCvCamera
from kiosk.hw.camera.simulated import SHOWS, SimulatedCamera
from kiosk.wiring import build_devices
from tests.test_config import write


def test_face_services_and_threshold_override_the_regions_policy(tmp_path):
    config = load(write(tmp_path, '[face]\nservices = ["issue", "replace"]\nthreshold = 0.45'))
    assert (config.face_services, config.face_threshold) == (("issue", "replace"), 0.45)
    wiring = build_devices(Config(state_dir=str(tmp_path / "s"), issuer_timing=0, face_services=("issue",),
                                  face_threshold=0.45))
    try:
        assert wiring.devices.policy.face_check_services == ("issue",)
        assert wiring.devices.policy.face_match_threshold == 0.45
    finally:
        wiring.close()
    assert load(None).face_services is None                     # the region's list (policy.py) by default


@pytest.mark.parametrize("text, words", [
    ('[face]\nservices = ["issue", "teleport"]', "unknown teleport"),
    ('[face]\nservices = "issue"', "a list of service keys"),
    ('[face]\nthreshold = 0.9', r"0\.3 \(strict\) to 0\.6"),
    ('[face]\nthreshold = true', r"0\.3 \(strict\) to 0\.6"),
    ('[face]\nstrictness = 1', "unknown config keys: face.strictness"),
])
def test_a_bad_face_table_stops_start_up_naming_the_key(tmp_path, text, words):
    with pytest.raises(ConfigError, match=words):
        load(write(tmp_path, text))


def test_the_default_is_the_simulated_camera_at_1280x720_showing_the_holder():
    config = load(None)
    assert (config.camera, config.camera_resolution, config.camera_fps, config.camera_person) == \
        ("sim", (1280, 720), 15.0, "holder")


def test_a_v4l2_camera_with_its_resolution_and_rate(tmp_path):
    config = load(write(tmp_path, '[camera]\ndevice = "/dev/video2"\nresolution = "1280x720"\nfps = 30'))
    assert (config.camera, config.camera_resolution, config.camera_fps) == ("/dev/video2", (1280, 720), 30.0)


def test_the_simulator_can_start_with_anyone_in_front_of_it(tmp_path):
    assert CAMERA_PERSONS == SHOWS
    for person in SHOWS:
        assert load(write(tmp_path, f'[camera]\nperson = "{person}"')).camera_person == person


@pytest.mark.parametrize("text,words", [
    ('device = "video0"', "camera.device 'video0': sim, none or a V4L2 camera such as /dev/video0"),
    ('device = "/dev/video"', "camera.device '/dev/video'"),
    ('device = "/dev/ttyUSB0"', "camera.device '/dev/ttyUSB0'"),
    ('device = "/dev/video0; rm -rf /"', "camera.device"),
    ('resolution = "640*480"', "camera.resolution '640\\*480': WIDTHxHEIGHT"),
    ('resolution = "64x48"', "camera.resolution '64x48'"),
    ('resolution = "99999x480"', "camera.resolution"),
    ('resolution = 640', "camera.resolution: expected str"),
    ('fps = 0', "camera.fps 0: frames per second, 1 to 60"),
    ('fps = 120', "camera.fps 120"),
    ('fps = "fast"', "camera.fps 'fast'"),
    ('fps = true', "camera.fps True"),
    ('person = "stranger"', "camera.person 'stranger': one of holder, other, photo, nobody, two"),
    ('device = "/dev/video0"\nperson = "other"', "camera.person: only the simulated camera"),
    ('zoom = 2', "unknown config keys: camera.zoom"),
])
def test_bad_camera_values_name_the_key(tmp_path, text, words):
    with pytest.raises(ConfigError, match=words):
        load(write(tmp_path, "[camera]\n" + text))


def test_the_kiosk_is_built_with_the_camera_the_table_names(tmp_path):
    wiring = build_devices(Config(state_dir=str(tmp_path / "a"), issuer_timing=0, camera_person="photo",
                                  camera_resolution=(320, 240), camera_fps=10.0))
    try:
        camera = wiring.devices.camera
        assert isinstance(camera, SimulatedCamera) and camera.realtime and camera.fps == 10.0
        assert camera.showing == "photo" and camera.frame().size == (320, 240)
        assert wiring.hands.camera is camera
        assert wiring.devices.status("camera").detail == "simulated camera (showing: photo)"
        wiring.hands.show_at_camera("two")
        assert camera.showing == "two"
    finally:
        wiring.close()
    wiring = build_devices(Config(state_dir=str(tmp_path / "b"), issuer_timing=0, camera="/dev/video97"))
    try:
        camera = wiring.devices.camera                      # built even when unplugged: a status, not a crash
        assert isinstance(camera, OpenCvCamera) and camera.resolution == (1280, 720)
        status = wiring.devices.status("camera")
        assert status.state is DeviceState.OFFLINE and "not connected" in status.detail
    finally:
        wiring.close()
