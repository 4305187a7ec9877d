import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from agent.config import BudgetConfig
from agent.errors import (
    ArgumentError,
    BudgetExceeded,
    ProgramSyntaxError,
    ToolExecutionError,
    UndefinedVariableError,
    UnknownModuleError,
    VisreasonError,
)
from agent.program import parse_program
from agent.program.interpreter import Interpreter
from tests.agent.program import toy


def run(text, images=None, budgets=None, **kw):
    ctx = toy.ctx()
    images = images if images is not None else {"IMAGE": toy.colored("red")}
    result = Interpreter(toy.registry(), ctx, budgets or BudgetConfig()).run(text, images, **kw)
    return result, ctx


def test_count_program_and_trace():
    result, ctx = run("BOX0=LOC(image=IMAGE,object='dog')\nANSWER0=COUNT(box=BOX0)\n"
                      "ANSWER1=EVAL(expr=\"'yes' if {ANSWER0} > 1 else 'no'\")\nFINAL_RESULT=RESULT(var=ANSWER1)")
    assert result.result == "yes"
    assert ctx.calls == ["LOC", "COUNT"]
    steps = result.trace.steps
    assert [s.module for s in steps] == ["LOC", "COUNT", "EVAL", "RESULT"]
    assert steps[0].output["labels"] == ["dog", "dog"] and steps[0].picture().startswith(b"\x89PNG")
    assert steps[0].args["image"] == {"var": "IMAGE", "value": "image 64x48"}
    assert steps[1].output == 2
    assert result.variables["ANSWER0"] == 2
    assert result.seconds >= result.tool_seconds >= 0


def test_nlvr_two_images_xor():
    prog = ("ANSWER0=VQA(image=LEFT,question='Is the car red?')\nANSWER1=VQA(image=RIGHT,question='Is the car red?')\n"
            "ANSWER2=EVAL(expr=\"{ANSWER0} xor {ANSWER1}\")\nFINAL_ANSWER=RESULT(var=ANSWER2)")
    both_red = {"LEFT": toy.colored("red"), "RIGHT": toy.colored("red")}
    one_red = {"LEFT": toy.colored("red"), "RIGHT": toy.colored("blue")}
    assert run(prog, both_red)[0].result is False
    assert run(prog, one_red)[0].result is True


def test_region_crop_then_vqa_with_nested_quotes():
    img = Image.new("RGB", (100, 60), (20, 20, 220))
    img.paste((220, 20, 20), (0, 0, 40, 20))  # the "dog" box area is red
    prog = ("BOX0=LOC(image=IMAGE,object='dog')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
            "ANSWER0=VQA(image=IMAGE0,question=\"what's the dog's color?\")\n"
            "ANSWER1=EVAL(expr=\"'{ANSWER0}' == 'red'\")\nFINAL_RESULT=RESULT(var=ANSWER1)")
    result, _ = run(prog, {"IMAGE": img})
    assert result.variables["ANSWER0"] == "red" and result.result is True
    assert result.trace.steps[1].output == {"image": [8, 20]}


def test_alias_and_optional_args():
    result, _ = run("B=LOC(image=IMAGE,object='bus')\nC=FILTER(box=B,labels=['bus'])\nA=ASK(image=IMAGE,question='red?')\n"
                    "N=COUNT(box=C)\nFINAL_RESULT=RESULT(var=N)")
    assert result.result == 3
    assert result.trace.steps[2].module == "VQA"


def test_program_without_result_returns_last_value():
    result, _ = run("B=LOC(image=IMAGE,object='cat')\nN=COUNT(box=B)")
    assert result.result == 1


def test_tool_exception_is_wrapped_with_line_and_partial_trace():
    with pytest.raises(ToolExecutionError) as err:
        run("B=LOC(image=IMAGE,object='cat')\nX=FAIL(image=IMAGE)\nFINAL_RESULT=RESULT(var=X)")
    assert err.value.line == 2 and "FAIL" in err.value.message and "boom" in err.value.message
    trace = err.value.trace
    assert [s.module for s in trace.steps] == ["LOC", "FAIL"] and trace.steps[1].error["type"] == "ToolExecutionError"


def test_visreason_errors_from_tools_keep_their_type_and_get_the_line():
    with pytest.raises(ArgumentError) as err:
        run("A=EVAL(expr='1 / 0')")
    assert err.value.line == 1


def test_step_budget():
    prog = "\n".join(f"B{i}=LOC(image=IMAGE,object='cat')" for i in range(5))
    with pytest.raises(BudgetExceeded) as err:
        run(prog, budgets=BudgetConfig(max_steps=3))
    assert err.value.line == 4


