"""The JSON Schema of the instrument format, and its errors in plain words.

jsonschema's own messages quote Python reprs and whole subschemas; an administrator
needs to read "missing required key "text"" at the place where it is missing. Words that
depend on the element (what an id looks like, which item types exist) are read from the
``title``/``description`` of the failing subschema, so they live in the schema file.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "instrument.schema.json"

Path = tuple[str | int, ...]

_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
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
    """Every schema violation as (path, message), without duplicates."""
    found: dict[tuple[Path, str], None] = {}
    for error in _validator().iter_errors(data):
        for path, message in _translate(error):
            found[(path, message)] = None
    return list(found)


def _translate(error: ValidationError) -> Iterator[tuple[Path, str]]:
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
        for key in error.validator_value:
            if key not in error.instance:
                yield path, f'missing required key "{key}"'


def _unknown_keys(path: Path, error: ValidationError) -> Iterator[tuple[Path, str]]:
    allowed = error.schema.get("properties", {})
    item_type = allowed.get("type", {}).get("const")
    for key in error.instance:
        if key in allowed:
            continue
        if item_type is not None and key in _item_keys():
            yield path, f'"{key}" is not a key of {item_type} items'
        else:
            yield path, f"unknown key {_show(key)}{_suggestion(key, allowed)}"


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


def _suggestion(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _not_allowed(path: Path, error: ValidationError) -> tuple[Path, str]:
    """A key forbidden by ``dependentSchemas`` (options beside a scale) or by ``not: {}``."""
    key = path[-1] if path else ""
    schema_path = list(error.absolute_schema_path)
    if "dependentSchemas" in schema_path:
        index = len(schema_path) - 1 - schema_path[::-1].index("dependentSchemas")
        other = schema_path[index + 1]
        return path[:-1], f'"{key}" cannot be combined with "{other}"'
    return path[:-1], f'"{key}" is not allowed here'


def _message(error: ValidationError, is_root: bool) -> str:
    validator = error.validator
    schema = error.schema
    instance = error.instance
    if is_root and validator == "type":
        return "must be a JSON object (an instrument)"
    if validator in _RANGE_VALIDATORS:
        return f"must be {_expected(schema)}"
    if validator == "enum":
        return f"{_show(instance)} is not {_choice(schema)}"
    if validator == "const":
        return f"must be {_show(error.validator_value)}"
    if validator == "pattern":
        return f"{_show(instance)} is not {_described(schema)}"
    if validator == "minLength":
        return "must not be empty"
    if validator == "minItems":
        return f"must have at least {_entries(error.validator_value)}"
    if validator == "maxItems":
        return f"must have at most {_entries(error.validator_value)}"
    if validator == "uniqueItems":
        return f"{_show(_first_repeated(instance))} is listed more than once"
    if validator == "contains":
        return f"must include {_expected(error.validator_value)}"
    if validator == "oneOf" and _only_required_branches(error.validator_value):
        keys = [branch["required"][0] for branch in error.validator_value]
        return f"needs exactly one of {_either(keys)}"
    return f"must be {_expected(schema)}"


def _choice(schema: dict[str, Any]) -> str:
    values = ", ".join(str(value) for value in schema["enum"])
    if "title" in schema:
        return f"{schema['title']} (one of: {values})"
    return f"one of: {values}"


def _described(schema: dict[str, Any]) -> str:
    title = schema.get("title", "valid")
    description = schema.get("description")
    return f"{title} ({description})" if description else title


def _expected(schema: dict[str, Any]) -> str:
    """What a value must be, in words: "an integer >= 1", "an item type (one of: ...)"."""
    if "enum" in schema:
        return _choice(schema)
    if "title" in schema:
        return _described(schema)
    if "const" in schema:
        return _show(schema["const"])
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return " or ".join(_TYPE_WORDS[kind] for kind in kinds) + _range(schema)


def _range(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if "exclusiveMinimum" in schema:
        return f" > {schema['exclusiveMinimum']}"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def _either(keys: Sequence[str]) -> str:
    quoted = [f'"{key}"' for key in keys]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


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
