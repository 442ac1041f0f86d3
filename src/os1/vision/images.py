"""Image bytes from outside (files, inline ``data:`` URLs, a camera): checked, normalised and
named by content hash before anything looks at them or stores them.

Every image is decoded by Pillow before use, so a file that only claims to be an image (a wrong
extension, truncated data, a decompression bomb) is refused with one clear line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from os1.errors import InputError

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # one shared image, as stored
MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
           "BMP": "image/bmp", "TIFF": "image/tiff"}
_DATA_URL = re.compile(r"data:(image/[a-z0-9.+-]+)?(;[a-z0-9=-]+)*?;base64,(.*)", re.I | re.S)


@dataclass(frozen=True)
class ImageBytes:
    """An image known to decode: its bytes, MIME type, size and content hash (SHA-256)."""

    data: bytes
    mime: str
    width: int
    height: int

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def pil(self) -> Image.Image:
        """The decoded image (RGB, EXIF orientation not applied)."""
        with _guarded():
            return Image.open(io.BytesIO(self.data)).convert("RGB")


def check_image(data: bytes, where: str) -> ImageBytes:
    """``data`` as a checked image, or an InputError naming ``where`` it came from."""
    if not data:
        raise InputError(f"{where} is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise InputError(f"{where} is too large ({len(data):,} bytes; the limit is {MAX_IMAGE_BYTES:,})")
    try:
        with _guarded():
            with Image.open(io.BytesIO(data)) as probe:
                kind, size = probe.format, probe.size
                if size[0] * size[1] > MAX_PIXELS:
                    raise InputError(f"{where} is too large ({size[0]}x{size[1]} pixels)")
                probe.load()  # decode fully: truncated or corrupt data fails here
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"{where} is too large to decode (more than {MAX_PIXELS:,} pixels)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{where} is not a readable image ({_reason(exc)})") from None
    if kind not in FORMATS:
        raise InputError(f"{where} is an image format os1 does not keep ({kind})")
    return ImageBytes(data, FORMATS[kind], size[0], size[1])


def read_image(path: Path) -> ImageBytes:
    """An image file, checked; the size limit applies before reading."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise InputError(f"{path} is too large ({size:,} bytes; the limit is {MAX_IMAGE_BYTES:,})")
        return check_image(path.read_bytes(), str(path))
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not an image") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def decode_data_url(url: str, where: str) -> ImageBytes:
    """An inline ``data:image/...;base64,...`` image, decoded strictly and checked."""
    match = _DATA_URL.fullmatch(url.strip())
    if match is None:
        raise InputError(f"{where} is not a base64 data: URL")
    payload = re.sub(r"\s+", "", match.group(3))
    if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise InputError(f"{where} is too large (over {MAX_IMAGE_BYTES:,} bytes)")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{where} has broken base64 data ({exc})") from None
    return check_image(data, where)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


@contextmanager
def _guarded() -> Iterator[None]:
    """Pillow's decompression-bomb warning raised as an error, whatever the warning filters say."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield
