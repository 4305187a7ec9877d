"""One configuration object: defaults < TOML file < environment < CLI flags.

Environment variables are ``VISREASON_<SECTION>_<KEY>`` (e.g. ``VISREASON_LLM_BACKEND=openai``),
plus the short forms ``VISREASON_HOME`` and ``VISREASON_DETECTOR``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from agent.model_registry import local_file_name


@dataclass(frozen=True)
class LLMConfig:
    backend: str = "gguf"  # gguf | openai | hf
    model: str = "qwen2.5-coder-1.5b"  # model-store name, file path, hub id or served model name
    base_url: str = ""
    api_key: str = ""
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 256
    timeout_s: float = 60.0
    max_retries: int = 2
    hub_download: bool = True  # hf: may fetch a hub id missing from the local cache (the app turns it off for visitors)
    grammar: bool = True  # constrain program decoding with the registry's GBNF grammar
    grammar_mode: str = "lazy"  # gguf: lazy (check the sampled token, mask only if it breaks the grammar) | full | none
    sequences: int = 3  # gguf: KV sequences kept warm in the one context, each of n_ctx cells (~0.11 GB each for 1.5B)
    n_ubatch: int = 512  # gguf: tokens per compute step when reading a prompt (the compute buffer grows with it)
    prefix_cache: bool = True  # gguf: save few-shot prefixes' KV state under $VISREASON_HOME/kv, load on first use


@dataclass(frozen=True)
class DetectorConfig:
    # ensemble (default: YOLOv8n confirmed by YOLOX-Nano, see below) | ultralytics (YOLOv8n ONNX, AGPL-3.0)
    # | yolox (YOLOX-Nano, Apache-2.0)
    backend: str = "ensemble"
    path: str = ""  # "" = the backend's file in the model folder (model_dir); ultralytics: .onnx/.pt/.yaml; yolox: ONNX
    score_threshold: float = 0.3
    nms_threshold: float = 0.45
    # backend "ensemble" (tools/detect_ensemble.py): the primary's boxes, plus its boxes between
    # ensemble_floor and score_threshold that the second detector also finds (same class, IoU >= ensemble_iou)
    ensemble_primary: str = "ultralytics"
    ensemble_second: str = "yolox"
    ensemble_floor: float = 0.05
    ensemble_iou: float = 0.5


@dataclass(frozen=True)
class FaceConfig:
    backend: str = "yunet"  # yunet (ONNX, OpenCV's FaceDetectorYN) | haar (OpenCV cascades, no weights)
    path: str = ""  # yunet: ONNX file; default face_detection_yunet.onnx in the model folder (model_dir)
    score_threshold: float = 0.8  # YuNet scores of 0.6-0.8 were false faces on the sample photos


@dataclass(frozen=True)
class VQAConfig:
    backend: str = "facts"  # facts (tool facts + LLM) | transformers (BLIP / Florence-2 / SmolVLM)
    model: str = ""


@dataclass(frozen=True)
class ClassifierConfig:
    backend: str = "efficientnet-lite0"  # efficientnet-lite0 | clip
    model: str = ""


@dataclass(frozen=True)
class OCRConfig:
    backend: str = "rapidocr"
    min_confidence: float = 0.5


@dataclass(frozen=True)
class EmbedderConfig:
    text_model: str = "all-minilm-l6-v2"  # model-store name or any sentence-transformers id/path
    clip_model: str = ""  # hub id of a CLIP model; empty = offline image features
    runtime: str = "onnx"  # onnx (packaged MiniLM exported once, fast start) | torch (sentence-transformers)


@dataclass(frozen=True)
class EditConfig:
    """VisProg's image editing: EMOJI's font and REPLACE's inpainting model."""

    emoji_font: str = ""  # colour emoji font; "" = Debian's fonts-noto-color-emoji (NotoColorEmoji.ttf)
    inpaint_model: str = ""  # diffusers inpainting pipeline (local directory or cached hub id); "" = REPLACE is off
    inpaint_steps: int = 25
    inpaint_guidance: float = 7.5


@dataclass(frozen=True)
class BudgetConfig:
    max_steps: int = 40  # interpreter steps per program
    program_seconds: float = 60.0
    agent_seconds: float = 180.0
    max_turns: int = 5  # decide/retrieve loop turns
    max_repairs: int = 2
    llm_decide: bool = False  # ask the LLM whether weak evidence suffices (off: rules decide, one call saved)


@dataclass(frozen=True)
class MemoryConfig:
    enabled: bool = True  # plan from the program memory when a remembered template fits confidently
    threshold: float = 0.65  # min cosine similarity of masked questions (chosen on tuning data, see memory/library.py)
    draft: bool = True  # otherwise show the LLM the nearest template, filled in, as a draft
    path: str = ""  # default $VISREASON_HOME/memory


@dataclass(frozen=True)
class UIConfig:
    """Operator limits of the chat app (app.py): what a visitor's settings may choose, and their ceilings."""

    allow_backends: str = ""  # extra LLM choices, comma-separated: "hf", "gguf:NAME_OR_PATH", "openai:MODEL@URL"
    kb_dir: str = ""  # the knowledge bases offered are this folder's sub-folders, chosen by name
    max_steps: int = 0  # caps on visitors' budgets; 0 = the [budgets] value
    max_turns: int = 0
    agent_seconds: float = 0.0


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int = 50_000_000  # decompression-bomb guard
    max_bytes: int = 50_000_000


