"""Test photos, made at test time (no large binary fixture in git).

  photo_tool.py make OUT.jpg     a 12-megapixel JPEG (4000x3000 stored pixels)
                                 as a phone writes it: EXIF Make, Model, GPS
                                 position and Orientation 6 (shown rotated a
                                 quarter turn clockwise: 3000 wide, 4000 tall).
                                 A red block marks the top-left corner of the
                                 picture as shown, a blue one its top-right.
  photo_tool.py inspect FILE     JSON: format, size, the EXIF tags left, GPS
                                 or not, and which marker is where as shown.
"""

import json
import sys

from PIL import Image, ImageDraw

W, H = 4000, 3000
RED, BLUE = (220, 20, 20), (20, 40, 220)


def make(out):
    # Texture like a photo's (gradients and grain), so it weighs what a
    # phone's 12 MP JPEG weighs (several MB), not a flat colour's few KB.
    grain = Image.effect_noise((W, H), 16).convert("L")
    gx = Image.linear_gradient("L").resize((W, H))
    gy = gx.rotate(90, expand=False).resize((W, H))
    img = Image.merge("RGB", (gx, grain, gy))
    d = ImageDraw.Draw(img)
    # Orientation 6: the stored image is shown rotated 90 degrees clockwise,
    # so the shown top-left is the stored bottom-left, the shown top-right
    # the stored top-left.
    d.rectangle([0, H - 600, 600, H], fill=RED)
    d.rectangle([0, 0, 600, 600], fill=BLUE)
    exif = Image.Exif()
    exif[0x010F] = "TestPhone Inc."  # Make
    exif[0x0110] = "Model X12"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 CW to show
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 29.6)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.2)
    img.save(out, "JPEG", quality=92, exif=exif)


def inspect(path):
    img = Image.open(path)
    exif = img.getexif()
    shown = img
    # How it is shown: a viewer applies the file's own orientation, if any.
    if exif.get(0x0112, 1) != 1:
        from PIL import ImageOps

        shown = ImageOps.exif_transpose(img)
    w, h = shown.size
    rgb = shown.convert("RGB")

    def colour(x, y):
        r, g, b = rgb.getpixel((x, y))
        if r > 150 and g < 90 and b < 90:
            return "red"
        if b > 150 and r < 90 and g < 110:
            return "blue"
        return "other"

    m = max(2, min(w, h) // 40)
    info = {
        "format": img.format,
        "width": w,
        "height": h,
        "exif_tags": sorted(int(k) for k in exif.keys()),
        "gps": bool(exif.get_ifd(0x8825)) or 0x8825 in exif,
        "make": exif.get(0x010F),
        "model": exif.get(0x0110),
        "has_app1": b"Exif\x00\x00" in open(path, "rb").read(),
        "top_left": colour(m, m),
        "top_right": colour(w - 1 - m, m),
        "bottom_left": colour(m, h - 1 - m),
    }
    print(json.dumps(info))


if __name__ == "__main__":
    {"make": make, "inspect": inspect}[sys.argv[1]](sys.argv[2])
