"""The JSON Schema of the instrument format, and its errors in plain words.

jsonschema's own messages are English and quote Python reprs and whole subschemas; an
administrator needs to read 'nyckeln "text" saknas' at the place where it is missing.
Words that depend on the element (what an id looks like, which item types exist) are
read from the ``title``/``description`` of the failing subschema, so they live in the
schema file (in English, for the editors that show them) and in Swedish here.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from enkat.instruments.problems import (
    JSON_TYPE_WORDS,
    either,
    listed_twice,
    missing_key,
    written,
)

SCHEMA_FILE = "instrument.schema.json"

Path = tuple[str | int, ...]

#: The schema's titles and descriptions (English, in the schema file) in Swedish.
_SWEDISH_SCHEMA_WORDS = {
    "an audience": "en målgrupp",
    "a rater": "en bedömare",
    "an id": "ett id",
    "a name": "ett namn",
    "a language code": "en språkkod",
    "a timepoint": "en mätpunkt",
    "a date": "ett datum",
    "a text": "en text",
    "a code": "en kod",
    "an item type": "en frågetyp",
    "a yes/no code": "en ja/nej-kod",
    "a scoring method": "en poängmetod",
    "an enrolment role": "en roll i inskrivningen",
    "a line of the samtalsunderlag": "en linje i samtalsunderlaget",
    "the item giving a deltagare's försörjning sources, priced for samhällsnytta":
        "frågan som ger deltagarens försörjningskällor, prissatta för samhällsnytta",
    "lowercase letters and digits in words joined by single hyphens, starting with a letter":
        "små bokstäver och siffror i ord förenade med enkla bindestreck, med en bokstav först",
    "lowercase letters, digits and hyphens, starting with a letter":
        "små bokstäver, siffror och bindestreck, med en bokstav först",
    "two or three lowercase letters, such as sv, en or ar":
        "två eller tre små bokstäver, som sv, en eller ar",
    "lowercase words joined by hyphens; {n} right after a hyphen stands for a positive "
    "number, as in session-{n} or uppfoljning-{n}m":
        "ord med små bokstäver förenade med bindestreck; {n} direkt efter ett bindestreck "
        "står för ett positivt tal, som i session-{n} eller uppfoljning-{n}m",
    "YYYY-MM-DD": "ÅÅÅÅ-MM-DD",
    "a non-empty string, or an object mapping each language to a non-empty string":
        "en sträng som inte är tom, eller ett objekt med en sträng som inte är tom för "
        "varje språk",
    "an integer, or lowercase letters, digits and hyphens such as kvinna or 16-29":
        "ett heltal, eller små bokstäver, siffror och bindestreck som kvinna eller 16-29",
}
_SHOW_LIMIT = 40
_RANGE_VALIDATORS = frozenset(
    {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
)


@cache
def instrument_schema() -> dict[str, Any]:
    """The schema document, read from the package (works from a wheel as well)."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(instrument_schema())


def schema_errors(data: Any) -> list[tuple[Path, str]]:
    """Every schema violation as (path, words), without duplicates."""
    found: dict[tuple[Path, str], None] = {}
    for error in _validator().iter_errors(data):
        for path, words in _translate(error):
            found[(path, words)] = None
    return list(found)


def _translate(error: ValidationError) -> Iterator[tuple[Path, str]]:
    """By the kind of rule broken (the validator): required, additionalProperties, not,
    or one of the value rules in `_message`."""
    path: Path = tuple(error.absolute_path)
    validator = error.validator
    if validator == "required":
        yield from _missing_keys(path, error)
    elif validator == "additionalProperties":
        yield from _unknown_keys(path, error)
    elif validator == "not":
        yield _not_allowed(path, error)
    else:
        yield path, _message(error, is_root=not path)


def _missing_keys(path: Path, error: ValidationError) -> Iterator[tuple[Path, str]]:
    if isinstance(error.instance, dict):
        required: Any = error.validator_value
        for key in required:
            if key not in error.instance:
                yield path, missing_key(key)


def _unknown_keys(path: Path, error: ValidationError) -> Iterator[tuple[Path, str]]:
    allowed = _schema(error).get("properties", {})
    item_type = allowed.get("type", {}).get("const")
    instance: Any = error.instance
    for key in instance:
        if key in allowed:
            continue
        if item_type is not None and key in _item_keys():
            yield path, f'"{key}" är ingen nyckel för frågor av typen {item_type}'
        else:
            close = _suggestion(key, allowed)
            yield path, (f"okänd nyckel {_show(key)}"
                         + (f' (menade du "{close}"?)' if close else ""))


