"""Scripted batch reasoning: many questions from a JSONL file, durable results, resumable.

Entry point: ``run_batch(input, out, ...)`` (``visreason batch``). Engines: local threads
sharing one reasoner (``runner``) or Ray actors (``ray_engine``).
"""

from agent.batch.io import ResultWriter, read_results
from agent.batch.items import BatchItem, InputProblem, read_gold, read_items
from agent.batch.job import BatchSummary, run_batch
from agent.batch.work import DEFAULT_REASONER_FACTORY, GroupScheduler, build_reasoner, resolve_factory, run_task

__all__ = [
    "DEFAULT_REASONER_FACTORY", "BatchItem", "build_reasoner", "BatchSummary", "GroupScheduler", "InputProblem", "ResultWriter",
    "read_gold", "read_items", "read_results", "resolve_factory", "run_batch", "run_task",
]
