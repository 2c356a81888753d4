"""Input no page can mean, refused before any view reads it.

- **Numbers in addresses** (`<int:…>`: a draft, a user, an utskick, a version) are ids or
  counts stored in INTEGER columns, which on PostgreSQL hold at most 2**31 − 1. A larger
  number can name nothing, and handed to the database it fails the query (PostgreSQL:
  "integer out of range"; SQLite past 64 bits: OverflowError). `BoundedInteger` replaces
  Werkzeug's `int` converter for every route, so such an address does not match: 404,
  like any id that does not exist.
- **Control characters** (NUL and the other C0 characters but tab, line feed and carriage
  return) in the path, the query or a form field. Nobody types them; PostgreSQL cannot
  store NUL in text at all, and XLSX cannot hold the others, so a value that carried one
  would fail when saved or, worse, when downloaded later. `refuse_control_characters`
  answers such a request with 400 and says which field holds what, before anything is
  read or written. Uploaded files are not form fields: their contents are checked by
  what reads them.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest value of an INTEGER column on PostgreSQL (SQLite's reach further).
LARGEST_INTEGER = 2**31 - 1

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ControlCharacterRefused(BadRequest):
    """A 400 whose page says which field holds which character (`said`)."""

    def __init__(self, said: str) -> None:
        super().__init__()
        self.said = said


class BoundedInteger(IntegerConverter):
    """Werkzeug's `int`, matching only what an INTEGER column can hold."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = LARGEST_INTEGER, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def guard_input(app: Flask) -> None:
    """Before the blueprints add their routes: `int` in a rule is then `BoundedInteger`."""
    app.url_map.converters["int"] = BoundedInteger
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    """Refuse (400, on the one error page) a request whose address or a field holds a
    control character, naming the first such place; else the request goes on."""
    found = _first_control_character()
    if found is None:
        return
    where, character = found
    raise ControlCharacterRefused(_(
        "%(where)s innehåller ett osynligt styrtecken (%(code)s) som inte kan "
        "sparas. Ta bort det och försök igen.",
        where=where, code=f"U+{ord(character):04X}"))


def _first_control_character() -> tuple[str, str] | None:
    if found := CONTROL_CHARACTER.search(request.path):
        return _("Adressen"), found.group()
    for in_address, fields in ((True, request.args), (False, request.form)):
        for name, value in fields.items(multi=True):
            if found := CONTROL_CHARACTER.search(name + value):
                return f"{_place(in_address)} ”{_printable(name)}”", found.group()
    return None


def _place(in_address: bool) -> str:
    """Translated only once a control character is found: every request passes here."""
    return _("Adressens fält") if in_address else _("Fältet")


def _printable(name: str) -> str:
    return CONTROL_CHARACTER.sub("?", name)[:60]
