"""Photo checks and content-addressed storage, with no Discord in sight.

A photo is accepted when its bytes (not its name or declared type) are JPEG, PNG or WebP, it is no
larger than the campaign's limit, its header announces at most MAX_PIXELS pixels (checked before
anything is decoded, so a small file that would expand to gigabytes is refused), and it decodes
completely. It is then re-encoded from its pixels alone: EXIF (GPS position, camera, time), XMP,
comments and text chunks are left behind; only the colour profile and PNG transparency are kept,
and the EXIF orientation is applied first so the photo still stands the right way up. The cleaned
bytes are stored once under media_dir as `<sha256[:2]>/<sha256>.<ext>`.

A photo attached to a form that is still open is fetched, checked and cleaned at once (Discord's
links expire) and held as `pending/<name>` under media_dir, where `name` is kept in the form's
state in the database: a form sent after a restart still finds it. It is moved into the store when
the form is sent, and deleted when the form expires, is refused for good or its member is erased.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.i18n import N_, Lang, Msg

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# About 7700 x 5200; a worst-case RGBA decode then takes about 160 MB.
MAX_PIXELS = 40_000_000
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "WEBP": {"quality": 90},
}
_MODES = {"JPEG": {"L", "RGB", "CMYK"}, "WEBP": {"RGB", "RGBA"}}
HELD_DAMAGED = N_("The held photo is damaged; run `/testimonial submit` again with the photo.")


class _Refusal(Exception):
    """A refusal that tells the member why, as a text to translate (`.text`); str() is English."""

    def __init__(self, text: Msg) -> None:
        """Keep the text; the English version is the exception's message, for logs."""
        super().__init__(str(text))
        self.text = text


class MediaError(_Refusal, ValueError):
    """The file is not an acceptable photo; the message tells the member why."""


class DownloadError(_Refusal):
    """The photo could not be fetched from Discord."""


@dataclass(frozen=True)
class CleanImage:
    """A checked, metadata-free photo ready to store."""

    data: bytes
    sha256: str
    format: str
    width: int
    height: int

    @property
    def mediatype(self) -> str:
        """The IANA media type, e.g. image/jpeg."""
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        """The file extension, without the dot."""
        return FORMATS[self.format][1]

    @property
    def relpath(self) -> str:
        """Where the file lives under the media folder."""
        return relpath_for(self.sha256, self.extension)


def relpath_for(sha256: str, extension: str) -> str:
    """The content-addressed path of a file under the media folder."""
    return f"{sha256[:2]}/{sha256}.{extension}"


def sniff(data: bytes) -> str | None:
    """Tell the image format from the first bytes (JPEG, PNG, WEBP), or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def megabytes(size: int, t: Lang | None = None) -> str:
    """Render a byte count as megabytes for messages (as language t writes numbers, if given)."""
    if t is not None:
        return t._("{size} MB", size=t.number(size / (1024 * 1024), digits=1))
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse a file larger than the limit, before it is even downloaded if its size is known."""
    if size > max_bytes:
        raise MediaError(
            Msg(
                "The photo is {size}; the limit is {limit}.", size=megabytes(size), limit=megabytes(max_bytes)
            )
        )
    if size == 0:
        raise MediaError(Msg("The photo is empty."))


