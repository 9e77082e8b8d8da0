"""Photo checks on real images made with Pillow: type by content, size, bombs, metadata stripping."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from cogs.testimonials.media import (
    DEFAULT_MAX_BYTES,
    DownloadError,
    MediaError,
    MediaStore,
    PendingPhotos,
    clean_image,
    sniff,
)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """Encode an image to bytes."""
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo_with_gps() -> bytes:
    """A JPEG carrying a camera name, a GPS position and an orientation in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90 degrees clockwise to display
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 52.0, 45.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 42.0, 1.0)
    return encode(Image.new("RGB", (64, 32), (200, 30, 30)), "JPEG", exif=exif, comment=b"secret note")


def png_header(width: int, height: int) -> bytes:
    """A PNG that announces width x height pixels but carries almost no data (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        """One PNG chunk with its CRC."""
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_gps_and_other_metadata_are_gone_and_orientation_applied() -> None:
    """The cleaned JPEG has no EXIF at all, no comment, and is turned the way the EXIF said."""
    raw = photo_with_gps()
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test image really has GPS
    cleaned = clean_image(raw)
    assert cleaned.format == "JPEG" and cleaned.mediatype == "image/jpeg"
    with Image.open(io.BytesIO(cleaned.data)) as result:
        assert dict(result.getexif()) == {}
        assert not result.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "comment" not in result.info and "exif" not in result.info
        assert result.size == (32, 64)
    assert b"SpyCam" not in cleaned.data and b"secret note" not in cleaned.data
    assert (cleaned.width, cleaned.height) == (32, 64)


def test_content_decides_the_type_not_the_name() -> None:
    """A PNG (whatever it is called) is found to be a PNG and stays one."""
    png = encode(Image.new("RGBA", (10, 10), (0, 0, 255, 128)), "PNG")
    assert sniff(png) == "PNG"
    cleaned = clean_image(png)
    assert cleaned.format == "PNG" and cleaned.extension == "png"
    with Image.open(io.BytesIO(cleaned.data)) as result:
        assert result.mode == "RGBA" and result.getpixel((0, 0)) == (0, 0, 255, 128)


def test_webp_and_palette_png_with_transparency_are_accepted() -> None:
    """WebP is accepted; a palette PNG keeps its transparency."""
    webp = clean_image(encode(Image.new("RGB", (12, 8), "green"), "WEBP"))
    assert webp.mediatype == "image/webp" and webp.relpath.endswith(".webp")
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0])
    cleaned = clean_image(encode(palette, "PNG", transparency=0))
    with Image.open(io.BytesIO(cleaned.data)) as result:
        assert result.mode == "P" and result.info.get("transparency") == 0


def test_text_and_fake_jpeg_are_refused() -> None:
    """A text file, and a file with a JPEG signature but no JPEG inside, are refused clearly."""
    with pytest.raises(MediaError, match="JPEG, PNG or WebP"):
        clean_image(b"just some notes, not a photo\n")
    with pytest.raises(MediaError, match="could not be read"):
        clean_image(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)


def test_truncated_photo_is_refused() -> None:
    """Half a JPEG does not decode and is refused rather than stored broken."""
    raw = encode(Image.effect_noise((200, 200), 50).convert("RGB"), "JPEG")
    with pytest.raises(MediaError, match="damaged"):
        clean_image(raw[: len(raw) // 2])


def test_oversized_file_is_refused_before_decoding() -> None:
    """A file over the limit is refused by size, whatever it contains."""
    with pytest.raises(MediaError, match=r"limit is 8\.0 MB"):
        clean_image(b"\xff\xd8\xff" + b"\0" * DEFAULT_MAX_BYTES)
    small = encode(Image.new("RGB", (50, 50)), "PNG")
    with pytest.raises(MediaError, match="limit"):
        clean_image(small, max_bytes=len(small) - 1)


@pytest.mark.parametrize("size", [(8000, 6000), (100_000, 100_000)])
def test_decompression_bombs_are_refused(size: tuple[int, int]) -> None:
    """A tiny file announcing huge dimensions is refused by our limit or by Pillow's own guard."""
    bomb = png_header(*size)
    assert len(bomb) < 200
    with pytest.raises(MediaError, match="pixels"):
        clean_image(bomb)


