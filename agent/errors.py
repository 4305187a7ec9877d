"""Typed errors. Each carries what a user (or an LLM repairing a program) needs to fix it."""

from __future__ import annotations


class VisreasonError(Exception):
    """Base of every error the project raises on purpose."""

    def __init__(self, message: str, *, line: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, "message": self.message, "line": self.line, "hint": self.hint}

    def for_llm(self) -> str:
        """Text handed back to the LLM in the repair loop."""
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{type(self).__name__}: {where}{self.message}" + (f"\n{self.hint}" if self.hint else "")

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.message}{where}"


class ProgramError(VisreasonError):
    """Anything wrong with a visual program."""


class ProgramSyntaxError(ProgramError):
    pass


class UnknownModuleError(ProgramError):
    pass


class ArgumentError(ProgramError):
    pass


class UndefinedVariableError(ProgramError):
    pass


class ToolExecutionError(ProgramError):
    pass


class BudgetExceeded(ProgramError):
    pass


class ImageError(VisreasonError):
    """An input image that cannot be used: missing, corrupt, too large, not an image."""


class ConfigError(VisreasonError):
    pass


class ModelUnavailableError(VisreasonError):
    """A model that is not present locally; the message says how to get it."""


class LLMError(VisreasonError):
    pass


class InputError(VisreasonError):
    """Malformed user input such as a bad JSONL line."""
