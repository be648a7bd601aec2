"""Attachments as untrusted bytes: what gets decoded, what is refused, and what a redacted copy looks like."""

from __future__ import annotations

import io
import warnings

import images
import pytest
from PIL import Image

from companion import imaging
from companion.imaging import ImageError, decode_image, redact

SECRET = b"Hansen Maschinenbau USD 0.42/pc FOB Ningbo"


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refused(data: bytes, **kwargs) -> ImageError:
    with pytest.raises(ImageError) as err:
        decode_image(data, **kwargs)
    return err.value


@pytest.fixture(scope="module")
def sheet():
    return images.render_quotation_sheet()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_allowed_formats_decode(sheet, fmt):
    image, _ = sheet
    decoded = decode_image(encode(image.convert("P") if fmt == "GIF" else image, fmt))
    assert decoded.size == image.size


def test_gif_decodes_its_first_frame():
    red, blue = Image.new("RGB", (40, 40), "red"), Image.new("RGB", (40, 40), "blue")
    data = encode(red, "GIF", save_all=True, append_images=[blue], duration=100)
    assert decode_image(data).convert("RGB").getpixel((20, 20)) == (255, 0, 0)


def test_exif_orientation_is_applied(sheet):
    data, boxes = images.render_exif_rotated_jpeg()
    decoded = decode_image(data)
    assert decoded.size == (1240, 900)
    x, y, w, h = boxes["QUOTATION"]
    ink = decoded.convert("L").crop((x, y, x + w, y + h))
    assert ink.getextrema()[0] < 60  # the title's ink is where it was drawn, upright


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "PPM"])
def test_other_image_formats_are_refused(sheet, fmt):
    image, _ = sheet
    assert refused(encode(image, fmt)).code == "image_unsupported"


def test_text_file_is_refused_without_echoing_it():
    err = refused(b"Client list:\n" + SECRET)
    assert err.code == "image_unsupported"
    assert "Hansen" not in str(err) and "Hansen" not in err.message
    assert err.to_dict() == {"error": {"code": "image_unsupported", "message": err.message}}
    assert err.http_status == 415


def test_empty_upload_is_refused():
    assert refused(b"").code == "image_empty"