def test_same_photo_gives_same_address() -> None:
    """Re-encoding is deterministic, and the address is the sha256 of the stored bytes."""
    raw = photo_with_gps()
    first, second = clean_image(raw), clean_image(raw)
    assert first.sha256 == second.sha256 == hashlib.sha256(first.data).hexdigest()
    assert first.relpath == f"{first.sha256[:2]}/{first.sha256}.jpg"


def test_store_writes_once_and_deletes(tmp_path: Path) -> None:
    """Files land at their content address, are written once, and go away with their empty folder."""
    store = MediaStore(tmp_path / "media")
    image = clean_image(photo_with_gps())
    assert store.save(image) is True
    assert store.save(image) is False
    path = tmp_path / "media" / image.relpath
    assert path.read_bytes() == image.data == store.read(image.relpath)
    store.delete(image.relpath)
    assert not path.exists() and not path.parent.exists()
    store.delete(image.relpath)
    with pytest.raises(ValueError):
        store.path("../outside.jpg")


def gps_exif() -> Image.Exif:
    """EXIF with a camera name and a GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 52.0, 45.0)
    return exif


def png_with_metadata() -> bytes:
    """A PNG carrying an eXIf chunk with GPS and a text chunk."""
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at home, Kerkstraat 12")
    return encode(Image.new("RGB", (16, 16), "red"), "PNG", exif=gps_exif(), pnginfo=text)


def webp_with_metadata() -> bytes:
    """A WebP carrying EXIF with GPS and an XMP packet."""
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>SpyCam Kerkstraat 12</rdf:RDF></x:xmpmeta>'
    return encode(Image.new("RGB", (16, 16), "red"), "WEBP", exif=gps_exif(), xmp=xmp)


@pytest.mark.parametrize("make", [png_with_metadata, webp_with_metadata])
def test_png_and_webp_metadata_are_gone_too(make: Callable[[], bytes]) -> None:
    """EXIF (with GPS), XMP and text chunks are stripped from PNG and WebP as from JPEG."""
    raw = make()
    assert b"SpyCam" in raw  # the test file really carries the metadata
    cleaned = clean_image(raw)
    assert b"SpyCam" not in cleaned.data and b"Kerkstraat" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as result:
        assert dict(result.getexif()) == {} and "xmp" not in result.info and "Comment" not in result.info


async def test_pending_photos_are_held_cleaned_and_released(tmp_path: Path) -> None:
    """A held photo is stored cleaned, taken with its description, discarded, and swept when orphaned."""
    pending = PendingPhotos(tmp_path / "pending")
    raw = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(raw, format="JPEG")
    data = raw.getvalue()

    async def read() -> bytes:
        """The photo's bytes, as Discord would give them."""
        return data

    name = pending.new_name()
    pending.fetch(name, len(data), read, DEFAULT_MAX_BYTES)
    assert pending.used_bytes() >= len(data)
    image = await pending.take(name)
    assert image is not None and (image.width, image.height) == (30, 20)
    assert pending.path(name).read_bytes() == image.data == clean_image(data).data
    await pending.discard(name)
    assert not pending.path(name).exists() and pending.used_bytes() == 0
    assert await pending.take(name) is None

    async def broken() -> bytes:
        """A download that fails."""
        raise DownloadError("gone")

    failing = pending.new_name()
    pending.fetch(failing, 10, broken, DEFAULT_MAX_BYTES)
    with pytest.raises(DownloadError):
        await pending.take(failing)
    kept, orphan = pending.new_name(), pending.new_name()
    for held in (kept, orphan):
        pending.path(held).write_bytes(data)
    assert pending.sweep([kept]) == 1 and pending.path(kept).exists() and not pending.path(orphan).exists()
    with pytest.raises(ValueError):
        pending.path("../escape")
