"""The face engine: finds faces, their 68 landmarks and the 128-number descriptor that compares two faces.

It is dlib (the ``dlib-bin`` wheel: prebuilt, no compiler on the kiosk) with the models trained by dlib's
author that the ``face_recognition_models`` package ships — so it works with no network, as a kiosk must.
We call dlib directly instead of through the ``face_recognition`` wrapper: the wrapper declares ``dlib``
(which builds from source for 20 minutes) and adds nothing we use. The models are located without importing
``face_recognition_models`` (its ``__init__`` needs ``pkg_resources``, gone from setuptools ≥ 81).

Everything here works on images in memory (PIL or numpy RGB) and keeps nothing: no frame, face or
descriptor is stored or logged (README, "Privacy").
"""
from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

# 68-point landmark groups (the iBUG 300-W layout dlib's predictor was trained on); "left" and "right" are
# the image's, not the person's
GROUPS = {"chin": range(0, 17), "left_eyebrow": range(17, 22), "right_eyebrow": range(22, 27),
          "nose_bridge": range(27, 31), "nose_tip": range(31, 36), "left_eye": range(36, 42),
          "right_eye": range(42, 48), "top_lip": range(48, 55), "bottom_lip": range(55, 60)}
MODEL_FILES = ("shape_predictor_68_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat")


class FaceEngineMissing(RuntimeError):
    """dlib or its models are not installed: the kiosk cannot check a face (services that need it refuse)."""


@dataclass(frozen=True)
class Face:
    """One face found in one image: its box (left, top, right, bottom, in the image's pixels) and landmarks."""
    box: tuple[int, int, int, int]
    points: tuple[tuple[float, float], ...] = field(repr=False)     # the 68 landmarks, (x, y)
    _shape: object = field(default=None, repr=False, compare=False)  # dlib's full_object_detection, for encode()

    def group(self, name: str) -> np.ndarray:
        return np.array([self.points[i] for i in GROUPS[name]], dtype=float)

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


def models_dir() -> str | None:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "models")
    return path if all(os.path.exists(os.path.join(path, f)) for f in MODEL_FILES) else None


def rgb(image) -> np.ndarray:
    """A PIL image or an array as the contiguous 8-bit RGB array dlib wants."""
    if isinstance(image, Image.Image):
        image = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(image, dtype=np.uint8)


class DlibFaceEngine:
    """HOG face detector, 68-point shape predictor, ResNet descriptor (dlib's defaults: distance < 0.6 is
    "the same person" on LFW at 99.38 %; our threshold comes from the region's policy)."""
    installed = True

    def __init__(self):
        try:
            import dlib
        except ImportError as exc:
            raise FaceEngineMissing(f"dlib is not installed ({exc})") from None
        models = models_dir()
        if models is None:
            raise FaceEngineMissing("face_recognition_models is not installed (dlib's trained models)")
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(os.path.join(models, MODEL_FILES[0]))
        self._encoder = dlib.face_recognition_model_v1(os.path.join(models, MODEL_FILES[1]))
        self._lock = threading.Lock()      # dlib's objects are not documented as thread-safe
        self.status = f"dlib {dlib.__version__}, HOG detector, 68 landmarks, ResNet descriptor"

    def find(self, image, upsample: int = 0) -> list[Face]:
        """Every face in the image, largest first. ``upsample`` doubles the image that many times first (a
        102 × 126 ID card photo needs 1: the HOG detector's window is 80 px)."""
        array = rgb(image)
        with self._lock:
            boxes = self._detector(array, upsample)
            faces = []
            for rect in boxes:
                shape = self._predictor(array, rect)
                points = tuple((float(p.x), float(p.y)) for p in shape.parts())
                faces.append(Face((rect.left(), rect.top(), rect.right(), rect.bottom()), points, shape))
        return sorted(faces, key=lambda f: -(f.width * f.height))

    def encode(self, image, face: Face, jitter: int = 1) -> np.ndarray:
        """The face's 128-number descriptor (``jitter`` > 1 averages that many slightly moved copies)."""
        with self._lock:
            return np.array(self._encoder.compute_face_descriptor(rgb(image), face._shape, jitter))


class NoFaceEngine:
    """Stands in when dlib or its models are missing: says so, and every use raises FaceEngineMissing."""
    installed = False

    def __init__(self, reason: str):
        self.status = f"face check not installed: {reason}"

    def find(self, image, upsample: int = 0) -> list[Face]:
        raise FaceEngineMissing(self.status)

    def encode(self, image, face: Face, jitter: int = 1) -> np.ndarray:
        raise FaceEngineMissing(self.status)


_shared: DlibFaceEngine | NoFaceEngine | None = None
_shared_lock = threading.Lock()


def shared():
    """One engine per process (the models take ~0.5 s and ~130 MB to load): the first call loads it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            try:
                _shared = DlibFaceEngine()
            except FaceEngineMissing as exc:
                _shared = NoFaceEngine(str(exc))
        return _shared


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance of two descriptors: 0 is the same image, < 0.6 the same person by dlib's measure."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def eye_aspect_ratio(eye: np.ndarray) -> float:
    """(|p2−p6| + |p3−p5|) / (2 |p1−p4|) of one eye's six landmarks (Soukupová & Čech, 2016): about 0.25–0.4
    open, falling towards 0.1 as the eye closes."""
    p = np.asarray(eye, dtype=float)
    width = np.linalg.norm(p[0] - p[3])
    if width <= 0:
        return 0.0
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2 * width))


def eyes_open_ratio(face: Face) -> float:
    return (eye_aspect_ratio(face.group("left_eye")) + eye_aspect_ratio(face.group("right_eye"))) / 2
