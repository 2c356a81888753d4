"""Operations on enkat's data, grouped by what they are about (docs/architecture.md).

Services flush; the caller (request or command) commits. What every service may refuse
with lives here: a `ServiceError` whose message the user can act on, and `Refused`, which
names each form field that is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The longest name a form takes: of an insats, its huvudman, a user.
MAX_NAME_LENGTH = 200


class ServiceError(Exception):
    """An operation refused for a reason the user can act on; the message says which."""


class NotFound(ServiceError):
    pass


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field of a form; `row` counts from 0 in a list of rows."""

    field: str
    message: str
    row: int | None = None


class Refused(ServiceError):
    """An operation that changed nothing; `problems` names every field that is wrong."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


def refuse_if(problems: Sequence[FieldProblem]) -> None:
    if problems:
        raise Refused(problems)
