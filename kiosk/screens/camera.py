"""The camera screen (steps.LookAtCamera): the live image, mirrored like a looking glass, with an oval where
the face belongs; under it, in large type, what to do now ("请靠近一点", "请眨眨眼"), spoken each time it
changes; over it, the seconds before a shot. Frames arrive from the worker (the journey's camera loop);
only the newest is drawn — one waiting to be drawn is replaced, never queued — and none is kept."""
from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen


class CameraScreen(Screen):
    title = StringProperty("")
    guidance = StringProperty("")         # the words under the image
    guidance_key = StringProperty("")     # which prompt it is (kiosk.faces.Guidance.key)
    countdown = StringProperty("")        # "3", "2", "1" over the image before a shot; "" otherwise
    progress = NumericProperty(0.0)
    frames_shown = NumericProperty(0)

    def start(self, title) -> None:
        self.title, self.guidance, self.guidance_key, self.countdown = title, "", "", ""
        self.progress, self.frames_shown = 0.0, 0
        self.ids.preview.texture = None

    def show_frame(self, size: tuple[int, int], pixels: bytes, guidance) -> bool:
        """Draws one frame (RGB bytes, top row first) and its guidance; True when the words changed."""
        texture = self.ids.preview.texture
        if texture is None or tuple(texture.size) != tuple(size):
            texture = Texture.create(size=size, colorfmt="rgb")
            texture.flip_vertical()          # the frame's first row is its top; a texture's is its bottom
            texture.flip_horizontal()        # a mirror: moving left moves the image left
        texture.blit_buffer(pixels, colorfmt="rgb", bufferfmt="ubyte")
        self.ids.preview.texture = texture
        self.ids.preview.canvas.ask_update()
        self.frames_shown += 1
        self.countdown = str(guidance.countdown) if guidance.countdown else ""
        self.progress = guidance.progress
        changed = guidance.key != self.guidance_key
        self.guidance_key, self.guidance = guidance.key, guidance.text
        return changed
