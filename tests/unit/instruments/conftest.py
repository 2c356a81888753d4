"""Fixtures for the instrument tests: valid documents as files and as fresh dicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from enkat.instruments import Instrument, load_file

HERE = Path(__file__).parent
EVERY_TYPE = HERE / "valid" / "alla-typer.json"
LOCAL = HERE / "local" / "kursutvardering.json"


@pytest.fixture(scope="session")
def every_type() -> Instrument:
    """An instrument with every item type and every feature of the format."""
    return load_file(EVERY_TYPE)


@pytest.fixture
def every_type_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EVERY_TYPE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def small_data() -> dict[str, Any]:
    """A small valid document, in Swedish and English, for tests that change one thing."""
    return {
        "format": 1,
        "id": "liten",
        "version": 1,
        "title": {"sv": "Liten", "en": "Small"},
        "audience": "deltagare",
        "rated_by": "self",
        "languages": ["sv", "en"],
        "timepoints": ["start"],
        "source": {"owner": "Test", "licence": "CC0", "verified": "allt"},
        "items": [{"id": "q1", "type": "yesno", "text": {"sv": "Fråga", "en": "Question"}}],
    }
