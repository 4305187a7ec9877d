"""The program grammar, checked by translating its (non-recursive) GBNF into a Python regex."""

import re

import pytest

from agent.program import check_program, parse_program
from tests.agent.program import toy
from tools.grammar import program_grammar, rule_names

_TOKEN = re.compile(r'\s*("(?:\\.|[^"\\])*"|\[(?:\\.|[^\]\\])*\]|[a-z0-9-]+|\{\d+,\d*\}|[()|*+?])')


def gbnf_to_regex(grammar: str, rule: str = "root") -> str:
    """Inline every rule reference; literals are escaped, char classes and operators kept."""
    rules = dict(re.findall(r"^([a-z0-9-]+) ::= (.*)$", grammar, flags=re.M))

    def convert(name: str, depth: int = 0) -> str:
        assert depth < 20, "grammar is unexpectedly recursive"
        body, out, pos = rules[name], [], 0
        while pos < len(body):
            m = _TOKEN.match(body, pos)
            assert m, f"cannot read rule {name!r} at {body[pos:]!r}"
            tok, pos = m.group(1), m.end()
            if tok.startswith('"'):
                text = tok[1:-1].encode().decode("unicode_escape")
                out.append(re.escape(text))
            elif tok.startswith("[") or tok in "()|*+?" or tok.startswith("{"):
                out.append("(?:" if tok == "(" else tok)
            else:
                out.append("(?:" + convert(tok, depth + 1) + ")")
        return "".join(out)

    return convert(rule)


@pytest.fixture(scope="module")
def matcher():
    grammar = program_grammar(toy.registry(), image_vars=("IMAGE", "LEFT", "RIGHT"), max_lines=6)
    return re.compile(gbnf_to_regex(grammar), flags=re.S)


GOOD = [
    "BOX0=LOC(image=IMAGE,object='dog')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)",
    "ANSWER0=VQA(image=LEFT,question='Is the car red?')\nANSWER1=VQA(image=RIGHT,question='Is the car red?')\n"
    "ANSWER2=EVAL(expr=\"{ANSWER0} xor {ANSWER1}\")\nFINAL_ANSWER=RESULT(var=ANSWER2)\n",
    "BOX0=LOC(image=IMAGE,object='dog')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
    "ANSWER0=VQA(image=IMAGE0,question='what is the dog\\'s color?')\nFINAL_RESULT=RESULT(var=ANSWER0)",
    "BOX0=LOC(image=IMAGE,object='bus')\nBOX1=FILTER(box=BOX0, labels=['bus', \"car\"])\n"
    "BOX2=FILTER(box=BOX1,min_score=0.25,mode='any')\nN=COUNT(box=BOX2)\nFINAL_RESULT=RESULT(var=N)",
    "S=SENTINEL()\nFINAL_RESULT=RESULT(var=S)",
    "A=SLOW(seconds=-1)\nFINAL_RESULT=RESULT(var=A)",
]

BAD = [
    "BOX0=DETECT(image=IMAGE,object='dog')\nFINAL_RESULT=RESULT(var=BOX0)",  # unknown module
    "BOX0=LOC(image=IMAGE,obj='dog')\nFINAL_RESULT=RESULT(var=BOX0)",  # unknown argument
    "BOX0=LOC(object='dog',image=IMAGE)\nFINAL_RESULT=RESULT(var=BOX0)",  # order
    "BOX0=LOC(image='IMAGE',object='dog')\nFINAL_RESULT=RESULT(var=BOX0)",  # literal for an image
    "BOX0=LOC(image=IMAGE,object=dog)\nFINAL_RESULT=RESULT(var=BOX0)",  # unquoted string
    "BOX0=LOC(image=IMAGE,object='dog')",  # no RESULT
    "BOX0=LOC(image=IMAGE,object='dog')\nFINAL_RESULT=RESULT(var=BOX0)\nX=COUNT(box=BOX0)\n",
    "A=EVAL(expr=__import__('os'))\nFINAL_RESULT=RESULT(var=A)",
    "A=SLOW(seconds='1')\nFINAL_RESULT=RESULT(var=A)",
    "S=SENTINEL(,text='x')\nFINAL_RESULT=RESULT(var=S)",
    "A=LOC(image=IMAGE,object='multi\nline')\nFINAL_RESULT=RESULT(var=A)",
    "\n".join(["A=SENTINEL()"] * 7) + "\nFINAL_RESULT=RESULT(var=A)",  # more than max_lines steps
]


@pytest.mark.parametrize("program", GOOD)
def test_grammar_accepts_valid_programs_which_also_parse(program, matcher):
    assert matcher.fullmatch(program)
    check_program(parse_program(program), toy.registry(), inputs=["IMAGE", "LEFT", "RIGHT"])


@pytest.mark.parametrize("program", BAD)
def test_grammar_rejects_invalid_programs(program, matcher):
    assert not matcher.fullmatch(program)


def test_rules_are_defined_once_and_referenced_rules_exist():
    grammar = program_grammar(toy.registry())
    names = list(rule_names(grammar))
    assert len(names) == len(set(names))
    referenced = set(re.findall(r"(?<![\"\w-])([a-z][a-z0-9-]*)(?![\"\w-])", re.sub(r'"(?:\\.|[^"\\])*"|\[[^\]]*\]', "",
                                                                                     grammar.split("::=", 1)[1])))
    assert referenced <= set(names)
    assert "call-result" not in names  # RESULT only on the final line


def test_llama_cpp_accepts_grammar():
    from llama_cpp import LlamaGrammar

    assert LlamaGrammar.from_string(program_grammar(toy.registry()), verbose=False)
