"""Problems found in an instrument file, the exception that carries them, and the Swedish
words for the rules that more than one check says.

A problem is said in Swedish, wherever it is shown: by `enkat instruments check`, on the
upload page and by `enkat instruments publish`. A rule said in more than one place (an
unknown item, a code that is not among the codes, a value listed twice) has its words
here, so the same rule reads the same wherever it is broken.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from babel.numbers import format_decimal, get_minus_sign_symbol

Severity = Literal["error", "warning"]

_SWEDISH = "sv_SE"

#: What a value of each JSON type is, in the words of "måste vara …".
JSON_TYPE_WORDS = {
    "object": "ett objekt",
    "array": "en lista",
    "string": "en sträng",
    "integer": "ett heltal",
    "number": "ett tal",
    "boolean": "true eller false",
    "null": "null",
}

#: json's messages in Swedish; a message not listed here is said as "not valid JSON here".
_JSON_MESSAGES = {
    "Expecting value": "här förväntades ett värde",
    "Expecting ',' delimiter": "här förväntades ',' (eller en avslutande hakparentes eller "
                               "klammer)",
    "Expecting ':' delimiter": "här förväntades ':' efter en nyckel",
    "Expecting property name enclosed in double quotes":
        "här förväntades en nyckel inom dubbla citattecken",
    "Extra data": "text efter dokumentets slut",
    "Unterminated string starting at": "en sträng avslutas inte",
    "Invalid control character at":
        "en radbrytning eller tabb inuti en sträng (skriv \\n eller \\t)",
    "Invalid \\escape": "ett omvänt snedstreck i en sträng inleder ingen giltig "
                        "escape-sekvens (skriv \\\\ för ett)",
    "Invalid \\uXXXX escape": "en \\u-sekvens i en sträng behöver fyra hexadecimala siffror",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instrument, located by a JSON pointer, said in Swedish.

    ``pointer`` is ``"/"`` for the whole document and ``""`` only for problems that
    concern the file rather than a place in it (unreadable, not UTF-8, invalid JSON).
    """

    origin: str
    pointer: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        location = f"{self.origin} {self.pointer}" if self.pointer else self.origin
        prefix = "varning: " if self.severity == "warning" else ""
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


# --- words of the rules said in more than one place ---------------------------------------


def unknown(what: str, name: str) -> str:
    """A reference to something the instrument does not have: 'frågan "q7" finns inte'."""
    return f'{what} "{name}" finns inte'


def missing_key(key: str) -> str:
    """A key that must be there and is not."""
    return f'nyckeln "{key}" saknas'


def listed_twice(what: str) -> str:
    """A value that may be given once only: '"start" står mer än en gång'."""
    return f"{what} står mer än en gång"


def not_a_code(code: str, of: str) -> str:
    """A code that is not among the codes of a scale, an item or its options."""
    return f'"{code}" är inte en kod i {of}'


def not_one_of(value: str, what: str, allowed: Iterable[str]) -> str:
    """A value outside a closed list: '"de" är inte ett av språken (en av: sv, en)'."""
    return f"{value} är inte {what} (en av: {', '.join(allowed)})"


def wrong_type(item_id: str, kind: str, needs: str, kinds: Iterable[str]) -> str:
    """An item referred to by something (a score, an indicator, a results key) that needs
    an item of another type: the item and its type, and which types would do."""
    return (f'frågan "{item_id}" är av typen {kind}; {needs} behöver en fråga av typen '
            f"{either(sorted(kinds))}")


def either(values: Sequence[str]) -> str:
    """Values as Swedish alternatives: "4", "4 eller 5", "4, 5 eller 6"."""
    *others, last = values
    return f"{', '.join(others)} eller {last}" if others else last


def written(number: int | float | Decimal) -> str:
    """A number as a message shows it to people: in Swedish, by the CLDR rules that
    `enkat.reports.numbers` writes every figure with ("2,5", "10 000", "−1")."""
    value = Decimal(str(number)) if isinstance(number, float) else Decimal(number)
    digits = format_decimal(abs(value), locale=_SWEDISH, decimal_quantization=False)
    return get_minus_sign_symbol(_SWEDISH) + digits if value < 0 else digits


def invalid_json(error: json.JSONDecodeError) -> str:
    """A JSON syntax mistake, where it is and what was expected there."""
    if not error.doc.strip():
        return "ogiltig JSON: filen är tom"
    words = _JSON_MESSAGES.get(error.msg, "filen är inte giltig JSON här")
    if error.doc[: error.pos].rstrip().endswith(","):
        words += " (finns det ett kommatecken för mycket?)"
    return f"ogiltig JSON på rad {error.lineno}, kolumn {error.colno}: {words}"
