"""The photo approval screen (kiosk/flows/photo_step.py): the photo as it will be printed, beside a preview
of the card face, the words, and [重新拍照] / [确认使用此照片]."""
from __future__ import annotations

import io

from kivy.core.image import Image as CoreImage
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen


def texture_of(image):
    """A Kivy texture of a PIL image (through PNG, as the QR screen does)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return CoreImage(buffer, ext="png").texture


class PhotoScreen(Screen):
    title = StringProperty("")
    body = StringProperty("")
    primary_text = StringProperty("")
    secondary_text = StringProperty("")
    on_primary = None
    on_secondary = None

    def show(self, title, body, snapshot, primary: tuple, secondary: tuple) -> None:
        self.title, self.body = title, body
        self.primary_text, self.on_primary = primary
        self.secondary_text, self.on_secondary = secondary
        self.ids.photo.texture = texture_of(snapshot.photo)
        self.ids.preview.texture = texture_of(snapshot.preview)
