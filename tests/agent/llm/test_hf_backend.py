"""hf backend with a tiny randomly initialised GPT-2 and a word-level tokenizer built offline."""

from __future__ import annotations

import pytest

from agent.config import Config
from agent.errors import ModelUnavailableError
from agent.llm.base import LLM, LLMReply
from agent.llm.hf_backend import HFBackend

WORDS = ["[UNK]", "[PAD]", "<eos>", "user", "assistant", "system", ":", "is", "there", "a", "bus", "yes", "no", "?"]


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("tiny-lm")
    raw = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]", pad_token="[PAD]", eos_token="<eos>")
    tokenizer.chat_template = "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} {% endfor %}assistant :"
    tokenizer.save_pretrained(out)
    config = GPT2Config(vocab_size=len(WORDS), n_positions=64, n_embd=16, n_layer=1, n_head=2,
                        eos_token_id=2, bos_token_id=2, pad_token_id=1)
    GPT2LMHeadModel(config).save_pretrained(out)
    return out


def test_generates_greedily_from_a_local_folder(tiny_model_dir):
    llm = HFBackend(Config().replace(**{"llm.backend": "hf", "llm.model": str(tiny_model_dir)}))
    assert isinstance(llm, LLM)
    messages = [{"role": "user", "content": "is there a bus ?"}]
    first = llm.chat(messages, max_tokens=5, grammar='root ::= "yes"')  # grammar accepted, not enforced
    second = llm.chat(messages, max_tokens=5)
    assert isinstance(first, LLMReply)
    assert first.text == second.text  # greedy => deterministic
    assert 0 < first.completion_tokens <= 5
    assert first.prompt_tokens == len("user : is there a bus ? assistant :".split())
    assert first.backend == f"hf:{tiny_model_dir}"


def test_missing_local_model_is_a_typed_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    llm = HFBackend(Config(), model_id=str(tmp_path / "no-such-model"))
    with pytest.raises(ModelUnavailableError):
        llm.chat([{"role": "user", "content": "hi"}])
