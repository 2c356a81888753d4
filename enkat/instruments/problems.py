"""Problems found in an instrument file, and the exception that carries them.

Each problem is said twice: in English for `enkat instruments check` (the command line
speaks English) and in Swedish for the administrator uploading a file on the web.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Words:
    """One problem in both languages the instrument checks speak."""

    english: str
    swedish: str


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instrument, located by a JSON pointer.

    ``pointer`` is ``"/"`` for the whole document and ``""`` only for problems that
    concern the file rather than a place in it (unreadable, not UTF-8, invalid JSON).
    ``message`` is English (the command line), ``swedish`` the same in Swedish (the web).
    """

    origin: str
    pointer: str
    message: str
    severity: Severity = "error"
    swedish: str = field(default="", compare=False)  # the same problem, said otherwise

    @classmethod
    def said(cls, origin: str, pointer: str, words: Words,
             severity: Severity = "error") -> Problem:
        return cls(origin, pointer, words.english, severity, words.swedish)

    def __str__(self) -> str:
        location = f"{self.origin} {self.pointer}" if self.pointer else self.origin
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{location}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class InstrumentError(Exception):
    """An instrument (or a directory of them) cannot be used; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def pointer_of(path: Iterable[str | int]) -> str:
    """RFC 6901 JSON pointer of a path; the document itself is ``/`` (not ``""``)."""
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in path]
    return "/" + "/".join(parts)
