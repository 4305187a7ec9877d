"""VisProg parity: VisProg's own programs, written as VisProg writes them, run here.

The example programs come from allenai/visprog's prompt files (tests/agent/program/visprog_programs.py
lists them as data). Tests of the four task families run them on the sample photos.
"""

from __future__ import annotations

import pytest

from agent.errors import ArgumentError
from agent.program.expr import evaluate
from tools.describe import FactAnswer


@pytest.mark.parametrize(("expr", "variables", "message"), [
    ("{ANSWER0} >= 2", {"ANSWER0": FactAnswer("unknown")}, "ANSWER0 is 'unknown', not a number"),
    ("{ANSWER0} + {ANSWER1} == 1", {"ANSWER0": FactAnswer("1"), "ANSWER1": FactAnswer("unknown")},
     "ANSWER1 is 'unknown', not a number"),
    ("ANSWER0 - 1", {"ANSWER0": "unknown"}, "ANSWER0 is 'unknown', not a number"),
])
def test_eval_on_an_unknown_answer_names_the_variable(expr, variables, message):
    with pytest.raises(ArgumentError) as err:
        evaluate(expr, variables)
    assert message in err.value.message
    assert "FactAnswer" not in err.value.message and "str" not in err.value.message.split("EVAL:")[1].split()[0]


def test_eval_still_joins_text_and_compares_numbers():
    assert evaluate("'count: ' + {ANSWER0}", {"ANSWER0": 3}) == "count: 3"
    assert evaluate("{ANSWER0} + {ANSWER1} == 1", {"ANSWER0": FactAnswer("1"), "ANSWER1": FactAnswer("0")}) is True
    assert evaluate("{ANSWER0} == 2 and {ANSWER1}", {"ANSWER0": "unknown", "ANSWER1": "yes"}) is False
