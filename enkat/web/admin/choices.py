"""Reading what a GET form of the förbund's pages chooses (the results page, the audit
log): a problem is said at its field, and from and to dates are read one way."""

from __future__ import annotations

import datetime as dt

from wtforms.fields.core import Field

from enkat.instruments.model import parse_date

DATE_EXAMPLE = "Skriv datumet som år-månad-dag, till exempel 2025-01-31."


def refuse(field: Field, message: str) -> None:
    """A problem with what was chosen, said at its field."""
    field.errors = [*field.errors, message]


def read_dates(start_field: Field, end_field: Field, *, required: bool
               ) -> tuple[dt.date | None, dt.date | None] | None:
    """The from and to dates of a GET form (results, audit log), or None with each
    problem on its field. Without `required` an empty field is no limit."""
    start = _date(start_field, "från-datumet", required)
    end = _date(end_field, "till-datumet", required)
    if start_field.errors or end_field.errors:
        return None
    if start and end and end < start:
        refuse(end_field, f"Till-datumet {end.isoformat()} är före från-datumet "
                          f"{start.isoformat()}. Välj ett till-datum samma dag eller senare.")
        return None
    return start, end


def _date(field: Field, name: str, required: bool) -> dt.date | None:
    text = (field.data or "").strip()
    if not text:
        if required:
            refuse(field, f"Skriv {name}. {DATE_EXAMPLE}")
        return None
    day = parse_date(text)
    if day is None:
        refuse(field, f"{name.capitalize()} ”{text}” är inget datum. {DATE_EXAMPLE}")
    return day
