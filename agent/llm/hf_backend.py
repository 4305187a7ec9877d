"""A transformers causal LM (local folder or hub id) with greedy decoding.

Grammar and JSON-schema constraints are NOT enforced here (transformers has no GBNF sampler);
they are accepted for interface compatibility and the caller validates/repairs the output, as it
does for every backend. With ``HF_HUB_OFFLINE=1``, a local path, or ``llm.hub_download = false``
(the chat app sets it for every visitor's choice) nothing is downloaded: only the local cache is read.
"""

from __future__ import annotations

import os
import threading
import time
from functools import lru_cache
from pathlib import Path

from agent.config import Config
from agent.errors import LLMError, ModelUnavailableError
from agent.llm.base import LLMReply, Message, TokenCallback


def _offline(model_id: str, hub_download: bool = True) -> bool:
    if not hub_download:
        return True
    return Path(model_id).expanduser().exists() or os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")


@lru_cache(maxsize=2)
def load_hf(model_id: str, local_only: bool):
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ModelUnavailableError("the hf backend needs transformers", hint="pip install transformers torch") from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_id, local_files_only=local_only)
        model = AutoModelForCausalLM.from_pretrained(model_id, local_files_only=local_only)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot load transformers model {model_id!r}: {str(exc)[:300]}",
                                    hint="give a local model folder, or allow hub access (HF_HUB_OFFLINE=0)") from None
    model.eval()
    return tokenizer, model, threading.Lock()


def _plain_prompt(messages: list[Message]) -> str:
    # For tokenizers without a chat template: a simple role-tagged transcript.
    lines = [f"{m['role']}: {m['content']}" for m in messages]
    return "\n".join(lines) + "\nassistant:"


class HFBackend:
    def __init__(self, config: Config, model_id: str | None = None) -> None:
        self.config = config
        self.model_id = str(model_id or config.llm.model)
        self.name = f"hf:{self.model_id}"

    def chat(self, messages: list[Message], *, grammar: str | None = None, json_schema: dict | None = None,
             max_tokens: int = 256, stop: list[str] | None = None, temperature: float | None = None,
             deadline: float | None = None, on_token: TokenCallback | None = None) -> LLMReply:
        import torch

        tokenizer, model, lock = load_hf(self.model_id, _offline(self.model_id, self.config.llm.hub_download))
        if getattr(tokenizer, "chat_template", None):
            prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            prompt = _plain_prompt(messages)
        inputs = tokenizer(prompt, return_tensors="pt")
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        started = time.perf_counter()
        with lock, torch.inference_mode():
            try:
                limit = {} if deadline is None else {"max_time": max(0.01, deadline - time.monotonic())}
                output = model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False, pad_token_id=pad_id,
                                        **limit)
            except (RuntimeError, ValueError) as exc:
                raise LLMError(f"{self.name}: generation failed: {exc}") from None
        seconds = time.perf_counter() - started
        new_tokens = output[0, inputs["input_ids"].shape[1]:]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True)
        for s in stop or []:
            cut = text.find(s)
            if cut >= 0:
                text = text[:cut]
        if on_token is not None and text:
            on_token(text)
        return LLMReply(text=text, prompt_tokens=int(inputs["input_ids"].shape[1]),
                        completion_tokens=int(new_tokens.shape[0]), seconds=seconds, backend=self.name)
