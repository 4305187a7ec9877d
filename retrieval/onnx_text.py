"""MiniLM sentence embeddings on onnxruntime: the same vectors as sentence-transformers, a fraction of the start-up.

Importing ``sentence_transformers`` costs ~15 s and ~1.2 GB on two cores, before a single vector.
Here the packaged MiniLM weights are exported to ONNX once (torch, on first use or at setup) and
cached under ``$VISREASON_HOME/models``; afterwards a process loads onnxruntime and the Rust
``tokenizers`` in about a second. Pooling matches the model's sentence-transformers config:
mean over real tokens, then L2 normalisation, max 256 tokens.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from pathlib import Path

import numpy as np

from agent.errors import ModelUnavailableError

MAX_TOKENS = 256
_EXPORT_LOCK = threading.Lock()


def _fingerprint(model_dir: Path) -> str:
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    return hashlib.sha1(f"{weights.resolve()}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()[:12]


def onnx_path(model_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / f"minilm-{_fingerprint(model_dir)}.onnx"


def export_onnx(model_dir: Path, out: Path) -> Path:
    """Export the transformer body to ONNX (dynamic batch and length); written atomically."""
    import torch
    from transformers import AutoModel

    out.parent.mkdir(parents=True, exist_ok=True)
    class Body(torch.nn.Module):  # keyword call: transformers' positional order changes between versions
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = Body(AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval())
    ids = torch.ones((2, 8), dtype=torch.long)
    tmp = out.with_suffix(f".tmp-{os.getpid()}")
    # The exporter's TracerWarnings are about data-dependent branches that do not occur with these
    # inputs (checked by the embedding-equality test); a user should not see them on a first run.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(tmp),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in
                                        ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")})
    os.replace(tmp, out)
    return out


class OnnxTextEmbedder:
    """``TextEmbedder`` over an exported MiniLM; thread-safe (onnxruntime sessions are)."""

    def __init__(self, name: str, model_dir: Path, cache_dir: Path, *, threads: int = 2, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = onnx_path(model_dir, cache_dir)
        with _EXPORT_LOCK:
            if not path.exists():
                try:
                    export_onnx(model_dir, path)
                except Exception as exc:  # noqa: BLE001 - any exporter failure means "use the torch path"
                    raise ModelUnavailableError(f"could not export {name} to ONNX: {exc}") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=self._pad_id(model_dir))
        self.name = name
        self.dim = int(json.loads((model_dir / "config.json").read_text()).get("hidden_size", 384))
        self.batch_size = batch_size

    @staticmethod
    def _pad_id(model_dir: Path) -> int:
        config = json.loads((model_dir / "config.json").read_text())
        return int(config.get("pad_token_id") or 0)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        for start in range(0, len(texts), self.batch_size):
            encoded = self._tokenizer.encode_batch([str(t) for t in texts[start:start + self.batch_size]])
            ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out.append(pooled)
        vectors = np.concatenate(out).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
