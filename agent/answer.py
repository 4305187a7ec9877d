"""What the agent returns: a short scored answer plus everything that justifies it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Answer:
    question: str
    answer: str  # normalised short answer used for scoring: "3", "yes", "red"
    explanation: str = ""  # user-facing sentence(s) from the refiner
    program: str = ""  # the last program that ran (empty for chain-of-thought plans)
    steps: list[dict] = field(default_factory=list)  # StepTrace dicts, in execution order
    evidence: list[dict] = field(default_factory=list)  # facts, sub-answers, retrieved items with citations
    timings: dict[str, float] = field(default_factory=dict)  # llm_s, tools_s, framework_s, total_s
    warnings: list[str] = field(default_factory=list)  # fallbacks, budget stops, low confidence
    plan_kind: str = "program"  # program | cot | fallback
    planned_by: dict = field(default_factory=dict)  # {"source": "memory"|"llm"|"cache", "template", "similarity"}
    programs_tried: list[dict] = field(default_factory=list)  # {"program", "error"} per attempt
    valid_first_try: bool = True
    repairs: int = 0
    fallback: bool = False
    images: list[str] = field(default_factory=list)  # names of the input images (IMAGE, LEFT, ...)
    step_images: dict[int, str] = field(default_factory=dict)  # step index -> PNG data URL (not in JSON by default)
    input_images: dict[str, str] = field(default_factory=dict)  # image name -> JPEG data URL (not in JSON by default)

    def to_json(self, *, include_images: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not include_images:
            data.pop("step_images")
            data.pop("input_images")
        return data

    def dumps(self, **kw: Any) -> str:
        return json.dumps(self.to_json(**kw), ensure_ascii=False, default=str)

    def to_html(self) -> str:
        from agent.answer_html import answer_to_html

        return answer_to_html(self)
