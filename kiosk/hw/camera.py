"""The applicant's photo (申领照片). A kiosk camera driver comes with its own issue; the simulated camera
draws a neutral portrait so the whole issuance can be exercised without hardware (it is a device simulator,
like the others, and says so in its status)."""
from __future__ import annotations

from PIL import Image, ImageDraw

from kiosk.hw.base import DeviceState, DeviceStatus


class SimulatedCamera:
    def __init__(self):
        self.captures = 0         # how often the camera was asked (a retake asks again)

    def status(self) -> DeviceStatus:
        return DeviceStatus("camera", DeviceState.ONLINE, detail="simulated camera")

    def capture(self) -> Image.Image:
        """A 358 × 441 portrait (the common 35 × 45 mm ID photo ratio), white background. The sitter moves a
        little between shots (centred, then to one side, then the other), so a retake shows a new photo."""
        self.captures += 1
        dx = (0, 14, -14)[(self.captures - 1) % 3]
        image = Image.new("RGB", (358, 441), (255, 255, 255))
        draw = ImageDraw.Draw(image)
        draw.ellipse((114 + dx, 70, 244 + dx, 220), fill=(120, 130, 145))
        draw.rounded_rectangle((60 + dx, 230, 298 + dx, 441), radius=90, fill=(120, 130, 145))
        return image
