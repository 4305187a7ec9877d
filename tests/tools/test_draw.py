"""Box labels: placed so they do not cover each other and stay inside the picture."""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image

from tools.draw import _overlap, draw_detections, place_labels
from tools.types import Detections


def test_labels_of_crowded_boxes_do_not_collide_and_stay_inside():
    # four people standing close together, the first touching the top edge, the last the right edge
    boxes = [(10, 0, 60, 150), (40, 5, 90, 160), (70, 8, 120, 170), (150, 10, 200, 180)]
    sizes = [(70, 16)] * 4
    rects = place_labels(boxes, sizes, (200, 200))
    for a, b in itertools.combinations(rects, 2):
        assert _overlap(a, b) == 0, (a, b)
    for x1, y1, x2, y2 in rects:
        assert 0 <= x1 and 0 <= y1 and x2 <= 200 and y2 <= 200


def test_the_old_placement_collided_here():
    # what the old rule did (label at the box's top-left corner, above it if there was room): it overlapped
    boxes = [(10, 0, 60, 150), (40, 5, 90, 160)]
    old = [(x1, y1, x1 + 70, y1 + 16) for x1, y1, _, _ in boxes]
    assert _overlap(*old) > 0
    assert _overlap(*place_labels(boxes, [(70, 16)] * 2, (200, 200))) == 0


def test_draw_detections_draws_every_label():
    img = Image.new("RGB", (200, 200), (255, 255, 255))
    dets = Detections([[10, 0, 60, 150], [40, 5, 90, 160]], [0.9, 0.8], ("person", "person"), (200, 200))
    out = np.asarray(draw_detections(img, dets))
    assert (out != 255).any(axis=2).sum() > 2000  # boxes and two filled label tags
