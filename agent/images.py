"""Loading input images safely and normalising them to RGB.

Every image that enters the system goes through ``load_image``: it refuses what cannot be
used (missing, empty, corrupt, not an image, too large) with an ``ImageError`` that names
the file and the reason, and it normalises modes (16-bit, CMYK, palette, alpha) and EXIF
orientation so tools can assume a plain upright RGB picture.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from agent.config import ImageLimits
from agent.errors import ImageError


def load_image(src: Any, limits: ImageLimits | None = None, name: str | None = None) -> Image.Image:
    """Return ``src`` as an upright RGB PIL image, or raise ``ImageError``.

    ``src`` may be a path (str/Path), encoded bytes, a PIL image or a numpy array
    (HxW, HxWx3, HxWx4; uint8, uint16 or float in [0, 1]).
    """
    limits = limits or ImageLimits()
    if isinstance(src, Image.Image):
        label = name or "<image>"
        _check_pixels(src.size, limits, label)
        return _normalise(src, label)
    if isinstance(src, np.ndarray):
        label = name or "<array>"
        return _normalise(_from_array(src, label), label)
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        label = name or "<bytes>"
    elif isinstance(src, (str, Path)):
        path = Path(src).expanduser()
        label = name or str(path)
        data = _read_file(path, limits, label)
    else:
        raise ImageError(f"{name or type(src).__name__}: cannot load an image from a {type(src).__name__}",
                         hint="pass a file path, bytes, a PIL image or a numpy array")
    if not data:
        raise ImageError(f"{label}: the file is empty (zero bytes)")
    if len(data) > limits.max_bytes:
        raise ImageError(f"{label}: {len(data)} bytes is above the limit of {limits.max_bytes} bytes",
                         hint="raise images.max_bytes in the config if this image is trusted")
    return _normalise(_decode(data, limits, label), label)


def image_digest(img: Image.Image) -> str:
    """Content hash of a decoded image (mode, size, pixels): the key of cached tool results."""
    h = hashlib.sha256()
    h.update(f"{img.mode}:{img.size[0]}x{img.size[1]}:".encode())
    h.update(img.tobytes())
    return h.hexdigest()


def _read_file(path: Path, limits: ImageLimits, label: str) -> bytes:
    if not path.exists():
        raise ImageError(f"{label}: no such file")
    if path.is_dir():
        raise ImageError(f"{label}: is a directory, not an image file")
    size = path.stat().st_size
    if size == 0:
        raise ImageError(f"{label}: the file is empty (zero bytes)")
    if size > limits.max_bytes:
        raise ImageError(f"{label}: {size} bytes is above the limit of {limits.max_bytes} bytes",
                         hint="raise images.max_bytes in the config if this image is trusted")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{label}: cannot read the file: {exc.strerror or exc}") from None


def _check_pixels(size: tuple[int, int], limits: ImageLimits, label: str) -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise ImageError(f"{label}: the image has no pixels ({w}x{h})")
    if w * h > limits.max_pixels:
        raise ImageError(
            f"{label}: {w}x{h} = {w * h} pixels is above the limit of {limits.max_pixels} "
            "(possible decompression bomb)", hint="raise images.max_pixels in the config if this image is trusted")


def _decode(data: bytes, limits: ImageLimits, label: str) -> Image.Image:
    try:
        # Image.open only reads the header: the size is known before any pixel is decoded.
        # Our own limit replaces PIL's global MAX_IMAGE_PIXELS check, which we silence
        # locally instead of mutating the global.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            _check_pixels(img.size, limits, label)
            img.load()
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(f"{label}: the image is too large to decode (possible decompression bomb)") from None
    except UnidentifiedImageError:
        raise ImageError(f"{label}: not an image file (unrecognised format)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"{label}: the image is truncated or corrupt ({exc})") from None
    except ImportError:
        # ultralytics patches Image.open to try a HEIF plugin on unknown formats; when that plugin is
        # absent the file was not a format Pillow knows.
        raise ImageError(f"{label}: not an image file (unrecognised format)") from None
    except Exception as exc:  # noqa: BLE001 - decoder plugins raise anything
        raise ImageError(f"{label}: the image could not be decoded ({type(exc).__name__}: {exc})") from None
    return img


def _from_array(arr: np.ndarray, label: str) -> Image.Image:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)) or arr.size == 0:
        raise ImageError(f"{label}: an image array must be HxW, HxWx3 or HxWx4, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        out = arr
    elif arr.dtype == np.uint16:
        out = (arr >> 8).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise ImageError(f"{label}: the image array contains NaN or infinite values")
        scale = 255.0 if arr.max() <= 1.0 else 1.0
        out = np.clip(arr * scale, 0, 255).round().astype(np.uint8)
    elif arr.dtype == np.bool_:
        out = arr.astype(np.uint8) * 255
    elif np.issubdtype(arr.dtype, np.integer):
        out = np.clip(arr, 0, 255).astype(np.uint8)
    else:
        raise ImageError(f"{label}: unsupported array dtype {arr.dtype}")
    mode = "L" if out.ndim == 2 else ("RGB" if out.shape[2] == 3 else "RGBA")
    img = Image.fromarray(np.ascontiguousarray(out))
    return img if img.mode == mode else img.convert(mode)


def _normalise(img: Image.Image, label: str) -> Image.Image:
    try:
        img = ImageOps.exif_transpose(img) or img
    except Exception:  # noqa: BLE001 - a broken EXIF block should not lose the picture
        pass
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 or mode.startswith("I;16") else 255.0
        img = Image.fromarray(np.clip(arr / top * 255.0, 0, 255).astype(np.uint8))
    elif mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        top = 1.0 if arr.max() <= 1.0 else 255.0
        img = Image.fromarray(np.clip(arr / top * 255.0, 0, 255).astype(np.uint8))
    elif mode == "P":
        img = img.convert("RGBA")  # palettes may carry transparency
    elif mode in ("PA", "La"):
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "RGBa"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    if img.mode != "RGB":
        try:
            img = img.convert("RGB")
        except (ValueError, OSError) as exc:
            raise ImageError(f"{label}: cannot convert image mode {mode} to RGB ({exc})") from None
    return img
