import pytest

from agent.errors import ArgumentError, UndefinedVariableError
from tools.logic import LOGIC_TOOLS, program_variables
from tools.registry import ToolRegistry


def test_schemas():
    reg = ToolRegistry(LOGIC_TOOLS)
    assert reg.names == ["EVAL", "RESULT"]
    params = reg.get("EVAL").json_schema()["function"]["parameters"]
    assert params["properties"]["expr"]["type"] == "string" and params["required"] == ["expr"]
    assert reg.get("RESULT").param_names == ["var"]


def test_eval_sees_program_variables_only_inside_the_block():
    reg = ToolRegistry(LOGIC_TOOLS)
    with program_variables({"ANSWER0": "yes", "N": 2}):
        assert reg.call("EVAL", None, expr="{ANSWER0} and {N} > 1") is True
    with pytest.raises(UndefinedVariableError):
        reg.call("EVAL", None, expr="{ANSWER0}")
    assert reg.call("EVAL", None, expr="1 + 2") == 3


def test_result_passes_value_through():
    reg = ToolRegistry(LOGIC_TOOLS)
    assert reg.call("RESULT", None, var=[1, "a"]) == [1, "a"]


def test_eval_requires_string():
    with pytest.raises(ArgumentError):
        ToolRegistry(LOGIC_TOOLS).call("EVAL", None, expr=["x"])
