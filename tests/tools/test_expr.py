import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import BudgetExceeded, ProgramSyntaxError, UndefinedVariableError, VisreasonError
from tools.expr import evaluate, referenced_variables, truthy

V = {"ANSWER0": "yes", "ANSWER1": "no", "N": 3, "S": "3", "ZERO": 0, "T": True, "COLOR": "Red", "F": 2.5}


@pytest.mark.parametrize("expr,expected", [
    ("'yes' if {N} > 0 else 'no'", "yes"),
    ("'yes' if {ZERO} > 0 else 'no'", "no"),
    ("{ANSWER0} xor {ANSWER1}", True),
    ("{ANSWER0} xor {ANSWER0}", False),
    ("{N} == 3 xor {S} == 3", False),
    ("'yes' if {ANSWER0} xor {ANSWER1} else 'no'", "yes"),
    ("({ANSWER0} xor {ANSWER1}) and {T}", True),
    ("'{ANSWER0}' == 'yes'", True),
    ("\"{ANSWER1}\" == 'yes'", False),
    ("{ANSWER0} == True", True),
    ("{T} == 'yes'", True),
    ("{ANSWER0} and {ANSWER1}", False),
    ("{ANSWER0} or {ANSWER1}", True),
    ("not {ANSWER1}", True),
    ("{N} + {S}", 6),
    ("{S} * 2", 6),
    ("{N} / 2", 1.5),
    ("{N} // 2", 1),
    ("{N} % 2", 1),
    ("2 ** {N}", 8),
    ("-{N}", -3),
    ("1 < {N} <= 3", True),
    ("1 < {N} < 3", False),
    ("{F} >= 2.5", True),
    ("'{COLOR}' == 'red'", True),
    ("'the {COLOR} car'", "the Red car"),
    ("'red' in '{COLOR} car'", True),
    ("{COLOR} in ['red', 'blue']", True),
    ("{COLOR} not in ['green']", True),
    ("'ab' + 'cd'", "abcd"),
    ("'count: ' + {N}", "count: 3"),
    ("ANSWER0 == 'yes'", True),  # bare variable name
    ("None", None),
    ("yes and no", False),  # VisProg-formatted unquoted answers
])
def test_visprog_expressions(expr, expected):
    assert evaluate(expr, V) == expected


def test_referenced_variables():
    assert referenced_variables("{A} + '{B}' + { A }") == ["A", "B"]


def test_truthy():
    assert truthy("Yes ") and not truthy("no") and not truthy("") and truthy("a red car") and not truthy(0)


def test_undefined_reference():
    with pytest.raises(UndefinedVariableError):
        evaluate("{MISSING} + 1", V)
    with pytest.raises(UndefinedVariableError):
        evaluate("missing + 1", V)


ADVERSARIAL = [
    "__import__('os').system('echo hacked')",
    "().__class__.__bases__[0].__subclasses__()",
    "{ANSWER0}.__class__",
    "{ANSWER0}.upper()",
    "open('/etc/passwd').read()",
    "getattr({ANSWER0}, '__class__')",
    "globals()",
    "locals()['x']",
    "lambda: 1",
    "(lambda x: x)(1)",
    "[x for x in range(10)]",
    "{x for x in 'ab'}",
    "{'a': 1}",
    "{1, 2}",
    "(x for x in 'ab')",
    "f'{1+1}'",
    "rf'{N}'",
    "b'bytes'",
    "(y := 1)",
    "*[1, 2]",
    "'abc'[0]",
    "{ANSWER0}[0:1]",
    "len('abc')",
    "print(1)",
    "exec('1')",
    "eval('1')",
    "9**9**9",
    "2**100000",
    "10**10**10",
    "'a' * 10**9",
    "'a' * 100000",
    "999999999999999 * 999999999999999 ** 500",
    "1 / 0",
    "{N} % 0",
    "(" * 300 + "1" + ")" * 300,
    "-" * 1500 + "1",
    "not " * 400 + "1",
    "1 + " * 400 + "1",
    "'x' * 5000 + 'y' * 6000",
    "a if b",
    "1 +",
    "_v0",
    "__builtins__",
    "{__class__}",
    "{ANSWER0} is None",
    "1 << 1000",
    "1 & 1",
    "yield 1",
    "await x",
    "{N} + {ANSWER0}.__len__()",
    "'\\x00' - 1",
    "import os",
    "x = 1",
    "x" * 3000,
]


@pytest.mark.parametrize("expr", ADVERSARIAL)
def test_adversarial_expressions_are_rejected_with_typed_errors(expr):
    with pytest.raises(VisreasonError) as err:
        evaluate(expr, V)
    assert err.value.message


def test_huge_power_is_refused_before_computing():
    with pytest.raises(BudgetExceeded):
        evaluate("9**9**9", {})


def test_disallowed_nodes_are_syntax_errors():
    for expr in ("().__class__", "(lambda: 1)()", "[x for x in 'a']"):
        with pytest.raises(ProgramSyntaxError):
            evaluate(expr, V)


_TOKENS = st.sampled_from([
    "{ANSWER0}", "{N}", "{S}", "'{COLOR}'", "xor", "and", "or", "not", "if", "else", "(", ")", "[", "]", ",",
    "+", "-", "*", "**", "/", "//", "%", "==", "!=", "<", ">=", "in", "'yes'", "'no'", "1", "0", "2.5", "True",
    "None", "{", "}", ".", "__class__", "lambda", ":", "'", '"', "\\", "f'", "{MISSING}", "9", "ANSWER0", "x",
    "'%999999999d'", "'%.99999999f'", "'%s'", "<<", ">>", "10**9", "'ab'*5000", "9**999", "1e308",  # large operands
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=25).map(" ".join))
def test_fuzz_token_soup_only_raises_visreason_errors(expr):
    try:
        evaluate(expr, V)
    except VisreasonError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_text_only_raises_visreason_errors(expr):
    try:
        evaluate(expr, V)
    except VisreasonError:
        pass
