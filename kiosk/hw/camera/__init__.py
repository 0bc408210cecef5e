"""The camera: the applicant's photo (申领照片) and the live face for 人证核验.

- ``opencv``: a V4L2 camera through OpenCV, read on its own thread (the production driver);
- ``simulated``: a device simulator showing real photographs of faces (kiosk.faces.samples).

Both stand behind kiosk.ports.CameraPort. The names are loaded when first asked for, so importing the
driver never loads the simulator (nor OpenCV when only the simulator is used).
"""
from __future__ import annotations

__all__ = ["OpenCvCamera", "SimulatedCamera"]


def __getattr__(name: str):
    if name == "SimulatedCamera":
        from kiosk.hw.camera.simulated import SimulatedCamera
        return SimulatedCamera
    if name == "OpenCvCamera":
        from kiosk.hw.camera.opencv import OpenCvCamera
        return OpenCvCamera
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
