"""EVAL refuses, before computing, anything whose result would be huge (issue 9 item 7).

Each case is measured: it must fail with a typed error, quickly, and without allocating more than a
few megabytes (tracemalloc's peak), so "refused before computing" is checked, not assumed.
"""

import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import VisreasonError
from agent.program.interpreter import Interpreter
from tests.agent.program.toy import ctx, registry
from tools.expr import MAX_INT_BITS, MAX_STRING_CHARS, evaluate

PEAK_BYTES = 8_000_000
BIG_TEXT = "x" * MAX_STRING_CHARS
V = {"N": 3, "S": "3", "BIG": BIG_TEXT, "HALF": "y" * (MAX_STRING_CHARS // 2), "FMT": "%1000000000d",
     "HUGE": 2 ** (MAX_INT_BITS - 8), "F": 1e308, "ANSWER0": "yes"}


def measured(expr: str, variables=V):
    """(result or error, seconds, peak bytes) of one evaluation."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = evaluate(expr, variables)
    except VisreasonError as exc:
        out = exc
    finally:
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return out, seconds, peak


LARGE = [
    "'%1000000000d' % 1",           # the reproduction: a 1 GB string from printf width
    "'%.1000000000f' % 1.0",
    "'%0999999999x' % 255",
    "'%*d' % 1",
    "'%s' % {BIG}",
    "{FMT} % 1",                    # the format string from a variable (e.g. OCR text)
    "'{FMT}' % {N}",
    "{BIG} % {N}",
    "'ab' * 10**9",
    "{BIG} * 2",
    "2 * {BIG}",
    "{HALF} * 3",
    "{BIG} + {BIG}",
    "{BIG} + 'x'",
    "'{BIG}{BIG}'",
    "'{BIG}' + {N}",
    "{HUGE} * {HUGE}",
    "{HUGE} ** 2",
    "2 ** 5000",
    "9 ** 9 ** 9",
    "(-3) ** 100000",
    "2.0 ** 100000",
    "{F} * {F} ** 2",
    "10 ** 400 / 3 ** -500",
    "{HUGE} / 10 ** -300",
    "1 << 10 ** 9",
    "1 >> 1",
    "{BIG} & 1",
    "{N} | 1",
    "~{N}",
    "{N} @ {N}",
    # string methods, format() and f-strings are not reachable: calls, attributes and f-strings are refused
    "{S}.ljust(10**9)",
    "'x'.center(10**9)",
    "'1'.zfill(999999999)",
    "'a'.replace('a', {BIG})",
    "''.join(['a'] * 10**9)",
    "format(1, '1000000000')",
    "f'{1:>999999999}'",
    "'{}'.format(1)",
    "str(10**5000)",
]


@pytest.mark.parametrize("expr", ["'{N:>1000000000}'", "'{0:1000000000}'", "'%(N)1000000000d'"])
def test_format_specs_in_text_stay_literal_text(expr):
    out, seconds, peak = measured(expr)
    assert out == expr[1:-1] and seconds < 0.5 and peak < PEAK_BYTES


@pytest.mark.parametrize("expr", LARGE)
def test_large_results_are_refused_fast_with_little_memory(expr):
    out, seconds, peak = measured(expr)
    assert isinstance(out, VisreasonError), f"{expr!r} gave {str(out)[:80]!r}"
    assert out.message and seconds < 0.5 and peak < PEAK_BYTES, (expr, seconds, peak)


def test_percent_on_numbers_still_works_and_text_concatenation_is_the_way_to_format():
    assert evaluate("{N} % 2", V) == 1 and evaluate("'10' % 4", V) == 2
    assert evaluate("'count: ' + {N}", V) == "count: 3"
    assert evaluate("{HALF} + {HALF}", V) == "y" * MAX_STRING_CHARS  # exactly at the limit is fine


def test_reproduction_through_the_interpreter_names_the_line():
    program = "B=LOC(image=IMAGE,object='cat')\nA=EVAL(expr=\"'%1000000000d' % 1\")\nFINAL_RESULT=RESULT(var=A)"
    from tests.agent.program.toy import colored

    t0 = time.perf_counter()
    with pytest.raises(VisreasonError) as err:
        Interpreter(registry(), ctx()).run(program, {"IMAGE": colored("red")})
    assert err.value.line == 2 and "%" in err.value.message
    assert time.perf_counter() - t0 < 2


_ATOMS = st.sampled_from([
    "{N}", "{S}", "{BIG}", "{HALF}", "{FMT}", "'{FMT}'", "{HUGE}", "{F}", "{ANSWER0}", "'%d'", "'%s%s'",
    "'%1000000000d'", "'%.999999999f'", "'ab'", "''", "10**9", "2**2000", "-2**2000", "10**300", "1e308", "-1e308",
    "0", "0.0", "1", "-1", "True", "None", "[1, 2]", "['a'] ", "9999", "4096", "1000", "0.5", "-0.5",
])
_OPS = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "xor", "==", "<", "in",
                        "and", "or", "if 1 else"])


@st.composite
def _expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(_ATOMS)
    left, right = draw(_expressions(depth=depth - 1)), draw(_expressions(depth=depth - 1))
    text = f"{left} {draw(_OPS)} {right}"
    return f"({text})" if draw(st.booleans()) else text


@settings(max_examples=400, deadline=None)
@given(_expressions())
def test_fuzz_operators_with_large_operands_stay_bounded(expr):
    out, seconds, peak = measured(expr)
    assert seconds < 1.0 and peak < PEAK_BYTES, (expr, seconds, peak)
    if isinstance(out, str):
        assert len(out) <= MAX_STRING_CHARS
    elif isinstance(out, int):
        assert out.bit_length() <= MAX_INT_BITS + 64
