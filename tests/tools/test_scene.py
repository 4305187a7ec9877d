"""SCENE: day/night and indoor/outdoor with a confidence, 'uncertain' when the evidence is weak."""

import numpy as np
import pytest
from PIL import Image

from tools.scene import MIN_CONFIDENCE, SceneAnswer, day_night, image_statistics, scene


def _photo(arr: np.ndarray) -> Image.Image:
    """Sensor noise and a light gradient, as in a photograph (flat pictures are judged drawings)."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(0.85, 1.15, arr.shape[1])[None, :, None]
    return Image.fromarray((arr * ramp + rng.normal(0, 6, arr.shape)).clip(0, 255).astype(np.uint8))


def _night_street() -> Image.Image:
    """A dark blue-black sky over dark ground with a row of small street lamps."""
    arr = np.zeros((240, 320, 3), np.float32)
    arr[:120] = (10, 14, 30)
    arr[120:] = (40, 38, 36)
    img = _photo(arr)
    for x in range(20, 320, 40):
        img.paste((255, 250, 220), (x, 100, x + 4, 104))
    return img


def _sunny_sky() -> Image.Image:
    arr = np.zeros((240, 320, 3), np.float32)
    arr[:120] = (110, 170, 235)
    arr[120:] = (120, 160, 80)
    return _photo(arr)


def test_statistics_tell_day_from_night():
    night = day_night(image_statistics(_night_street()))
    assert night == "night" and night.confidence >= MIN_CONFIDENCE and "lamps in the dark: yes" in night.evidence
    day = day_night(image_statistics(_sunny_sky()))
    assert day == "day" and day.confidence > 0.8


def test_flat_graphics_and_blank_pictures_are_uncertain():
    blank = day_night(image_statistics(Image.new("RGB", (200, 150), (200, 200, 200))))
    assert blank == "uncertain" and blank.leaning in {"day", "night"} and blank.confidence < MIN_CONFIDENCE
    assert "uncertain" in blank.summary() and "leaning" in blank.summary()


def test_answer_is_a_plain_string_with_evidence():
    answer = SceneAnswer("day", 0.9, "day", ("blue sky 40% of the picture",))
    assert answer == "day" and answer.upper() == "DAY" and "confidence 0.90" in answer.summary()


@pytest.mark.slow
def test_sample_photos(ctx, bus):
    from skimage.data import coffee, rocket

    assert scene(ctx, bus, "day_night") == "day" and scene(ctx, bus, "indoor_outdoor") == "outdoor"
    night = scene(ctx, Image.fromarray(rocket()), "day_night")
    assert night == "night" and night.confidence > 0.8
    cup = Image.fromarray(coffee())
    assert scene(ctx, cup, "indoor_outdoor") == "indoor"
    assert scene(ctx, cup, "day_night") == "uncertain"  # indoors, no window: the time of day is not shown
