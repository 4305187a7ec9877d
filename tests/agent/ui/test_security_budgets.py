"""Issue 9, item 8: budgets from callers are clamped to the operator's ceilings."""

from __future__ import annotations

import pytest

from agent.config import Config
from agent.errors import ConfigError
from agent.ui.policy import AppPolicy
from agent.ui.settings import settings_to_config
from tests.agent.ui.controller_kit import Kit

HUGE = {"max_steps": 10**9, "max_turns": 10**6, "agent_seconds": 1e12}


def test_huge_budgets_from_a_visitor_are_clamped_to_the_operator_values(tmp_path):
    kit = Kit(tmp_path)
    try:
        assert kit.ask(HUGE).startswith("**Answer:")
    finally:
        kit.close()
    budgets = kit.built[-1].budgets
    base = kit.base.budgets
    assert (budgets.max_steps, budgets.max_turns, budgets.agent_seconds) == (
        base.max_steps, base.max_turns, base.agent_seconds)


def test_the_ui_section_sets_higher_ceilings_and_smaller_values_pass():
    base = Config().replace(**{"ui.max_steps": 100, "ui.max_turns": 8, "ui.agent_seconds": 600})
    cfg, _ = settings_to_config(base, HUGE, AppPolicy.from_config(base))
    assert (cfg.budgets.max_steps, cfg.budgets.max_turns, cfg.budgets.agent_seconds) == (100, 8, 600.0)
    cfg, _ = settings_to_config(base, {"max_steps": 3, "max_turns": 1, "agent_seconds": 2.5})
    assert (cfg.budgets.max_steps, cfg.budgets.max_turns, cfg.budgets.agent_seconds) == (3, 1, 2.5)


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), -1, 0, "1e999", "lots"])
def test_non_finite_or_non_positive_budgets_are_refused(bad):
    with pytest.raises(ConfigError):
        settings_to_config(Config(), {"agent_seconds": bad})