@dataclass(frozen=True)
class Config:
    home: str = ""  # cache dir; default ~/.cache/visreason
    llm: LLMConfig = field(default_factory=LLMConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    faces: FaceConfig = field(default_factory=FaceConfig)
    vqa: VQAConfig = field(default_factory=VQAConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    ocr: OCRConfig = field(default_factory=OCRConfig)
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    edit: EditConfig = field(default_factory=EditConfig)
    budgets: BudgetConfig = field(default_factory=BudgetConfig)
    images: ImageLimits = field(default_factory=ImageLimits)
    ui: UIConfig = field(default_factory=UIConfig)
    memory: MemoryConfig = field(default_factory=MemoryConfig)
    tool_cache_dir: str = ""  # optional on-disk tool-result cache
    model_dir: str = ""  # local model files (detector, faces); "" = $VISREASON_MODEL_DIR, else <home>/models

    @property
    def home_path(self) -> Path:
        return Path(self.home or os.environ.get("VISREASON_HOME") or Path.home() / ".cache" / "visreason")

    @property
    def model_dir_path(self) -> Path:
        """The folder of local model files: model_dir, then $VISREASON_MODEL_DIR, then the model store's <home>/models."""
        return Path(self.model_dir or os.environ.get("VISREASON_MODEL_DIR") or self.home_path / "models").expanduser()

    def model_file(self, backend: str) -> Path | None:
        """The backend's default weights (file name from the model registry) in the model folder, if present."""
        name = local_file_name(backend)
        path = self.model_dir_path / name if name else None
        return path if path is not None and path.is_file() else None

    @property
    def detector_path(self) -> Path | None:
        """The detector's weights: config, then $VISREASON_DETECTOR, then the backend's file in the model folder."""
        for candidate in (self.detector.path, os.environ.get("VISREASON_DETECTOR", "")):
            if candidate:
                return Path(candidate).expanduser()
        return self.model_file(self._weights_backend)

    @property
    def _weights_backend(self) -> str:
        """The detector backend whose weights ``detector.path`` names: the ensemble's are its primary's
        (the second detector's come from the model folder)."""
        cfg = self.detector
        return cfg.ensemble_primary if cfg.backend == "ensemble" else cfg.backend

    def backend_weights(self, backend: str) -> Path | None:
        """The weights file a detector backend would use: the configured one if it is that backend's."""
        if backend == "yunet":
            return Path(self.faces.path).expanduser() if self.faces.path else self.model_file("yunet")
        if backend == self._weights_backend:
            return self.detector_path
        return self.model_file(backend)

    @property
    def yolox_path(self) -> Path | None:
        return self.backend_weights("yolox")

    @property
    def yolov8n_path(self) -> Path | None:
        return self.backend_weights("ultralytics")

    @property
    def yunet_path(self) -> Path | None:
        return self.backend_weights("yunet")

    def replace(self, **changes: Any) -> Config:
        """Dotted overrides: ``cfg.replace(**{"llm.backend": "openai"})``."""
        return apply_overrides(self, changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _coerce(value: Any, like: Any, key: str) -> Any:
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{key}: expected a boolean, got {value!r}")
    try:
        return type(like)(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: expected {type(like).__name__}, got {value!r}") from None


def apply_overrides(cfg: Config, overrides: Mapping[str, Any]) -> Config:
    """Apply ``{"section.key": value}`` (or top-level ``{"home": ...}``) overrides, type-checked."""
    sections: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        if len(parts) == 1:
            if parts[0] not in {f.name for f in dataclasses.fields(cfg)} or dataclasses.is_dataclass(getattr(cfg, parts[0])):
                raise ConfigError(f"unknown config key {dotted!r}")
            top[parts[0]] = _coerce(value, getattr(cfg, parts[0]), dotted)
            continue
        if len(parts) != 2:
            raise ConfigError(f"config keys look like 'section.key', got {dotted!r}")
        section, key = parts
        sub = getattr(cfg, section, None)
        if not dataclasses.is_dataclass(sub):
            raise ConfigError(f"unknown config section {section!r}; known: {', '.join(_sections())}")
        names = {f.name for f in dataclasses.fields(sub)}
        if key not in names:
            raise ConfigError(f"unknown key {key!r} in [{section}]; known: {', '.join(sorted(names))}")
        sections.setdefault(section, {})[key] = _coerce(value, getattr(sub, key), dotted)
    new_sections = {s: dataclasses.replace(getattr(cfg, s), **kv) for s, kv in sections.items()}
    return dataclasses.replace(cfg, **top, **new_sections)


def _sections() -> list[str]:
    return [f.name for f in dataclasses.fields(Config) if f.name not in {"home", "tool_cache_dir", "model_dir"}]


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def env_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if environ.get("VISREASON_DETECTOR"):
        out["detector.path"] = environ["VISREASON_DETECTOR"]
    for section in _sections():
        prefix = f"VISREASON_{section.upper()}_"
        for name, value in environ.items():
            if name.startswith(prefix):
                out[f"{section}.{name[len(prefix):].lower()}"] = value
    return out


def load_config(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration: defaults, then the TOML file, then env, then explicit overrides."""
    cfg = Config()
    if path is None and os.environ.get("VISREASON_CONFIG"):
        path = os.environ["VISREASON_CONFIG"]
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text())
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {p}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML: {exc}") from None
        cfg = apply_overrides(cfg, _flatten(data))
    cfg = apply_overrides(cfg, env_overrides(os.environ if environ is None else environ))
    if overrides:
        cfg = apply_overrides(cfg, overrides)
    return cfg
