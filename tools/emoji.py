"""EMOJI: paste a real emoji picture over each object (VisProg's "hide the face with :p").

The pictures come from Debian's fonts-noto-color-emoji package (NotoColorEmoji.ttf, SIL OFL): its
colour bitmaps render with Pillow at their native size 109 and are scaled to the object. A font
covers every emoji by name through Python's own Unicode name table, without an image set or a
download; VisProg's names (CLDR short names such as 'face_with_tongue') and its emoticons
(':p', '8)', ':)', ';)') are mapped onto it.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from agent.errors import ArgumentError, ModelUnavailableError
from tools.registry import tool
from tools.types import Detections

DEBIAN_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
BITMAP_SIZE = 109  # the only size Noto Color Emoji's bitmaps (CBDT) come in
SCALE = 1.1  # the emoji's side, relative to the object's larger side: it hides the whole face

# VisProg's imgedit prompt offers these emoticons.
EMOTICONS = {":p": "face_with_tongue", ":P": "face_with_tongue", "8)": "smiling_face_with_sunglasses",
             ":)": "smiling_face", ";)": "winking_face", ":(": "frowning_face", ":D": "grinning_face_with_big_eyes"}
# CLDR short names whose Unicode character names differ.
CLDR_NAMES = {
    "face_with_tongue": "FACE WITH STUCK-OUT TONGUE", "smiling_face": "WHITE SMILING FACE",
    "frowning_face": "WHITE FROWNING FACE", "grinning_face_with_big_eyes": "SMILING FACE WITH OPEN MOUTH",
    "smiling_face_with_heart_eyes": "SMILING FACE WITH HEART-SHAPED EYES", "thumbs_up": "THUMBS UP SIGN",
    "thumbs_down": "THUMBS DOWN SIGN", "red_heart": "HEAVY BLACK HEART", "star_struck": "GRINNING FACE WITH STAR EYES",
    "winking_face_with_tongue": "FACE WITH STUCK-OUT TONGUE AND WINKING EYE",
    "squinting_face_with_tongue": "FACE WITH STUCK-OUT TONGUE AND TIGHTLY-CLOSED EYES",
    "grinning_squinting_face": "SMILING FACE WITH OPEN MOUTH AND TIGHTLY-CLOSED EYES",
    "grinning_face_with_sweat": "SMILING FACE WITH OPEN MOUTH AND COLD SWEAT",
    "face_with_open_mouth": "FACE WITH OPEN MOUTH", "zany_face": "GRINNING FACE WITH ONE LARGE AND ONE SMALL EYE",
}
EXAMPLES = "face_with_tongue, smiling_face_with_sunglasses, smiling_face, winking_face, grinning_face, :p, 8), :), ;)"


def emoji_char(name: str) -> str:
    """The emoji a name stands for: a CLDR short name, a Unicode name, a VisProg emoticon or the emoji itself."""
    text = name.strip()
    if text in EMOTICONS:
        text = EMOTICONS[text]
    if text and all(ord(c) > 0x2000 or c == "\u200d" for c in text):  # already emoji characters
        return text
    key = "_".join(text.lower().replace("-", "_").replace(":", " ").split())
    plain = key.replace("_", " ").upper()
    for candidate in (CLDR_NAMES.get(key), plain, plain + " SIGN"):
        try:
            if candidate:
                return unicodedata.lookup(candidate)
        except KeyError:
            continue
    raise ArgumentError(f"EMOJI: unknown emoji {name!r}", hint=f"use an emoji name such as {EXAMPLES}")


def font_path(configured: str = "") -> Path:
    path = Path(configured).expanduser() if configured else DEBIAN_FONT
    if not path.is_file():
        raise ModelUnavailableError(
            f"EMOJI needs a colour emoji font and {path} is missing",
            hint="install Debian's fonts-noto-color-emoji (apt-get install fonts-noto-color-emoji; `make test` "
                 "does), or set edit.emoji_font to a colour emoji .ttf")
    return path


@functools.lru_cache(maxsize=64)
def render_emoji(char: str, path: str) -> Image.Image:
    """The emoji as an RGBA picture cropped to its pixels (cached per character and font)."""
    try:
        font = ImageFont.truetype(path, BITMAP_SIZE)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot load the emoji font {path}: {exc}",
                                    hint="set edit.emoji_font to a colour emoji .ttf (CBDT/COLR)") from None
    canvas = Image.new("RGBA", (BITMAP_SIZE * 2 * max(1, len(char)), BITMAP_SIZE * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((0, 0), char, font=font, embedded_color=True)
    box = canvas.getbbox()
    rgba = np.asarray(canvas)
    colourful = box is not None and float(np.ptp(rgba[..., :3][rgba[..., 3] > 0], axis=0).max(initial=0)) > 30
    if not colourful:
        raise ArgumentError(f"EMOJI: the font has no picture for {char!r}", hint=f"use an emoji such as {EXAMPLES}")
    return canvas.crop(box)


def paste_emoji(image: Image.Image, objects: Detections, char: str, path: str) -> Image.Image:
    """A copy of ``image`` with the emoji centred on each object, sized to cover it."""
    out = image.convert("RGB").copy()
    picture = render_emoji(char, path)
    for box in objects.boxes:
        x1, y1, x2, y2 = (float(v) for v in box)
        side = max(8, round(max(x2 - x1, y2 - y1) * SCALE))
        scaled = picture.resize((side, max(1, round(side * picture.height / picture.width))), Image.Resampling.LANCZOS)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        out.paste(scaled, (round(cx - scaled.width / 2), round(cy - scaled.height / 2)), scaled)
    return out


@tool("EMOJI")
def emoji(ctx, image: Image.Image, object: Detections, emoji: str) -> Image.Image:  # noqa: A002 - VisProg's names
    """Cover each object (usually a face from FACEDET or SELECT) with an emoji picture.

    Args:
        image: the image to edit.
        object: the objects to cover.
        emoji: the emoji's name, e.g. 'face_with_tongue', 'smiling_face_with_sunglasses', 'winking_face', or ':p'.
    """
    char = emoji_char(emoji)
    path = font_path(ctx.config.edit.emoji_font if ctx is not None and hasattr(ctx, "config") else "")
    return paste_emoji(image, object, char, str(path))
