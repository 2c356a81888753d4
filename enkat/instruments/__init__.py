"""The instrument language: JSON files that define surveys, checked and made immutable.

Pure Python (stdlib and jsonschema only). Load with `load_file`, `load_text`,
`load_data` or `load_directory`; a bad document raises `InstrumentError`, whose
``problems`` say what is wrong and where (``<file> <JSON pointer>: <plain words>``).
The format is documented in ``docs/instruments.md`` and fixed by ``instrument.schema.json``.
"""

from enkat.instruments.loader import (
    bundled_directory,
    canonical_json,
    check_paths,
    load_data,
    load_directory,
    load_file,
    load_text,
    sha256_of,
)
from enkat.instruments.model import (
    Anchors,
    Condition,
    Indicator,
    Instrument,
    Item,
    Option,
    Page,
    Scale,
    Score,
    Source,
    Text,
    timepoint_matches,
)
from enkat.instruments.problems import InstrumentError, Problem
from enkat.instruments.schema import instrument_schema

__all__ = [
    "Anchors",
    "Condition",
    "Indicator",
    "Instrument",
    "InstrumentError",
    "Item",
    "Option",
    "Page",
    "Problem",
    "Scale",
    "Score",
    "Source",
    "Text",
    "bundled_directory",
    "canonical_json",
    "check_paths",
    "instrument_schema",
    "load_data",
    "load_directory",
    "load_file",
    "load_text",
    "sha256_of",
    "timepoint_matches",
]
