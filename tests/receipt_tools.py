"""Reading printed receipts back: the QR codes in their raster images."""
from PIL import Image, ImageOps
import zxingcpp


def qr_texts(decoded) -> list[str]:
    texts = []
    for item in decoded.items:
        if item[0] != "image":
            continue
        image = ImageOps.expand(item[1].convert("L"), border=24, fill=255)   # the quiet zone paper gives
        image = image.resize((image.width * 2, image.height * 2), Image.NEAREST)
        texts += [r.text for r in zxingcpp.read_barcodes(image)]
    return texts