def test_time_budget():
    with pytest.raises(BudgetExceeded, match="time budget") as err:
        run("A=SLOW(seconds=0.05)\nB=SLOW(seconds=0.05)\nC=SLOW(seconds=0.05)", budgets=BudgetConfig(program_seconds=0.01))
    assert err.value.line == 2 and len(err.value.trace.steps) == 1


def test_cancel_before_start():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(BudgetExceeded, match="cancelled"):
        run("A=LOC(image=IMAGE,object='cat')", cancel=cancel)


def test_on_step_callback():
    seen = []
    run("B=LOC(image=IMAGE,object='cat')\nN=COUNT(box=B)", on_step=seen.append)
    assert [s.module for s in seen] == ["LOC", "COUNT"]


def test_accepts_parsed_program():
    result, _ = run(parse_program("B=LOC(image=IMAGE,object='bus')\nN=COUNT(box=B)"))
    assert result.result == 3


ADVERSARIAL_PROGRAMS = [
    ("S=SENTINEL(text='x')\nA=__import__(name='os')", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"__import__('os').system('id')\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"().__class__.__bases__\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"open('/etc/passwd')\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"9**9**9\")", BudgetExceeded),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"(lambda: 1)()\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"[c for c in 'ab']\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"globals()\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"getattr(1, 'real')\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"f'{1}'\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"(x := 1)\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"'abc'[0]\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"{S}.upper()\")", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=S.__class__)", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=exec('1'))", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text='a' + 'b')", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=lambda: 1)", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=[c for c in 'ab'])", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(*['x'])", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(**{'text': 'x'})", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nimport os", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=os.system(cmd='id')", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=f'{S}')", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=(y := 1))", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=S[0])", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\n__A=SENTINEL(text='x')", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text=__builtins__)", ProgramSyntaxError),
    ("S=SENTINEL(text='x')\nA=SYSTEM(cmd='id')", UnknownModuleError),
    ("S=SENTINEL(text='x')\nA=SENTINEL(cmd='id')", ArgumentError),
    ("S=SENTINEL(text='x')\nA=COUNT(box=NOPE)", UndefinedVariableError),
    ("S=SENTINEL(text='x')\nA=EVAL(expr='{NOPE}')", UndefinedVariableError),
    ("S=SENTINEL(text='x')\n" + "A=LOC(image=IMAGE,object='x')\n" * 1_000_000, BudgetExceeded),
    ("S=SENTINEL(text='" + "x" * 5000 + "')", BudgetExceeded),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"" + "-(" * 60 + "1" + ")" * 60 + "\")", BudgetExceeded),
    ("S=SENTINEL(text='x')\nA=EVAL(expr=\"'a' * 10**9\")", BudgetExceeded),
    ("S=SENTINEL(text='x')\nA=SENTINEL(text='x')\nFINAL_RESULT=RESULT(var=A)\nB=SENTINEL(text='y')", ProgramSyntaxError),
]


@pytest.mark.parametrize("prog,error", ADVERSARIAL_PROGRAMS)
def test_adversarial_programs_rejected_without_side_effects(prog, error):
    """Static checks run before any tool: the first-line SENTINEL must never run."""
    ctx = toy.ctx()
    interpreter = Interpreter(toy.registry(), ctx)
    with pytest.raises(error) as err:
        interpreter.run(prog, {"IMAGE": toy.colored("red")})
    assert err.value.message
    if "**" in prog and "EVAL" in prog:
        assert ctx.calls == ["SENTINEL"]  # sizes are known only at run time: refused before computing
    else:
        assert ctx.calls == []


_LINE_TOKENS = st.sampled_from([
    "A", "B0", "IMAGE", "=", "LOC", "VQA", "EVAL", "RESULT", "(", ")", "[", "]", ",", "image", "object", "expr",
    "'dog'", "\"it's\"", "'a'b'", "\\'", "#", "\n", " ", "1", "-", "2.5", "True", "None", "__class__", ".",
    "lambda", ":", "*", "**", "{A}", "xor", "'{A} xor {B0}'", "FINAL_RESULT", "var", "f'", "import",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE_TOKENS, max_size=40).map("".join))
def test_fuzz_programs_only_raise_visreason_errors(text):
    ctx = toy.ctx()
    try:
        Interpreter(toy.registry(), ctx, render_images=False).run(text, {"IMAGE": toy.colored("red", (8, 8))})
    except VisreasonError:
        pass
    assert "SENTINEL" not in ctx.calls


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_parser_arbitrary_text(text):
    try:
        parse_program(text)
    except VisreasonError:
        pass
