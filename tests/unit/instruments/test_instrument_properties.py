"""Property tests: whatever JSON comes in, the loader answers with an Instrument or an
InstrumentError, never with another exception."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from enkat.instruments import Instrument, InstrumentError, load_data, load_text

from .conftest import EVERY_TYPE

VALID: dict[str, Any] = json.loads(EVERY_TYPE.read_text(encoding="utf-8"))
VALID_TEXT = EVERY_TYPE.read_text(encoding="utf-8")

#: Words of the format, so that random documents often get past the first checks.
WORDS = [
    "format",
    "id",
    "version",
    "title",
    "description",
    "audience",
    "rated_by",
    "anonymous",
    "languages",
    "estimated_minutes",
    "timepoints",
    "source",
    "scales",
    "pages",
    "items",
    "scoring",
    "scores",
    "indicators",
    "codes",
    "code",
    "label",
    "missing",
    "positive",
    "type",
    "text",
    "help",
    "required",
    "page",
    "show_if",
    "indicator",
    "options",
    "scale",
    "min",
    "max",
    "decimals",
    "unit",
    "anchors",
    "low",
    "high",
    "max_length",
    "item",
    "equals",
    "in",
    "answered",
    "method",
    "max_missing",
    "sv",
    "en",
    "ar",
    "q1",
    "nns6",
    "single",
    "multiple",
    "ordinal",
    "vas",
    "number",
    "date",
    "yesno",
    "info",
    "longtext",
    "start",
    "session-{n}",
    "deltagare",
    "self",
    "sum",
    "mean",
    "ja",
    "nej",
    "2026-02-30",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(WORDS)
    | st.text(max_size=8)
)
keys = st.sampled_from(WORDS) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, entry in value.items():
            found += paths_of(entry, (*prefix, key))
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            found += paths_of(entry, (*prefix, index))
    return found


VALID_PATHS = paths_of(VALID)[1:]
DELETE = object()


def replaced(document: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    """A copy of the document with the value at ``path`` replaced (or deleted)."""
    document = copy.deepcopy(document)
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    if replacement is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


def assert_instrument_or_error(load: Any, value: Any) -> None:
    try:
        instrument = load(value, "fuzz.json")
    except InstrumentError as error:
        assert error.problems
        assert all(problem.severity == "error" for problem in error.problems)
        assert all(str(problem).startswith("fuzz.json") for problem in error.problems)
    else:
        assert isinstance(instrument, Instrument)
        assert all(problem.severity == "warning" for problem in instrument.warnings)
        hash(instrument)


@given(json_values)
def test_any_json_value(value: Any) -> None:
    assert_instrument_or_error(load_data, value)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID_PATHS), json_values | st.just(DELETE))
def test_a_valid_document_with_one_part_replaced(path: tuple[Any, ...], replacement: Any) -> None:
    assert_instrument_or_error(load_data, replaced(VALID, path, replacement))


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(VALID_PATHS), json_values | st.just(DELETE)), max_size=4))
@example([(("items", 0, "id"), []), (("items", 0, "type"), DELETE)])
def test_a_valid_document_with_several_parts_replaced(changes: list[tuple[Any, ...]]) -> None:
    document = VALID
    for path, replacement in changes:
        try:
            document = replaced(document, path, replacement)
        except (KeyError, IndexError, TypeError):
            continue
    assert_instrument_or_error(load_data, document)


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_text(text: str | bytes) -> None:
    assert_instrument_or_error(load_text, text)


@given(
    st.integers(min_value=0, max_value=len(VALID_TEXT)),
    st.integers(min_value=0, max_value=5),
    st.text(max_size=3),
)
def test_a_valid_file_with_characters_changed(position: int, removed: int, inserted: str) -> None:
    text = VALID_TEXT[:position] + inserted + VALID_TEXT[position + removed :]
    assert_instrument_or_error(load_text, text)
    assert_instrument_or_error(load_text, text.encode("utf-8"))
