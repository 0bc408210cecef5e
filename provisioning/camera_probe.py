"""``probe camera``: is a camera there, what does it deliver, and is its picture good enough to find a face?

    python -m provisioning probe camera [--device /dev/video0|sim|VIDEO_FILE] [--resolution 640x480] [--json]

It opens the camera as the kiosk does (kiosk.hw.camera), reads frames for about a second (at most 15), and
reports the resolution delivered, the measured frame rate, and one frame's quality figures: mean brightness
(0-255), contrast (the standard deviation of brightness), sharpness (the variance of a Laplacian: a blurred
or misfocused camera scores low) and how many faces the kiosk's face engine finds. Nothing is saved: the
frame is measured in memory and dropped. Exit 0 with figures, 3 when there is no camera (not connected, or
it cannot be opened or delivers nothing).
"""
from __future__ import annotations

import time

import numpy as np

EXIT_OK, EXIT_NO_CAMERA = 0, 3
MEASURE_SECONDS, MEASURE_FRAMES = 1.0, 15


def open_camera(device: str, resolution: tuple[int, int]):
    if device == "sim":
        from kiosk.hw.camera.simulated import SimulatedCamera
        return SimulatedCamera(resolution=resolution, realtime=True)
    from kiosk.hw.camera.opencv import OpenCvCamera
    return OpenCvCamera(device, resolution)


def quality(image) -> dict:
    """Brightness, contrast and sharpness of one frame (grey levels 0-255)."""
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    laplacian = (grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1])
    return {"brightness": round(float(grey.mean()), 1), "contrast": round(float(grey.std()), 1),
            "sharpness": round(float(laplacian.var()), 1)}


def faces_in(image) -> int | None:
    """Faces the kiosk's engine finds (None when the engine is not installed)."""
    from kiosk.faces import engine
    found = engine.shared()
    return len(found.find(image)) if found.installed else None


def probe(device: str, resolution: tuple[int, int] = (640, 480)) -> dict:
    """The figures; a DeviceError when there is no camera."""
    camera = open_camera(device, resolution)
    try:
        camera.start()
        last = camera.frame(timeout=3.0)         # the first frame may wait for the camera to warm up
        arrived = []                             # when each measured frame came: the rate is their spacing
        while len(arrived) < MEASURE_FRAMES and (not arrived or arrived[-1] - arrived[0] < MEASURE_SECONDS):
            last = camera.frame(timeout=2.0)
            arrived.append(time.monotonic())
    finally:
        camera.stop()
    spread = arrived[-1] - arrived[0]
    return {"device": device, "resolution": list(last.size),
            "fps": round((len(arrived) - 1) / spread, 1) if spread > 0 else None, "frames": len(arrived),
            **quality(last), "faces": faces_in(last)}


def line(result: dict) -> str:
    w, h = result["resolution"]
    faces = "face engine not installed" if result["faces"] is None else f"faces {result['faces']}"
    return (f"camera {result['device']}: {w}x{h} at {result['fps']} fps; brightness {result['brightness']}, "
            f"contrast {result['contrast']}, sharpness {result['sharpness']}, {faces}")
