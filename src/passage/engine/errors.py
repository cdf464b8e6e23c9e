"""The errors Passage reports to a person or an author: each names what was wrong and what was expected.

Nothing else may escape an interface: the CLI and the web turn these into exit code 2 / HTTP 400 with the
message, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class PassageError(Exception):
    """Base of every error Passage reports."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (`field`), what was expected, and what was found."""

    field: str
    expected: str
    found: str = ""

    def __str__(self) -> str:
        found = f"; got {self.found}" if self.found else ""
        return f"{self.field}: expected {self.expected}{found}"


class InputError(PassageError):
    """Facts, a date or a file given by a user that cannot be used. Carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("; ".join(str(p) for p in self.problems))


class RulebookError(PassageError):
    """A rulebook that cannot be loaded: names the file and the key."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key = file, key
        super().__init__(f"{file}: {key}: {message}")


class NotVectorizable(PassageError):
    """An expression the vectorized evaluator cannot run (e.g. a search over dates)."""
