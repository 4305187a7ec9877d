"""OpenAI-compatible backend: request shaping and fallbacks (fake client) + a real llama.cpp server (slow)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import httpx
import openai
import pytest

from agent.config import Config
from agent.errors import LLMError
from agent.llm.openai_backend import OpenAIBackend


def _response(text: str):
    return SimpleNamespace(choices=[SimpleNamespace(message=SimpleNamespace(content=text))],
                           usage=SimpleNamespace(prompt_tokens=7, completion_tokens=2))


def _status_error(code: int):
    req = httpx.Request("POST", "http://x/v1/chat/completions")
    cls = {400: openai.BadRequestError, 422: openai.UnprocessableEntityError, 500: openai.InternalServerError}[code]
    return cls("unsupported response_format", response=httpx.Response(code, request=req), body=None)


class FakeClient:
    def __init__(self, fail_times: int = 0, code: int = 400):
        self.calls: list[dict] = []
        self.fail_times, self.code = fail_times, code
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **kwargs):
        self.calls.append(kwargs)
        if len(self.calls) <= self.fail_times:
            raise _status_error(self.code)
        return _response('{"a": 1}')


CFG = Config().replace(**{"llm.backend": "openai", "llm.model": "m", "llm.base_url": "http://127.0.0.1:1/v1"})


def test_grammar_goes_in_extra_body():
    client = FakeClient()
    reply = OpenAIBackend(CFG, client=client).chat([{"role": "user", "content": "q"}], grammar='root ::= "a"')
    assert client.calls[0]["extra_body"] == {"grammar": 'root ::= "a"'}
    assert reply.prompt_tokens == 7 and reply.completion_tokens == 2 and reply.backend.startswith("openai:m")
    vllm = FakeClient()
    OpenAIBackend(CFG, client=vllm, grammar_fields=("grammar", "guided_grammar")).chat([], grammar="g")
    assert vllm.calls[0]["extra_body"] == {"grammar": "g", "guided_grammar": "g"}


@pytest.mark.parametrize("code", [422, 500])  # llama-cpp-python's server says 500 for a validation error
def test_json_schema_falls_back_through_formats(code):
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    client = FakeClient(fail_times=2, code=code)
    reply = OpenAIBackend(CFG, client=client).chat([{"role": "user", "content": "q"}], json_schema=schema)
    assert [c.get("response_format", {}).get("type") for c in client.calls] == ["json_schema", "json_object", None]
    assert json.loads(reply.text) == {"a": 1}


def test_non_format_errors_are_llm_errors():
    with pytest.raises(LLMError, match="HTTP 400"):
        OpenAIBackend(CFG, client=FakeClient(fail_times=9)).chat([], grammar="g")


def test_unreachable_server_is_a_clear_llm_error():
    cfg = CFG.replace(**{"llm.base_url": f"http://127.0.0.1:{_free_port()}/v1", "llm.max_retries": 0,
                         "llm.timeout_s": 2.0})
    with pytest.raises(LLMError, match="cannot connect") as info:
        OpenAIBackend(cfg).chat([{"role": "user", "content": "hi"}])
    assert "llm.base_url" in info.value.hint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    from agent.model_store import ModelStore

    model = ModelStore(Config()).path("qwen2.5-coder-0.5b")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "1024", "--n_threads", "2", "--verbose", "False"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("llama_cpp.server exited: " + proc.stderr.read().decode()[-2000:])
            try:
                with urllib.request.urlopen(url + "/models", timeout=2) as r:
                    served = json.load(r)["data"][0]["id"]
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        yield url, served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_real_llama_cpp_server_chat_and_grammar(llama_server):
    url, served = llama_server
    llm = OpenAIBackend(Config().replace(**{"llm.backend": "openai", "llm.model": served, "llm.base_url": url}))
    messages = [{"role": "user", "content": "Is the sky blue? Answer yes or no."}]
    plain = llm.chat(messages, max_tokens=8)
    assert plain.text.strip() and plain.completion_tokens > 0
    constrained = llm.chat(messages, grammar='root ::= "yes" | "no"', max_tokens=4)
    assert constrained.text in {"yes", "no"}
    schema = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
              "required": ["answer"]}
    as_json = llm.chat(messages, json_schema=schema, max_tokens=20)
    assert json.loads(as_json.text)["answer"] in {"yes", "no"}
