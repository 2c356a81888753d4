"""Reading what a GET form of the förbund's pages chooses (the results page, the audit
log): a problem is said at its field, and from and to dates are read one way."""

from __future__ import annotations

import datetime as dt

from wtforms.fields.core import Field

from enkat.instruments.model import parse_date

DATE_EXAMPLE = "Skriv datumet som år-månad-dag, till exempel 2025-01-31."
#: The years a report or the log may be asked for: enkat's data lies well inside, and a
#: period there can be widened by a year on either side without leaving the calendar.
FIRST_YEAR, LAST_YEAR = 2000, 2100


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
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        refuse(field, f"{name.capitalize()} {day.isoformat()} ligger utanför de år som går "
                      f"att välja, {FIRST_YEAR}–{LAST_YEAR}.")
        return None
    return day