def test_truncated_jpeg_is_refused(sheet):
    image, _ = sheet
    data = encode(image, "JPEG", quality=90)
    err = refused(data[: len(data) // 2])
    assert err.code == "image_corrupt"
    assert err.http_status == 400


def test_corrupt_png_is_refused(sheet):
    image, _ = sheet
    data = bytearray(encode(image, "PNG"))
    data[200:260] = b"\x00" * 60  # damage the compressed pixels
    assert refused(bytes(data)).code == "image_corrupt"


@pytest.mark.parametrize("pillow_warning", ["ignore", "error"])
def test_decompression_bomb_is_refused_before_decoding(pillow_warning):
    """Refused whether or not Pillow's bomb warning is an error (pytest resets warning filters)."""
    # 8000 x 8000 one-bit pixels: a few kilobytes of PNG that would decode to 64 MP.
    bomb = encode(Image.new("1", (8000, 8000), 1), "PNG")
    assert len(bomb) < 100_000
    with warnings.catch_warnings():
        warnings.simplefilter(pillow_warning, Image.DecompressionBombWarning)
        err = refused(bomb)
    assert err.code == "image_too_large"
    assert err.http_status == 413


def test_just_under_the_pixel_limit_is_accepted():
    data = encode(Image.new("1", (7000, 7000), 1), "PNG")  # 49 MP
    assert decode_image(data).size == (7000, 7000)


def test_too_many_bytes_are_refused(sheet):
    image, _ = sheet
    assert refused(encode(image, "PNG"), max_bytes=1000).code == "image_too_large"


# --- redaction -------------------------------------------------------------------------------


def is_black(pixel, tolerance: int = 40) -> bool:
    values = pixel if isinstance(pixel, tuple) else (pixel,)
    return all(v <= tolerance for v in values[:3])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_redact_keeps_format_and_size_and_blacks_out_the_box(sheet, fmt):
    image, boxes = sheet
    original = image.convert("P") if fmt == "GIF" else image
    box = list(boxes["USD 0.42/pc"])
    out = opened(redact(encode(original, fmt), [box]))
    assert out.format == fmt
    assert out.size == image.size
    rgb = out.convert("RGB")
    x, y, w, h = box
    for px in [(x, y), (x + w - 1, y + h - 1), (x + w // 2, y + h // 2), (x + 3, y + h - 2)]:
        assert is_black(rgb.getpixel(px)), px
    # Paper next to the box is still paper.
    assert min(rgb.getpixel((x + w + 20, y + h // 2))) > 200
    assert min(rgb.getpixel((x, y - 30))) > 150


def test_redact_uses_displayed_coordinates_of_an_exif_rotated_photo():
    data, boxes = images.render_exif_rotated_jpeg()
    x, y, w, h = boxes["Hansen"]
    out = opened(redact(data, [[x, y, w, h]]))
    assert out.size == (1240, 900)  # displayed size, pixels now stored upright
    assert out.getexif().get(0x0112) is None  # no orientation tag to turn it again
    rgb = out.convert("RGB")
    assert all(is_black(rgb.getpixel((px, y + h // 2))) for px in range(x, x + w, 7))
    assert min(rgb.getpixel((x + w + 40, y + h // 2))) > 200


def test_redact_strips_gps_camera_and_comments(sheet):
    image, _ = sheet
    data = images.with_gps(image)
    assert opened(data).getexif().get_ifd(0x8825)  # the phone's position is in the original
    commented = encode(opened(data), "JPEG", exif=opened(data).getexif(), comment=b"shot at Hansen plant")
    for source in (data, commented):
        out = opened(redact(source, [[10, 10, 20, 20]]))
        assert not out.getexif()
        assert not out.getexif().get_ifd(0x8825)
        assert "comment" not in out.info and "exif" not in out.info


def test_redact_keeps_png_transparency_and_mode():
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((255, 255, 255, 255), (0, 0, 100, 100))
    out = opened(redact(encode(image, "PNG"), [[10, 10, 30, 30]]))
    assert out.mode == "RGBA"
    assert out.getpixel((20, 20)) == (0, 0, 0, 255)  # opaque black, not see-through
    assert out.getpixel((150, 50))[3] == 0  # transparent area stays transparent


@pytest.mark.parametrize("mode", ["L", "P", "RGB"])
def test_redact_keeps_the_png_colour_mode(sheet, mode):
    image, _ = sheet
    out = opened(redact(encode(image.convert(mode), "PNG"), [[60, 50, 100, 40]]))
    assert out.mode == mode
    assert is_black(out.convert("RGB").getpixel((100, 70)))


def test_redact_full_palette_gif_uses_its_darkest_colour():
    image = Image.new("RGB", (256, 10))
    image.putdata([(i, 255 - i, 128) for i in range(256) for _ in range(10)][: 256 * 10])
    data = encode(image.quantize(256, dither=Image.Dither.NONE), "GIF")
    out = opened(redact(data, [[0, 0, 50, 10]])).convert("RGB")
    assert sum(out.getpixel((25, 5))) <= sum(out.getpixel((200, 5)))


def test_box_reaching_past_the_edge_is_clipped(sheet):
    image, _ = sheet
    out = opened(redact(encode(image, "PNG"), [[1200, 860, 500, 500]]))
    assert out.size == image.size
    assert is_black(out.convert("RGB").getpixel((1239, 899)))


@pytest.mark.parametrize("boxes", [
    [[10, 10, 20]],
    [[10, 10, 20, "30"]],
    [[10.5, 10, 20, 30]],
    [[-1, 10, 20, 30]],
    [[10, 10, -5, 30]],
    [[True, 10, 20, 30]],
    [None],
    "10,10,20,30",
    {"x": 10},
    [[0, 0, 1, 1]] * (imaging.MAX_REDACT_BOXES + 1),
])
def test_malformed_boxes_are_refused(sheet, boxes):
    image, _ = sheet
    with pytest.raises(ImageError) as err:
        redact(encode(image, "PNG"), boxes)
    assert err.value.code == "redact_boxes_invalid"


def test_redact_refuses_what_decode_refuses():
    with pytest.raises(ImageError) as err:
        redact(SECRET, [[0, 0, 1, 1]])
    assert err.value.code == "image_unsupported"
