"""Empty databases for tests that need one of their own, of each kind enkat supports."""

from __future__ import annotations

from pathlib import Path

import pytest


def empty_database(request: pytest.FixtureRequest, folder: Path, name: str) -> str:
    """The URL of an empty database of the kind `request.param` names ("sqlite" or
    "postgresql"): a file in `folder`, or database `name` on the test PostgreSQL server
    (made anew)."""
    if request.param == "sqlite":
        return f"sqlite:///{folder / f'{name}.sqlite'}"
    return request.getfixturevalue("postgres_server").create_database(name)
