"""A transformers vision-language model behind one interface: ``caption(img)`` and ``answer(img, q)``.

Three families are handled, chosen from the model config:
  * BLIP (captioning or VQA heads),
  * Florence-2 (task prompts such as ``<CAPTION>``),
  * chat VLMs (SmolVLM, Idefics, Qwen2-VL, LLaVA...) through ``AutoModelForImageTextToText`` and
    the processor's chat template.
"""

from __future__ import annotations

import threading
from typing import Any

from PIL import Image

from agent.errors import ModelUnavailableError

MAX_NEW_TOKENS = 32


def _family(model: Any) -> str:
    model_type = getattr(model.config, "model_type", "")
    if model_type.startswith("blip") and "2" not in model_type:
        return "blip-vqa" if "QuestionAnswering" in type(model).__name__ else "blip"
    if "florence" in model_type:
        return "florence2"
    return "chat"


def _load(model_id: str) -> tuple[Any, Any]:
    import transformers as tf

    try:
        config = tf.AutoConfig.from_pretrained(model_id)
        processor = tf.AutoProcessor.from_pretrained(model_id)
        model_type = getattr(config, "model_type", "")
        if model_type == "blip":
            archs = getattr(config, "architectures", None) or []
            cls = tf.BlipForQuestionAnswering if "BlipForQuestionAnswering" in archs else \
                tf.BlipForConditionalGeneration
        else:
            cls = tf.AutoModelForImageTextToText
        model = cls.from_pretrained(model_id)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"cannot load vision-language model {model_id!r}: {exc}",
            hint="set vqa.model to a local model directory (BLIP, Florence-2, SmolVLM) or a hub id already in "
                 "the Hugging Face cache; or use vqa.backend='facts'") from None
    return model.eval(), processor


class TransformersVLM:
    def __init__(self, model_id: str = "", *, model: Any = None, processor: Any = None,
                 max_new_tokens: int = MAX_NEW_TOKENS) -> None:
        import torch

        if model is None or processor is None:
            model, processor = _load(model_id)
        self.model, self.processor = model.eval(), processor
        self.family = _family(model)
        self.source = f"transformers:{model_id or type(model).__name__}"
        self.max_new_tokens = max_new_tokens
        self._torch = torch
        self._lock = threading.Lock()

    def caption(self, img: Image.Image) -> str:
        if self.family == "blip":
            return self._blip(img, None)
        if self.family == "blip-vqa":
            return self._blip(img, "What is in the picture?")
        if self.family == "florence2":
            return self._florence(img, "<CAPTION>")
        return self._chat(img, "Describe this image in one sentence.")

    def answer(self, img: Image.Image, question: str) -> str:
        if self.family in ("blip", "blip-vqa"):
            return self._blip(img, question)
        if self.family == "florence2":
            return self._florence(img, question)
        return self._chat(img, f"{question}\nAnswer with a single word or short phrase.")

    def _generate(self, inputs: dict) -> Any:
        with self._lock, self._torch.inference_mode():
            return self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)

    def _blip(self, img: Image.Image, question: str | None) -> str:
        rgb = img.convert("RGB")
        if question is None:
            inputs = self.processor(images=rgb, return_tensors="pt")
        elif self.family == "blip-vqa":
            inputs = self.processor(images=rgb, text=question, return_tensors="pt")
        else:  # a captioning BLIP answers when prompted with the question as a caption prefix
            inputs = self.processor(images=rgb, text=f"question: {question} answer:", return_tensors="pt")
        out = self._generate(dict(inputs))
        text = self.processor.batch_decode(out, skip_special_tokens=True)[0].strip()
        if question is not None and self.family == "blip" and "answer:" in text:
            text = text.split("answer:", 1)[1]
        return text.strip()

    def _florence(self, img: Image.Image, prompt: str) -> str:
        inputs = self.processor(text=prompt, images=img.convert("RGB"), return_tensors="pt")
        out = self._generate(dict(inputs))
        text = self.processor.batch_decode(out, skip_special_tokens=True)[0]
        return text.replace(prompt, "").strip()

    def _chat(self, img: Image.Image, text: str) -> str:
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": text}]}]
        prompt = self.processor.apply_chat_template(messages, add_generation_prompt=True)
        inputs = self.processor(text=prompt, images=[img.convert("RGB")], return_tensors="pt")
        out = self._generate(dict(inputs))
        new_tokens = out[:, inputs["input_ids"].shape[1]:]
        return self.processor.batch_decode(new_tokens, skip_special_tokens=True)[0].strip()
