"""Visual programs: parse (data, never code), check against a tool registry, interpret with budgets."""

from agent.program.parser import (
    DEFAULT_LIMITS,
    Program,
    ProgramLimits,
    Step,
    Var,
    check_program,
    parse_program,
)

__all__ = ["DEFAULT_LIMITS", "Program", "ProgramLimits", "Step", "Var", "check_program", "parse_program"]
