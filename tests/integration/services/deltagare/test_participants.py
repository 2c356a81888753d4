"""Deltagare codes: pseudonymous, unique within the förbund, never a personnummer."""

from __future__ import annotations

import pytest

from enkat.services.deltagare.participants import (
    CODE_ALPHABET,
    InvalidCode,
    generate_code,
    get_or_create_participant,
)


@pytest.mark.parametrize("code", ["19850101-1234", "850101-1234", "8501011234",
                                  "198501011234", "850101+1234"])
def test_personnummer_shaped_codes_are_refused(forbund, code):
    with pytest.raises(InvalidCode, match="ser ut som ett personnummer"):
        get_or_create_participant(forbund, code)


@pytest.mark.parametrize("code", ["", "A", "ÅSA-1", "a b", "-AB", "X" * 33])
def test_malformed_codes_are_refused(forbund, code):
    with pytest.raises(InvalidCode, match="är ingen giltig deltagarkod"):
        get_or_create_participant(forbund, code)


def test_generated_codes_use_only_unambiguous_characters(forbund):
    codes = {generate_code(forbund) for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set(CODE_ALPHABET) & set("0O1IL2Z5S8B")


def test_codes_are_unique_per_forbund_and_case_insensitive(forbund, make_forbund):
    first = get_or_create_participant(forbund, "d-0042")
    assert get_or_create_participant(forbund, "D-0042") is first
    other = get_or_create_participant(make_forbund("annat"), "D-0042")
    assert other.id != first.id
