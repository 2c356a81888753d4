"""The schema file itself, and docs/instruments.md against it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from enkat.instruments import instrument_schema, load_data

DOCS = Path(__file__).resolve().parents[3] / "docs" / "instruments.md"


def subschemas(schema: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(schema, dict):
        yield path, schema
        for key, value in schema.items():
            yield from subschemas(value, (*path, key))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from subschemas(value, (*path, str(index)))


def test_schema_is_valid_draft_2020_12() -> None:
    schema = instrument_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://enkat.se/schema/instrument-1.json"
    assert schema["title"] and schema["description"]


def test_every_object_shape_refuses_unknown_keys() -> None:
    shapes = 0
    for path, schema in subschemas(instrument_schema()):
        if "properties" in schema and "type" in schema and path[-1:] != ("Item",):
            assert schema.get("additionalProperties") is False, "/".join(path)
            shapes += 1
    assert shapes >= 20


def test_each_item_type_has_its_own_branch() -> None:
    definitions = instrument_schema()["$defs"]
    types = definitions["Item"]["properties"]["type"]["enum"]
    branches = [branch["then"]["$ref"] for branch in definitions["Item"]["allOf"]]
    assert branches == [f"#/$defs/{kind.capitalize()}Item" for kind in types]
    for kind in types:
        branch = definitions[f"{kind.capitalize()}Item"]
        assert branch["properties"]["type"] == {"const": kind}
        assert branch["additionalProperties"] is False


# --- the documentation ----------------------------------------------------------------------


def docs_text() -> str:
    return DOCS.read_text(encoding="utf-8")


def json_blocks() -> list[Any]:
    """Every ```json block of the docs, as JSON values (fragments wrapped as needed)."""
    values: list[Any] = []
    for block in re.findall(r"```json\n(.*?)```", docs_text(), flags=re.S):
        for candidate in (block, "{" + block + "}"):
            try:
                values.append(json.loads(candidate))
                break
            except json.JSONDecodeError:
                continue
        else:
            values.extend(json.loads(line) for line in block.splitlines() if line.strip())
    return values


def validator_for(definition: str) -> Draft202012Validator:
    definitions = instrument_schema()["$defs"]
    return Draft202012Validator({**definitions[definition], "$defs": definitions})


def check_fragment(value: dict[str, Any]) -> None:
    """Validate a documentation snippet against the part of the schema it shows."""
    if "format" in value:
        load_data(value, "docs")
    elif "type" in value:
        validator_for("Item").validate(value)
    elif "item" in value:
        validator_for("Condition").validate(value)
    elif "method" in value:
        validator_for("Score").validate(value)
    elif set(value) == {"scales"}:
        for scale in value["scales"].values():
            validator_for("Scale").validate(scale)
    elif set(value) in ({"pages"}, {"indicators"}):
        kind = "Page" if "pages" in value else "Indicator"
        for entry in next(iter(value.values())):
            validator_for(kind).validate(entry)
    elif set(value) == {"results"}:
        validator_for("Results").validate(value["results"])
    elif set(value) == {"scoring"}:
        Draft202012Validator(instrument_schema()).evolve(
            schema={
                **instrument_schema()["properties"]["scoring"],
                "$defs": instrument_schema()["$defs"],
            }
        ).validate(value["scoring"])
    else:
        validator_for("Text").validate(value)


def test_docs_examples_follow_the_schema() -> None:
    blocks = json_blocks()
    assert sum("format" in block for block in blocks) == 1
    assert {block["type"] for block in blocks if "type" in block} == set(
        instrument_schema()["$defs"]["Item"]["properties"]["type"]["enum"]
    )
    for block in blocks:
        check_fragment(block)


def test_the_complete_example_loads_without_warnings() -> None:
    example = next(block for block in json_blocks() if "format" in block)
    assert load_data(example, "docs").warnings == ()


def test_docs_name_every_key_and_value_of_the_schema() -> None:
    text = docs_text()
    keys: set[str] = set()
    values: set[str] = set()
    for _, schema in subschemas(instrument_schema()):
        keys.update(key for key in schema.get("properties", {}) if not key.startswith("$"))
        values.update(str(value) for value in schema.get("enum", []))
    missing = sorted(word for word in keys | values if f"`{word}`" not in text)
    assert missing == []


def test_docs_give_the_id_and_name_patterns() -> None:
    definitions = instrument_schema()["$defs"]
    for name in ("Id", "Name"):
        assert f"`{definitions[name]['pattern']}`" in docs_text()
