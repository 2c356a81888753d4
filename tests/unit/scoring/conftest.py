"""Fixtures for the scoring tests: the bundled instruments, loaded once."""

from __future__ import annotations

import pytest

from enkat.instruments import Instrument, bundled_directory, load_directory


@pytest.fixture(scope="session")
def bundled() -> dict[str, Instrument]:
    return load_directory(bundled_directory())


@pytest.fixture(scope="session")
def ors(bundled: dict[str, Instrument]) -> Instrument:
    return bundled["ors"]


@pytest.fixture(scope="session")
def srs(bundled: dict[str, Instrument]) -> Instrument:
    return bundled["srs"]


@pytest.fixture(scope="session")
def skapa(bundled: dict[str, Instrument]) -> Instrument:
    return bundled["skapa"]


@pytest.fixture(scope="session")
def processtrappan(bundled: dict[str, Instrument]) -> Instrument:
    return bundled["processtrappan"]


@pytest.fixture(scope="session")
def nns(bundled: dict[str, Instrument]) -> Instrument:
    return bundled["nns-deltagare-avslut"]
