"""Ray engine: one reasoner per actor (models load once per actor), the driver writes the results.

Only the driver touches the output file, so the durability and resume guarantees are those
of the local engine. Each actor works through one image group at a time (its own tool cache
stays warm) and has at most one task in flight, so a finished task is written at once. An
actor that dies (a crash in native model code, OOM) turns its in-flight item into an error
record and is replaced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.batch.work import GroupScheduler, ReasonerFactory, build_reasoner, error_record, run_task
from agent.errors import ConfigError

MAX_ACTOR_REPLACEMENTS = 3
_REPO_ROOT = str(Path(__file__).resolve().parents[2])


class ReasonerActor:
    """The actor body (wrapped by ``ray.remote`` at run time so Ray stays an optional import)."""

    def __init__(self, factory: str | ReasonerFactory, config: Any, include_steps: bool, default_kb: str | None):
        self.reasoner = build_reasoner(factory, config)
        self.include_steps = include_steps
        self.default_kb = default_kb

    def ready(self) -> bool:
        return True

    def run(self, task: dict) -> dict:
        return run_task(self.reasoner, task, include_steps=self.include_steps, default_kb=self.default_kb)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("the Ray engine needs Ray, which is not installed",
                          hint='pip install "ray[default]", or use --engine local') from None
    return ray


def _worker_env() -> dict:
    # Actors must import this package and the factory's module; the project may not be
    # installed, so hand them the driver's import roots.
    paths = [_REPO_ROOT, os.getcwd()]
    existing = os.environ.get("PYTHONPATH", "")
    return {"env_vars": {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths + ([existing] if existing else [])))}}


def run_ray(
    factory: str | ReasonerFactory,
    config: Any,
    groups: list[list[dict]],
    on_result: Callable[[dict], None],
    *,
    workers: int = 2,
    include_steps: bool = False,
    default_kb: str | None = None,
    address: str | None = None,
) -> None:
    """Run every task on ``workers`` Ray actors, calling ``on_result(record)`` in the driver.

    Uses the running Ray instance if there is one, else connects to ``address`` (or starts a
    local one, shut down at the end).
    """
    ray = _import_ray()
    started = False
    if not ray.is_initialized():
        try:
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # noqa: BLE001 - Ray raises many types for a bad address
            raise ConfigError(f"cannot start or reach Ray{f' at {address}' if address else ''}: {exc}") from None
        started = True
    try:
        _drive(ray, factory, config, groups, on_result, workers=workers,
               include_steps=include_steps, default_kb=default_kb)
    finally:
        if started:
            ray.shutdown()


def _drive(ray: Any, factory: Any, config: Any, groups: list[list[dict]], on_result: Callable[[dict], None], *,
           workers: int, include_steps: bool, default_kb: str | None) -> None:
    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(ReasonerActor)
    cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
    n = max(1, min(int(workers), cpus))  # more actors than CPUs would wait for resources forever
    env = _worker_env()

    def spawn() -> Any:
        actor = actor_cls.options(runtime_env=env).remote(factory, config, include_steps, default_kb)
        try:
            ray.get(actor.ready.remote())
        except Exception as exc:  # noqa: BLE001 - the reasoner could not be built in the actor
            cause = getattr(exc, "cause", None) or exc
            raise ConfigError(f"a Ray actor could not build the reasoner: {type(cause).__name__}: {cause}") from None
        return actor

    actors = {i: spawn() for i in range(n)}
    scheduler = GroupScheduler(groups)
    inflight: dict[Any, tuple[int, dict]] = {}  # object ref -> (actor slot, task)
    replacements = 0

    def feed(slot: int) -> None:
        task = scheduler.next_for(slot)
        if task is not None:
            inflight[actors[slot].run.remote(task)] = (slot, task)

    try:
        for slot in actors:
            feed(slot)
        while inflight:
            ready, _ = ray.wait(list(inflight), num_returns=1)
            slot, task = inflight.pop(ready[0])
            try:
                record = ray.get(ready[0])
            except ray.exceptions.RayActorError as exc:
                record = error_record(task["id"], {"type": "WorkerDied", "message": f"the Ray actor died: {exc}",
                                                   "line": None, "hint": "see the Ray logs"}, include_steps=include_steps,
                                      line=task.get("line"), input_hash=task.get("input_hash", ""))
                replacements += 1
                if replacements > MAX_ACTOR_REPLACEMENTS:
                    on_result(record)
                    raise ConfigError(f"Ray actors died {replacements} times; giving up",
                                      hint="see the Ray logs (ray logs) for the cause") from None
                actors[slot] = spawn()
            except ray.exceptions.RayError as exc:
                record = error_record(task["id"], {"type": type(exc).__name__, "message": str(exc), "line": None,
                                                   "hint": "see the Ray logs"}, include_steps=include_steps,
                                      line=task.get("line"), input_hash=task.get("input_hash", ""))
            on_result(record)
            feed(slot)
    finally:
        for actor in actors.values():  # also ends tasks still in flight after an error or Ctrl-C
            ray.kill(actor)
