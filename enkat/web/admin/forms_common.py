"""What the förbund's form pages share: a refusal said at its field, the error summary
at the top of the page, and whether the signed-in user gets the forms at all
(administrators change, analysts read)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import flash, g
from flask_login import current_user

from enkat.models import Role
from enkat.services import FieldProblem
from enkat.services.people.users import role_in
from enkat.web.common.form_base import PageForm, error_list  # noqa: F401  (the pages' summary)


def show_problems(form: PageForm, problems: Sequence[FieldProblem],
                  rows: Sequence | None = None) -> None:
    """Put each refusal next to its field. A problem about row i of the submitted rows
    goes to the form entry that row came from (blank entries are not submitted)."""
    for problem in problems:
        target = form
        if problem.row is not None and rows is not None:
            target = rows[problem.row].form
        field = target[problem.field] if problem.field in target else None
        if field is None:
            flash(problem.message, "error")
        else:
            field.errors = [*field.errors, problem.message]


def may_change() -> bool:
    """Whether the signed-in user administers the förbund the page is about."""
    return role_in(g.forbund, current_user) is Role.ADMIN
