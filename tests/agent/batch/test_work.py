from agent.batch.work import GroupScheduler, build_reasoner, resolve_factory, run_task
from agent.errors import ImageError


def _groups():
    return [[{"id": f"{g}{i}"} for i in range(n)] for g, n in (("a", 3), ("b", 2))]


def test_a_worker_keeps_its_group_and_idle_workers_steal_only_warm_groups():
    s = GroupScheduler(_groups())
    assert s.next_for(0)["id"] == "a0"
    assert s.next_for(1)["id"] == "b0"
    assert s.next_for(1)["id"] == "b1"
    # b is done and nothing is pending; a's owner has not finished a0 yet: nothing to steal.
    assert s.next_for(1) is None
    assert s.next_for(0)["id"] == "a1"  # a is warm now
    assert s.next_for(1)["id"] == "a2"  # stolen from the end
    assert s.next_for(0) is None and s.remaining() == 0


class _Boom:
    def ask(self, question, images, kb=None):
        if question == "img":
            raise ImageError("x.png: no such file")
        raise RuntimeError("kaput")


def test_run_task_turns_failures_into_error_records():
    task = {"id": "1", "question": "img", "images": "x.png", "kb": None}
    rec = run_task(_Boom(), task)
    assert rec["error"]["type"] == "ImageError" and rec["answer"] is None
    rec = run_task(_Boom(), {**task, "question": "other"}, include_steps=True)
    assert rec["error"]["type"] == "RuntimeError" and rec["error"]["message"] == "kaput" and rec["steps"] == []


def test_resolve_factory_accepts_callables_and_import_paths():
    assert resolve_factory(dict) is dict
    assert resolve_factory("tests.agent.batch.standin:StandInReasoner").__name__ == "StandInReasoner"


class _Warm:
    def __init__(self, config):
        self.config, self.warm = config, False

    def warm_up(self):
        self.warm = True


def test_build_reasoner_loads_models_up_front_when_it_can():
    reasoner = build_reasoner(_Warm, "cfg")
    assert reasoner.config == "cfg" and reasoner.warm


def test_batch_config_gives_every_worker_a_kv_sequence_and_never_lowers_it():
    from agent.batch.work import AUX_SEQUENCES, batch_config
    from agent.config import Config

    cfg = Config()
    assert batch_config(cfg, 4).llm.sequences == 4 + AUX_SEQUENCES
    many = cfg.replace(**{"llm.sequences": 9})
    assert batch_config(many, 2) is many
    assert batch_config("not a config", 4) == "not a config"