def clean_image(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> CleanImage:
    """Check a photo by its content and return it re-encoded without metadata, or raise MediaError."""
    check_size(len(data), max_bytes)
    fmt = sniff(data)
    if fmt is None:
        raise MediaError(Msg("That file is not a photo I accept: send a JPEG, PNG or WebP image."))
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as source:
            width, height = source.size
            if width * height > max_pixels:
                raise MediaError(_too_many_pixels(width, height, max_pixels))
            source.load()
            image = ImageOps.exif_transpose(source)
    except MediaError:
        raise
    except Image.DecompressionBombError:
        raise MediaError(
            Msg("The photo has too many pixels; the limit is {limit} pixels.", limit=max_pixels)
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaError(
            Msg("The photo could not be read as a {format} image; it may be damaged.", format=fmt)
        ) from None
    cleaned = _reencode(image, fmt)
    return CleanImage(cleaned, hashlib.sha256(cleaned).hexdigest(), fmt, image.width, image.height)


def describe_clean(data: bytes) -> CleanImage:
    """Describe bytes that clean_image produced earlier (a held photo), without encoding them again."""
    fmt = sniff(data)
    if fmt is None:
        raise MediaError(Msg(HELD_DAMAGED))
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaError(Msg(HELD_DAMAGED)) from None
    return CleanImage(data, hashlib.sha256(data).hexdigest(), fmt, width, height)


def _too_many_pixels(width: int, height: int, max_pixels: int) -> Msg:
    """Explain a refusal for size in pixels."""
    return Msg(
        "The photo is {width} x {height} pixels; the limit is {limit} pixels in all.",
        width=width, height=height, limit=max_pixels,
    )  # fmt: skip


def _reencode(image: Image.Image, fmt: str) -> bytes:
    """Encode the pixels again, keeping only the colour profile and PNG transparency."""
    keep = {key: image.info[key] for key in ("icc_profile", "transparency") if key in image.info}
    allowed = _MODES.get(fmt)
    if allowed is not None and image.mode not in allowed:
        alpha = fmt == "WEBP" and ("A" in image.mode or "transparency" in keep)
        image = image.convert("RGBA" if alpha else "RGB")
        keep.pop("transparency", None)
    # Nothing from the source's info (exif, xmp, comments, text) may reach the encoder.
    image.info = {}
    if fmt != "PNG":
        keep.pop("transparency", None)
    out = io.BytesIO()
    image.save(out, format=fmt, **_SAVE_OPTIONS[fmt], **keep)
    return out.getvalue()


class MediaStore:
    """The media folder: content-addressed files, written atomically, deleted when unused."""

    def __init__(self, root: Path) -> None:
        """Use root as the media folder (created on first write)."""
        self.root = Path(root)
        # Held around "write file + insert row" and "delete row + delete file" so a file is never
        # removed between another submission's write and its database row.
        self.lock = asyncio.Lock()

    def path(self, relpath: str) -> Path:
        """The absolute path of a stored file, refusing anything outside the folder."""
        path = (self.root / relpath).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"{relpath!r} is outside the media folder")
        return path

    def save(self, image: CleanImage) -> bool:
        """Write the file unless an identical one is stored; return whether it was written now."""
        target = self.path(image.relpath)
        if target.exists() and target.stat().st_size == len(image.data):
            return False
        write_atomically(target, image.data)
        return True

    def delete(self, relpath: str) -> None:
        """Remove a stored file (and its folder when empty); a missing file is fine."""
        target = self.path(relpath)
        target.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            target.parent.rmdir()

    def read(self, relpath: str) -> bytes:
        """The bytes of a stored file."""
        return self.path(relpath).read_bytes()


def write_atomically(target: Path, data: bytes) -> None:
    """Write a file through a temporary one, so a crash never leaves half a file under its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


PENDING_NAME = re.compile(r"^[0-9a-f]{32}$")


class PendingPhotos:
    """Photos of forms not sent yet: fetched and cleaned at once, held under media_dir/pending/.

    The bytes they take on disk, plus the declared sizes of photos still being fetched, stay under a
    budget (limits.pending_photos_max_mb); at most `workers` photos are decoded at once, which
    bounds the memory they take.
    """

    def __init__(self, root: Path, *, workers: int = 2) -> None:
        """Hold pending photos in root (usually media_dir/pending)."""
        self.root = Path(root)
        self._fetching: dict[str, asyncio.Task[None]] = {}
        self._reserved: dict[str, int] = {}
        self._workers = asyncio.Semaphore(workers)

    @staticmethod
    def new_name() -> str:
        """A fresh, unguessable name for a photo about to be held."""
        return secrets.token_hex(16)

    def path(self, name: str) -> Path:
        """Where a held photo lives; refuses anything but a name new_name() makes."""
        if not PENDING_NAME.match(name):
            raise ValueError(f"{name!r} is not a pending photo name")
        return self.root / name

    def used_bytes(self) -> int:
        """Bytes held on disk plus the declared sizes of photos still being fetched."""
        held = 0
        if self.root.is_dir():
            held = sum(entry.stat().st_size for entry in self.root.iterdir() if entry.is_file())
        return held + sum(self._reserved.values())

    def fetch(self, name: str, size: int, read: Callable[[], Awaitable[bytes]], max_bytes: int) -> None:
        """Start fetching, checking and cleaning a photo into `name`; its failure is kept for take()."""
        self._reserved[name] = size
        task = asyncio.create_task(self._fetch(name, read, max_bytes), name=f"pending photo {name}")
        self._fetching[name] = task
        task.add_done_callback(lambda _: self._reserved.pop(name, None))

    async def _fetch(self, name: str, read: Callable[[], Awaitable[bytes]], max_bytes: int) -> None:
        """Download, check, strip and write one photo."""
        raw = await read()
        check_size(len(raw), max_bytes)
        async with self._workers:
            image = await asyncio.to_thread(clean_image, raw, max_bytes=max_bytes)
        await asyncio.to_thread(write_atomically, self.path(name), image.data)

    async def take(self, name: str) -> CleanImage | None:
        """The held photo, once fetched; None if it is not held (gone with a restart or expired).

        Raises DownloadError or MediaError when fetching or checking it failed.
        """
        task = self._fetching.pop(name, None)
        if task is not None:
            await task
        path = self.path(name)
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None
        return await asyncio.to_thread(describe_clean, data)

    async def discard(self, name: str) -> None:
        """Stop fetching and delete a held photo; nothing happens if it is gone already."""
        task = self._fetching.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self.path(name).unlink(missing_ok=True)

    def sweep(self, keep: Iterable[str]) -> int:
        """Delete held photos no open form refers to (left by a crash); return how many went."""
        wanted = set(keep) | set(self._fetching)
        removed = 0
        if not self.root.is_dir():
            return 0
        for entry in self.root.iterdir():
            # A temporary file of a fetch under way is not left over.
            in_flight = entry.name.startswith(".incoming-") and bool(self._fetching)
            if entry.is_file() and entry.name not in wanted and not in_flight:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed
