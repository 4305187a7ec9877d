"""Factories of the built-in vision backends, ``(config, hub) -> backend`` (registered in tools.vision_backends).

Each turns the configuration into a constructor call: it finds the weights file, says how to get
a missing one, and checks a pinned file's sha256. The backend modules themselves only take plain
arguments (a path, thresholds), so they stay usable without a Config; a third-party backend may
keep its factory in its own module instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import Config
from agent.errors import ModelUnavailableError

if TYPE_CHECKING:
    from tools.protocols import Classifier, Detector, FaceDetector, Models, TextReader, VisionLanguageModel


def verify_pinned(path: Path) -> None:
    """Check a shared model file against its pinned sha256 (files of other names are the operator's own)."""
    from agent.file_assembly import sha256_file
    from agent.model_registry import REGISTRY

    for spec in REGISTRY.values():
        if spec.source == "local-file" and spec.filename == path.name and spec.sha256:
            if path.is_file() and sha256_file(path) != spec.sha256:
                raise ModelUnavailableError(
                    f"{path}: sha256 does not match {spec.name} ({spec.sha256}); the file is damaged or a "
                    "different model", hint=spec.how_to_get)
            return


def yolox_detector(config: Config, hub: Models) -> Detector:
    from tools.detect_yolox import YoloxDetector

    cfg, path = config.detector, config.detector_path
    if path is None:
        raise ModelUnavailableError(
            f"no YOLOX detector file: yolox_nano.onnx is not in the model folder {config.model_dir_path}",
            hint="put it there, point model_dir (or $VISREASON_MODEL_DIR) at its folder, or set "
                 "detector.path / $VISREASON_DETECTOR to the file")
    return YoloxDetector(path, score_threshold=cfg.score_threshold, nms_threshold=cfg.nms_threshold)


def ultralytics_detector(config: Config, hub: Models) -> Detector:
    from tools.detect_ultralytics import UltralyticsDetector

    cfg, path = config.detector, config.detector_path
    if path is None:
        raise ModelUnavailableError(
            "the ultralytics detector needs weights: yolov8n_coco_int8.onnx is not in the model folder "
            f"{config.model_dir_path}",
            hint="put it there, point model_dir (or $VISREASON_MODEL_DIR) at its folder, or set detector.path "
                 "to a local .onnx/.pt file (yolo11n.pt, yoloe-11s-seg.pt) or a bundled .yaml (yolo11n.yaml)")
    if path.suffix.lower() != ".yaml" and not path.is_file():
        raise ModelUnavailableError(
            f"ultralytics weights not found at {path}: set detector.path to a local weights file",
            hint=(f"detector.path and $VISREASON_DETECTOR name a weights file; to choose a backend such as {path.name!r} "
                  "set detector.backend ($VISREASON_DETECTOR_BACKEND)" if not path.suffix else
                  f"the default is yolov8n_coco_int8.onnx in the model folder {config.model_dir_path}"))
    verify_pinned(path)
    return UltralyticsDetector(str(path), score_threshold=cfg.score_threshold, nms_threshold=cfg.nms_threshold)


def yunet_faces(config: Config, hub: Models) -> FaceDetector:
    from tools.detect_yunet import YuNetFaces

    path = config.yunet_path
    if path is None:
        raise ModelUnavailableError(
            "no YuNet face detector file: face_detection_yunet.onnx is not in the model folder "
            f"{config.model_dir_path}",
            hint="put it there, point model_dir (or $VISREASON_MODEL_DIR) at its folder, set faces.path "
                 "to the file, or use faces.backend=haar (no weights file)")
    return YuNetFaces(path, score_threshold=config.faces.score_threshold)


def haar_faces(config: Config, hub: Models) -> FaceDetector:
    from tools.faces_haar import HaarFaces

    return HaarFaces()


def rapid_ocr(config: Config, hub: Models) -> TextReader:
    from tools.ocr_rapid import RapidOCRReader

    return RapidOCRReader(min_confidence=config.ocr.min_confidence)


def efficientnet_classifier(config: Config, hub: Models) -> Classifier:
    from tools.classify_efficientnet import EfficientNetClassifier

    return EfficientNetClassifier(config.classifier.model or None)


def clip_classifier(config: Config, hub: Models) -> Classifier:
    model = hub.clip()
    if model is None:
        raise ModelUnavailableError(
            "classifier.backend is 'clip' but no CLIP model is configured: "
            "set embedder.clip_model (or classifier.model) to a local CLIP model directory")
    return model  # type: ignore[return-value]  # ClipBackend has classify() and features() too


def no_vlm(config: Config, hub: Models) -> VisionLanguageModel | None:
    """The offline 'facts' backend: no VLM, VQA/CAPTION ask the LLM about the tool facts."""
    return None


def transformers_vlm(config: Config, hub: Models) -> VisionLanguageModel:
    if not config.vqa.model:
        raise ModelUnavailableError(
            "vqa.backend is 'transformers' but vqa.model is empty: set vqa.model to a local BLIP / "
            "Florence-2 / SmolVLM directory or a hub id already in the Hugging Face cache; "
            "or use vqa.backend='facts' (offline default)")
    from tools.vlm_transformers import TransformersVLM

    return TransformersVLM(config.vqa.model)