@cache
def _item_keys() -> frozenset[str]:
    """Every key that some item type admits (the ``*Item`` definitions of the schema)."""
    definitions = instrument_schema()["$defs"].values()
    return frozenset(
        key
        for definition in definitions
        if "const" in definition.get("properties", {}).get("type", {})
        for key in definition["properties"]
    )


def _suggestion(key: str, allowed: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.75)
    return close[0] if close else None


def _not_allowed(path: Path, error: ValidationError) -> tuple[Path, str]:
    """A key forbidden by ``dependentSchemas`` (options beside a scale) or by ``not: {}``."""
    key = path[-1] if path else ""
    schema_path = list(error.absolute_schema_path)
    if "dependentSchemas" in schema_path:
        index = len(schema_path) - 1 - schema_path[::-1].index("dependentSchemas")
        other = schema_path[index + 1]
        return path[:-1], f'"{key}" kan inte kombineras med "{other}"'
    return path[:-1], f'"{key}" är inte tillåten här'


def _message(error: ValidationError, is_root: bool) -> str:
    validator = error.validator
    schema = _schema(error)
    instance: Any = error.instance
    rule: Any = error.validator_value
    if is_root and validator == "type":
        return "måste vara ett JSON-objekt (ett instrument)"
    if validator in _RANGE_VALIDATORS:
        return _must_be(_expected(schema))
    if validator == "enum":
        return f"{_show(instance)} är inte {_choice(schema)}"
    if validator == "const":
        return _must_be(_show(rule))
    if validator == "pattern":
        return f"{_show(instance)} är inte {_described(schema)}"
    if validator == "minLength":
        return "får inte vara tom"
    if validator == "minItems":
        return f"måste ha minst {_entries(rule)}"
    if validator == "maxItems":
        return f"får ha högst {_entries(rule)}"
    if validator == "uniqueItems":
        return listed_twice(_show(_first_repeated(instance)))
    if validator == "contains":
        return f"måste innehålla {_expected(rule)}"
    if validator == "oneOf" and _only_required_branches(rule):
        keys = [f'"{branch["required"][0]}"' for branch in rule]
        return f"behöver exakt en av {either(keys)}"
    return _must_be(_expected(schema))


def _must_be(expected: str) -> str:
    return f"måste vara {expected}"


def _schema(error: ValidationError) -> dict[str, Any]:
    """The schema of the rule broken: an object, as every rule of ours is."""
    assert isinstance(error.schema, dict)
    return error.schema


def _choice(schema: dict[str, Any]) -> str:
    values = ", ".join(str(value) for value in schema["enum"])
    if "title" in schema:
        return f"{_schema_words(schema['title'])} (en av: {values})"
    return f"en av: {values}"


def _described(schema: dict[str, Any]) -> str:
    title = _schema_words(schema.get("title", "valid"))
    if "description" not in schema:
        return title
    return f"{title} ({_schema_words(schema['description'])})"


def _schema_words(english: str) -> str:
    """A title or description of the schema file (English, for editors) in Swedish."""
    if english == "valid":
        return "giltig"
    return _SWEDISH_SCHEMA_WORDS[english]


def _expected(schema: dict[str, Any]) -> str:
    """What a value must be, in words: "ett heltal, minst 1", "en frågetyp (en av: …)"."""
    if "enum" in schema:
        return _choice(schema)
    if "title" in schema:
        return _described(schema)
    if "const" in schema:
        return _show(schema["const"])
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return " eller ".join(JSON_TYPE_WORDS[kind] for kind in kinds) + _range(schema)


def _range(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" från {written(low)} till {written(high)}"
    if "exclusiveMinimum" in schema:
        return f" större än {written(schema['exclusiveMinimum'])}"
    if low is not None:
        return f", minst {written(low)}"
    if high is not None:
        return f", högst {written(high)}"
    return ""


def _entries(count: int) -> str:
    return f"{written(count)} {'post' if count == 1 else 'poster'}"


def _only_required_branches(branches: Any) -> bool:
    return all(set(branch) == {"required"} and len(branch["required"]) == 1 for branch in branches)


def _first_repeated(values: list[Any]) -> Any:
    """The first value that occurs twice (JSON equality: 1 and true differ)."""
    seen: list[str] = []
    for value in values:
        key = json.dumps(value, sort_keys=True)
        if key in seen:
            return value
        seen.append(key)
    return values[-1]


def _show(value: Any) -> str:
    """A JSON value as it would be written in the file, shortened if long."""
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= _SHOW_LIMIT else shown[: _SHOW_LIMIT - 2] + "…" + shown[-1]
