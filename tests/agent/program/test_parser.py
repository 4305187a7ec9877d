import pytest

from agent.errors import (
    ArgumentError,
    BudgetExceeded,
    ProgramSyntaxError,
    UndefinedVariableError,
    UnknownModuleError,
    VisreasonError,
)
from agent.program import ProgramLimits, Var, check_program, parse_program
from tests.agent.program import toy

NLVR = """ANSWER0=VQA(image=LEFT,question='Is there a red car?')
ANSWER1=VQA(image=RIGHT,question='Is there a red car?')
ANSWER2=EVAL(expr="{ANSWER0} xor {ANSWER1}")
FINAL_ANSWER=RESULT(var=ANSWER2)
"""


def test_parses_visprog_program():
    prog = parse_program("BOX0=LOC(image=IMAGE,object='bus')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)")
    assert [s.module for s in prog.steps] == ["LOC", "COUNT", "RESULT"]
    assert prog.steps[0].args == {"image": Var("IMAGE"), "object": "bus"}
    assert prog.steps[1].line == 2
    assert prog.result_var == "FINAL_RESULT"


def test_nlvr_two_images_and_final_answer():
    prog = parse_program(NLVR)
    assert prog.result_var == "FINAL_ANSWER"
    assert prog.steps[2].args["expr"] == "{ANSWER0} xor {ANSWER1}"
    check_program(prog, toy.registry(), inputs=["LEFT", "RIGHT"])


def test_blank_lines_comments_trailing_spaces_and_arg_case():
    prog = parse_program("\n# find the dog\n  BOX0=LOC(Image=IMAGE, object='dog')   \n\nFINAL_RESULT=RESULT(var=BOX0)  # done\n")
    assert prog.steps[0].line == 3 and prog.steps[0].args["Image"] == Var("IMAGE")
    check_program(prog, toy.registry())


@pytest.mark.parametrize("line,expected", [
    (r"A=VQA(image=IMAGE,question='what is the man\'s shirt color?')", "what is the man's shirt color?"),
    ("A=VQA(image=IMAGE,question=\"what is the man's shirt color?\")", "what is the man's shirt color?"),
    ("A=VQA(image=IMAGE,question='the man's shirt')", "the man's shirt"),
    ("A=VQA(question='it's the man's, isn't it?',image=IMAGE)", "it's the man's, isn't it?"),
])
def test_quotes_and_sloppy_apostrophes(line, expected):
    step = parse_program(line).steps[0]
    assert step.args["question"] == expected


def test_literals_lists_negative_numbers():
    step = parse_program("B=FILTER(box=BOX0,min_score=-0.5,labels=['a', 'b'],mode=None)").steps[0]
    assert step.args == {"box": Var("BOX0"), "min_score": -0.5, "labels": ["a", "b"], "mode": None}


def test_images_numbered():
    prog = parse_program("A=VQA(image=IMAGE_1,question='q')\nFINAL_RESULT=RESULT(var=A)")
    check_program(prog, toy.registry(), inputs=["IMAGE_0", "IMAGE_1"])


def test_unknown_module_lists_allowed():
    prog = parse_program("BOX0=DETECT(image=IMAGE,object='x')")
    with pytest.raises(UnknownModuleError) as err:
        check_program(prog, toy.registry())
    assert err.value.line == 1 and "LOC" in err.value.hint


def test_unknown_argument_lists_allowed():
    prog = parse_program("\nBOX0=LOC(image=IMAGE,obj='x')")
    with pytest.raises(ArgumentError) as err:
        check_program(prog, toy.registry())
    assert err.value.line == 2 and "object" in err.value.hint


def test_missing_argument_and_wrong_kind():
    with pytest.raises(ArgumentError, match="missing"):
        check_program(parse_program("B=LOC(image=IMAGE)"), toy.registry())
    with pytest.raises(ArgumentError, match="detections"):
        check_program(parse_program("A=VQA(image=IMAGE,question='q')\nB=COUNT(box=A)"), toy.registry())
    with pytest.raises(ArgumentError, match="not a literal"):
        check_program(parse_program("B=LOC(image='IMAGE',object='x')"), toy.registry())


def test_undefined_variable_static():
    with pytest.raises(UndefinedVariableError) as err:
        check_program(parse_program("B=LOC(image=IMAGE,object='x')\nC=COUNT(box=BOX9)"), toy.registry())
    assert err.value.line == 2 and "BOX9" in err.value.message and "B" in err.value.hint
    with pytest.raises(UndefinedVariableError):
        check_program(parse_program("A=EVAL(expr='{NOPE} + 1')"), toy.registry())
    with pytest.raises(UndefinedVariableError):
        check_program(parse_program("A=VQA(image=LEFT,question='q')"), toy.registry(), inputs=["IMAGE"])


@pytest.mark.parametrize("text", [
    "BOX0 = LOC(IMAGE, 'x')",  # positional
    "BOX0, B = LOC(image=IMAGE)",
    "LOC(image=IMAGE)",
    "B=obj.method(x=1)",
    "B=LOC(image=IMAGE.copy)",
    "B=LOC(**kw)",
    "B=LOC(image=f(x))",
    "B=LOC(object=b'x')",
    "B=LOC(object=1+2)",
    "B=LOC(object=[X])",
    "__B=LOC(image=IMAGE)",
    "B=__import__(name='os')",
    "B=LOC(__class__=1)",
    "import os",
    "B=LOC(image=IMAGE); C=LOC(image=IMAGE)",
    "B=LOC(image=IMAGE",
    "if x: B=1",
    "B=LOC(image=IMAGE)\nFINAL_RESULT=RESULT(var=B)\nC=LOC(image=IMAGE)",
    "",
    "   \n# only a comment",
])
def test_rejects_bad_syntax(text):
    with pytest.raises(ProgramSyntaxError) as err:
        parse_program(text)
    assert err.value.hint


def test_duplicate_argument():
    with pytest.raises(ArgumentError):
        parse_program("B=LOC(image=IMAGE,Image=IMAGE)")


@pytest.mark.parametrize("text", [
    "A=LOC(object='x')\n" * 300,
    "A=LOC(object='" + "x" * 30_000 + "')",
    "A=LOC(object='" + "x" * 3_000 + "')",
    "A=LOC(object=" + "[" * 10 + "]" * 10 + ")",
    "A=LOC(object=[" + ",".join(["'a'"] * 100) + "])",
    "\n" * 1_000_000,
])
def test_limits(text):
    with pytest.raises(BudgetExceeded):
        parse_program(text)


def test_custom_limits():
    with pytest.raises(BudgetExceeded):
        parse_program("A=LOC(object='x')\nB=LOC(object='y')", ProgramLimits(max_lines=1))


def test_errors_are_llm_friendly():
    with pytest.raises(VisreasonError) as err:
        parse_program("B=LOC(image=IMAGE,object='x'\nFINAL_RESULT=RESULT(var=B)")
    text = err.value.for_llm()
    assert "line 1" in text and "OUT=MODULE" in text
