import numpy as np

from tools.types import Detections


def test_largest_box_of_a_label_ignores_case_and_other_labels():
    dets = Detections(np.array([[0, 0, 10, 10], [0, 0, 50, 50], [0, 0, 30, 30], [0, 0, 90, 90]]),
                      np.array([0.9, 0.8, 0.7, 0.6]), ("bus", "Bus", "bus", "person"), (100, 100))
    assert dets.largest("BUS").tolist() == [0, 0, 50, 50]
    assert dets.largest("person").tolist() == [0, 0, 90, 90]
    assert dets.largest("cat") is None
