"""Errors of the screening package: one base class, each naming where the problem is and what was expected.

Callers (the CLI, the trade rulebook) catch `ScreeningError` and show its message; nothing in this package
lets another exception type escape for bad input.
"""

from __future__ import annotations

from passage.engine.errors import PassageError


class ScreeningError(PassageError):
    """Base class of every error this package raises on purpose."""


class ListFormatError(ScreeningError):
    """A sanctions list file (YAML or GAC XML) is malformed or misses a field.

    The message names the file, the record (item id or record number) and what was expected.
    """

    def __init__(self, file: str, record: str, expected: str) -> None:
        self.file = file
        self.record = record
        self.expected = expected
        super().__init__(f"{file}: {record}: {expected}")


class NameInputError(ScreeningError):
    """A name given to screen is not text (e.g. None or a number)."""

    def __init__(self, value: object) -> None:
        self.value_type = type(value).__name__
        super().__init__(f"a name to screen must be text, not {self.value_type}")
