"""The Python API: ``Reasoner(config).ask(question, images=[...], kb=None) -> Answer``."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from agent.answer import Answer
from agent.config import Config, load_config
from agent.errors import InputError, VisreasonError
from agent.events import AnswerEvent, Progress, Status
from agent.images import load_image
from agent.llm.base import LLM
from agent.state import RunContext

HEARTBEAT_S = 1.0  # the longest the stream stays silent while the agent works

ImageLike = Any  # path, PIL image, numpy array or bytes


def name_images(images: Sequence[ImageLike] | Mapping[str, ImageLike]) -> dict[str, ImageLike]:
    """VisProg's conventions: one image is IMAGE; two are LEFT and RIGHT; every image is also IMAGE_i."""
    if isinstance(images, Mapping):
        named = {str(k).upper(): v for k, v in images.items()}
    else:
        images = list(images)
        named = {f"IMAGE_{i}": img for i, img in enumerate(images)}
        if len(images) == 1:
            named["IMAGE"] = images[0]
        elif len(images) == 2:
            named["LEFT"], named["RIGHT"] = images
        if images:
            named.setdefault("IMAGE", images[0])
    if not named:
        raise InputError("at least one image is needed")
    return named


class Reasoner:
    """Answers questions about images with a visible chain of evidence.

    Thread-safe: models load once per process and are shared; the embedded LLM serialises
    its own generation, so several threads overlap tool work with LLM work.
    """

    def __init__(self, config: Config | None = None, *, llm: LLM | str | None = None, registry=None, embed=None) -> None:
        from tools.cache import ToolCache

        self.config = config or load_config()
        if isinstance(llm, str):  # one model spec everywhere: "gguf:NAME", "openai:MODEL@URL", "hf:ID"
            from agent.llm.factory import parse_llm_spec

            try:
                self.config = self.config.replace(**parse_llm_spec(llm))
            except VisreasonError as exc:
                raise InputError(f"Reasoner(llm={llm!r}): {exc.message}", hint=exc.hint) from None
            llm = None
        elif llm is not None and not callable(getattr(llm, "chat", None)):
            raise InputError(f"Reasoner(llm=...) got a {type(llm).__name__}, which has no chat() method",
                             hint='pass a model spec such as "gguf:qwen2.5-coder-0.5b" or an object with chat()')
        self._llm = llm
        self._registry = registry
        self._embed = embed
        self.cache = ToolCache.from_config(self.config)
        self._deps = None
        self._graph_lock = threading.Lock()
        self._warm = False

    @classmethod
    def from_config(cls, path: str | Path, **overrides: Any) -> Reasoner:
        return cls(load_config(path, overrides))

    # -- lazily built parts -------------------------------------------------------------
    @cached_property
    def llm(self) -> LLM:
        if self._llm is None:
            from agent.llm.factory import shared_llm

            self._llm = shared_llm(self.config)
        return self._llm

    @cached_property
    def aux_llm(self) -> LLM:
        """Decide, refine and VQA-from-facts: the same model (its runtime keeps their prompts in other KV sequences)."""
        return self.llm

    @cached_property
    def registry(self):
        if self._registry is None:
            from tools.catalog import default_registry

            self._registry = default_registry()
        return self._registry

    @cached_property
    def graph(self):
        from agent.deps import Deps
        from agent.examples import ExampleSelector, load_all_examples
        from agent.graph import build_graph

        embed = self._embed
        if embed is None:
            from retrieval.embedders import text_embedder

            embedder = text_embedder(self.config)
            embed = embedder.embed_texts
        self._deps = Deps(self.config, self.llm, self.registry, ExampleSelector(load_all_examples(), embed),
                          aux_llm=self.aux_llm, memory=self._make_memory(embed))
        return build_graph(self._deps)

    def _make_memory(self, embed):
        if not self.config.memory.enabled:
            return None
        from agent.memory import open_memory

        return open_memory(self.config, self.registry, embed)

    def warm_up(self) -> float:
        """Load what every question needs (LLM weights, embedder, examples, memory, detector) once.

        Returns the seconds it took (0.0 once loaded). ``stream()`` calls it before the question's
        clock starts, so loading is its own phase (``timings["load_s"]``), outside the time budget.
        """
        with self._graph_lock:
            if self._warm:
                return 0.0
            started = time.perf_counter()
            default_tools = self._registry is None  # (building the graph fills it in)
            self.graph  # noqa: B018 - embedder, examples, program memory
            getattr(self.llm, "loaded", None)  # an embedded model reads its weights here
            if default_tools:  # the default tools: LOC's detector is the one most programs use
                try:
                    from PIL import Image

                    from tools.models import ModelHub

                    # ultralytics builds its ONNX session on the first image, not at load: give it one
                    ModelHub.shared(self.config).detector().detect(Image.new("RGB", (64, 64)))
                except VisreasonError:
                    pass  # a question that needs the detector reports it; others do not care
            self._warm = True
            return time.perf_counter() - started

    def prefill_prompts(self, *, on_progress=None) -> list[str]:
        """Evaluate every planner prompt prefix (one per question family, for one and for two images)
        and save its KV state to disk, so a first question of any family does not re-read its
        examples (``visreason models warm``, run by ``make setup``). Returns where each prefix came
        from ("disk" = already saved; anything else = evaluated, at least in part, and saved now);
        [] for a backend without ``prefill``."""
        from agent.nodes_program import planner_prefixes

        prefill = getattr(self.llm, "prefill", None)
        if not callable(prefill):
            return []
        self.graph  # noqa: B018 - builds deps: registry docs, example selector
        sources = []
        for images in (["a"], ["a", "b"]):
            for messages in planner_prefixes(self._deps, list(name_images(images))):
                sources.append(prefill(messages))
                if on_progress is not None:
                    on_progress(len(sources), sources[-1])
        return sources

    @property
    def memory(self):
        """The program memory planning uses (None when ``memory.enabled`` is off)."""
        self.graph  # noqa: B018 - builds deps (and the memory) on first use
        return self._deps.memory

    def learn(self, answer: Answer, *, source: str = "learned") -> str | None:
        """Remember the program behind a verified answer (a gold-scored batch item, a thumbs-up).

        Only a clean, single-program plan is learned; returns the template id, or None when the
        answer is not reusable (fallback, chain of thought, a follow-up, a failed run).
        """
        if (self.memory is None or answer.plan_kind != "program" or answer.fallback or not answer.program
                or any(a.get("error") for a in answer.programs_tried[-1:])):
            return None
        names = answer.images or ["IMAGE"]
        return self.memory.learn(answer.question, answer.program, names, source=source).id

    def clear_caches(self) -> None:
        """Forget cached tool results and reused programs (benchmarks start each run cold)."""
        self.cache.clear()
        if self._deps is not None:
            self._deps.forget_programs()

    def tool_context(self):
        from tools.context import ToolContext

        return ToolContext(config=self.config, llm=self.aux_llm, cache=self.cache)

    # -- answering ----------------------------------------------------------------------
    def ask(self, question: str, images: Sequence[ImageLike] | Mapping[str, ImageLike], kb: str | Path | None = None,
            *, history: list[dict] | None = None, cancel: threading.Event | None = None,
            render_images: bool = True) -> Answer:
        final = None
        for event in self.stream(question, images, kb, history=history, cancel=cancel, render_images=render_images):
            if event["type"] == "answer":
                final = event["answer"]
        assert final is not None  # stream always ends with an answer or raises
        return final

    def stream(self, question: str, images: Sequence[ImageLike] | Mapping[str, ImageLike], kb: str | Path | None = None,
               *, history: list[dict] | None = None, cancel: threading.Event | None = None,
               render_images: bool = True) -> Iterator[dict]:
        """Yield events as the agent works; the last one is ``{"type": "answer", "answer": Answer}``.

        While a phase runs (an LLM call, a slow tool) a ``{"type": "progress", "phase", "elapsed_s",
        "partial"}`` event comes every ``HEARTBEAT_S`` seconds, carrying the LLM's text so far.

        ``render_images`` draws each step's picture (boxes, crops) for the trace; batch runs that
        only need answers turn it off.
        """
        if not isinstance(question, str) or not question.strip():
            raise InputError("the question is empty")
        loaded = {name: load_image(src, self.config.images, name=_label(name, src))
                  for name, src in name_images(images).items()}
        cancel = cancel or threading.Event()
        if not self._warm:
            yield Status("loading models (once per process; not counted in the question's time budget)").to_dict()
        load_s = self.warm_up()
        events: queue.Queue = queue.Queue()
        ctx = RunContext(images=loaded, tool_ctx=self.tool_context(), cancel=cancel,
                         deadline=time.monotonic() + self.config.budgets.agent_seconds, on_event=events.put,
                         kb=self._open_kb(kb) if kb else None, render_images=render_images)
        state = {"question": question.strip(), "image_names": list(loaded), "kb": str(kb) if kb else None,
                 "history": list(history or []), "turns": 0, "attempts": [], "steps": [], "evidence": [],
                 "warnings": [], "timings": {}}
        outcome: dict = {}

        def work() -> None:
            started = time.perf_counter()
            try:
                outcome["state"] = self.graph.invoke(state, {"configurable": {"run": ctx}, "recursion_limit": 50})
            except BaseException as exc:  # handed to the consumer thread, re-raised there
                outcome["error"] = exc
            finally:
                outcome["seconds"] = time.perf_counter() - started
                events.put(None)

        worker = threading.Thread(target=work, name="visreason-ask", daemon=True)
        worker.start()
        started, phase = time.monotonic(), "starting"
        try:
            while True:
                try:
                    event = events.get(timeout=HEARTBEAT_S)
                except queue.Empty:  # never silent: what is running, for how long, and what the LLM wrote so far
                    yield Progress(phase, round(time.monotonic() - started, 1), ctx.partial[-600:]).to_dict()
                    continue
                if event is None:
                    break
                if event.get("type") == "status":
                    phase = str(event.get("text", ""))
                yield event
        finally:
            cancel.set() if worker.is_alive() else None  # a consumer that stops early cancels the run
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        answer = self._answer(question, outcome["state"], ctx, outcome["seconds"])
        if load_s:
            answer.timings["load_s"] = round(load_s, 4)
        yield AnswerEvent(answer).to_dict()

    def _open_kb(self, kb: str | Path):
        from retrieval.kb import KnowledgeBase

        return KnowledgeBase.open(kb, self.config)

    @staticmethod
    def _answer(question: str, final: dict, ctx: RunContext, seconds: float) -> Answer:
        timings = {k: round(v, 4) for k, v in final.get("timings", {}).items()}
        timings["total_s"] = round(seconds, 4)
        timings["framework_s"] = round(max(0.0, seconds - timings.get("llm_s", 0) - timings.get("tools_s", 0)), 4)
        attempts = final.get("attempts", [])
        kind = final.get("plan_kind", "program")
        evidence = list(final.get("evidence", []))
        if final.get("result") is not None:
            evidence.insert(0, {"kind": "program_result", "value": final["result"]})
        return Answer(
            question=question, answer=final.get("answer", "unknown"), explanation=final.get("explanation", ""),
            program=final.get("program", ""), steps=final.get("steps", []), evidence=evidence, timings=timings,
            warnings=final.get("warnings", []), plan_kind=kind, programs_tried=attempts,
            planned_by=final.get("planned_by", {}),
            valid_first_try=bool(attempts) and attempts[0]["error"] is None, repairs=final.get("repairs", 0),
            fallback=kind == "fallback", images=final.get("image_names", []), step_images=dict(ctx.step_images),
            input_images=_input_pictures(ctx),
        )

    # -- as a tool for other agents -----------------------------------------------------
    def as_tool(self) -> dict:
        """The whole reasoner as one OpenAI-style tool: ``{"schema": ..., "function": callable}``."""
        schema = {
            "type": "function",
            "function": {
                "name": "visual_reasoning",
                "description": "Answer a question about one or more images with a visual program; "
                               "returns the answer, an explanation, the program and its evidence.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string", "description": "the question about the images"},
                        "images": {"type": "array", "items": {"type": "string"}, "description": "image file paths"},
                        "kb": {"type": "string", "description": "optional knowledge-base directory"},
                    },
                    "required": ["question", "images"],
                    "additionalProperties": False,
                },
            },
        }

        def call(question: str, images: list[str], kb: str | None = None) -> dict:
            try:
                return self.ask(question, images, kb).to_json()
            except VisreasonError as exc:
                return {"error": exc.to_dict()}

        return {"schema": schema, "function": call}


def _label(name: str, src: ImageLike) -> str:
    return str(src) if isinstance(src, (str, Path)) else name


def _input_pictures(ctx: RunContext) -> dict[str, str]:
    """The question's images for the rationale page (only when pictures are drawn at all)."""
    if not ctx.render_images:
        return {}
    from agent.trace import jpeg_data_url

    seen: dict[int, str] = {}
    out = {}
    for name, img in ctx.images.items():  # LEFT and IMAGE_0 may be one picture: show it once
        if id(img) not in seen:
            seen[id(img)] = name
            out[name] = jpeg_data_url(img)
    return out
