"""A V4L2 camera through OpenCV (``opencv-python-headless``).

Kivy 2.3.1's camera provider does not work with OpenCV 5, so the kiosk captures with OpenCV itself: one
daemon thread per camera reads frames as fast as the camera delivers them and keeps only the latest (a
slow consumer never sees a stale queue); ``frame()`` hands out the next new one as an RGB PIL image. The
UI thread never reads: a flow's worker does, and the screen gets the frames it is handed.

``device`` is ``/dev/videoN`` (opened by index with ``cv2.CAP_V4L2``) or — for tests and demos only — the
path of a video file, played at the file's own frame rate and looped, so the real driver code runs in CI
without a camera. A camera that is not there, cannot be opened, or stops delivering frames is a typed
DeviceError with words for the citizen, never a crash.
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections import deque

import cv2
import numpy as np
from PIL import Image

from kiosk.hw.base import Action, DeviceError, DeviceOffline, DeviceState, DeviceStatus, DeviceTimeout

cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)   # no V4L2 warnings on the console
V4L2_NODE = re.compile(r"^/dev/video(\d+)$")
LOST_AFTER = 10          # consecutive failed reads before the camera counts as lost (one is a hiccup)
OPEN_TIMEOUT = 5.0       # a V4L2 open can hang on a wedged camera: the caller waits this long at most


def _not_connected(device: str) -> DeviceOffline:
    return DeviceOffline(f"camera {device} is not connected", zh="摄像头未连接，请联系工作人员",
                         en="The camera is not connected. Please ask staff for help")


def _cannot_open(device: str, why: str) -> DeviceOffline:
    return DeviceOffline(f"camera {device} cannot be opened: {why}", zh="摄像头无法打开，请联系工作人员",
                         en="The camera cannot be opened. Please ask staff for help")


def _lost(device: str) -> DeviceOffline:
    return DeviceOffline(f"camera {device} stopped delivering frames (unplugged?)",
                         zh="摄像头已断开，请联系工作人员", en="The camera stopped working. Please ask staff for help")


class OpenCvCamera:
    """``start()`` opens and streams (idempotent), ``frame()`` the next new frame, ``stop()`` releases."""

    def __init__(self, device: str, resolution: tuple[int, int] = (1280, 720), loop_file: bool = True):
        self.device = device
        self.requested = tuple(resolution)
        self.resolution = tuple(resolution)     # what the camera really delivers, once it has
        self.loop_file = loop_file
        self._cond = threading.Condition()
        self._latest: np.ndarray | None = None  # BGR, as OpenCV reads it; converted when handed out
        self._seq = 0                           # frames read so far
        self._given = 0                         # the seq of the last frame handed out
        self._times: deque[float] = deque(maxlen=30)
        self._error: DeviceError | None = None  # why the stream ended
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._starting = threading.Lock()       # two workers starting at once open the device once

    # -- the port ------------------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        with self._cond:
            running = self._thread is not None and self._thread.is_alive()
            error, fps = self._error, self._fps()
        media = {"resolution": "x".join(map(str, self.resolution)), "fps": round(fps, 1) if fps else None}
        if error is not None:
            return DeviceStatus("camera", DeviceState.OFFLINE, media, detail=error.detail)
        if running:
            return DeviceStatus("camera", DeviceState.ONLINE, media, detail=f"camera {self.device}, streaming")
        if V4L2_NODE.match(self.device) and not os.path.exists(self.device):
            return DeviceStatus("camera", DeviceState.OFFLINE, media, detail=f"camera {self.device} is not connected")
        if not V4L2_NODE.match(self.device) and not os.path.exists(self.device):
            return DeviceStatus("camera", DeviceState.OFFLINE, media, detail=f"camera {self.device} does not exist")
        return DeviceStatus("camera", DeviceState.ONLINE, media, detail=f"camera {self.device}, idle")

    def start(self) -> None:
        with self._starting:
            self._start()

    def _start(self) -> None:
        with self._cond:
            if self._thread is not None and self._thread.is_alive():
                return
            self._error, self._latest, self._seq, self._given = None, None, 0, 0
            self._times.clear()
        node = V4L2_NODE.match(self.device)
        if not os.path.exists(self.device):
            raise _not_connected(self.device)
        opened: dict = {}
        ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(node, opened, ready, self._stop),
                                        name=f"camera {self.device}", daemon=True)
        self._thread.start()
        if not ready.wait(OPEN_TIMEOUT):
            self._stop.set()
            raise _cannot_open(self.device, f"no answer within {OPEN_TIMEOUT:g} s")
        if "error" in opened:
            self._thread.join(1.0)
            raise opened["error"]

    def frame(self, timeout: float = 1.0) -> Image.Image:
        """The next frame not handed out before. Starts a camera never started; one whose stream ended raises
        why (a lost camera is not silently reopened: ``start()`` again does that)."""
        if self._thread is None:
            self.start()
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._seq <= self._given and self._error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DeviceTimeout(f"camera {self.device}: no frame within {timeout:g} s",
                                        zh="摄像头没有画面，请稍后再试", en="The camera shows no picture. Please try again")
                self._cond.wait(left)
            if self._seq <= self._given:
                raise self._error
            bgr, self._given = self._latest, self._seq
        return Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        self._thread = None

    def capture(self) -> Image.Image:
        """One fresh still."""
        return self.frame(timeout=3.0)

    def close(self) -> None:
        self.stop()

    # -- the capture thread --------------------------------------------------------------------------
    def _fps(self) -> float | None:
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return None
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])

    def _open(self, node):
        if node:
            capture = cv2.VideoCapture(int(node.group(1)), cv2.CAP_V4L2)
            if capture.isOpened():
                capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.requested[0])
                capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.requested[1])
                capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)      # where the driver allows: less lag behind the person
            return capture, None                        # a camera paces itself
        capture = cv2.VideoCapture(self.device)
        fps = capture.get(cv2.CAP_PROP_FPS) if capture.isOpened() else 0
        return capture, 1.0 / fps if fps and fps > 0 else 1 / 15   # a file is played at its own rate

    def _run(self, node, opened: dict, ready: threading.Event, stop: threading.Event) -> None:
        try:
            capture, period = self._open(node)
        except Exception as exc:                     # OpenCV raises cv2.error for some broken devices
            opened["error"] = _cannot_open(self.device, type(exc).__name__)
            ready.set()
            return
        if not capture.isOpened():
            opened["error"] = _cannot_open(self.device, "OpenCV could not open it (busy, or not a camera?)")
            ready.set()
            return
        ready.set()
        failures, next_at = 0, time.monotonic()
        try:
            while not stop.is_set():
                ok, bgr = capture.read()
                if not ok or bgr is None:
                    if not node and self.loop_file and self._seq:    # a file's end: play it again
                        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                        ok, bgr = capture.read()
                if not ok or bgr is None:
                    failures += 1
                    if failures >= LOST_AFTER or not node:
                        self._end(_lost(self.device))
                        return
                    stop.wait(0.05)
                    continue
                failures = 0
                if period:
                    next_at += period
                    stop.wait(max(0.0, next_at - time.monotonic()))
                with self._cond:
                    self._latest, self._seq = bgr, self._seq + 1
                    self.resolution = (bgr.shape[1], bgr.shape[0])
                    self._times.append(time.monotonic())
                    self._cond.notify_all()
        except Exception as exc:                     # never a crash on the capture thread: a typed fault
            self._end(_lost(self.device) if not isinstance(exc, DeviceError) else exc)
        finally:
            capture.release()

    def _end(self, error: DeviceError) -> None:
        with self._cond:
            self._error = error
            self._cond.notify_all()
