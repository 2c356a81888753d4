"""Stored instrument versions, parsed once per process: the cached instrument is the one
its row holds, and a preview given new content (its `results` alone too, which its
SHA-256 leaves out) or a new version is parsed anew."""

from __future__ import annotations

from enkat.instruments import load_text
from enkat.services.instruments.uploads import publish_instrument, upload_instrument
from enkat.services.instruments.versions import stored_instrument

from .test_uploads import instrument_text


def test_a_cached_instrument_is_the_one_parsed_afresh_from_its_row(forbund, admin):
    row = upload_instrument(forbund, admin, instrument_text())
    cached = stored_instrument(row)
    assert cached == load_text(row.definition, origin="test")
    assert stored_instrument(row) is cached


def test_a_preview_given_new_content_is_parsed_anew(forbund, admin):
    row = upload_instrument(forbund, admin, instrument_text())
    assert stored_instrument(row).title.get("sv") == "Utvärdering av utbildningsdag"
    retitled = upload_instrument(forbund, admin, instrument_text(
        title={"sv": "Kursdagen", "en": "The course day"}))
    assert retitled.id == row.id
    assert stored_instrument(retitled).title.get("sv") == "Kursdagen"


def test_a_preview_given_new_results_alone_is_parsed_anew(forbund, admin):
    """The SHA-256 leaves `results` out, so it cannot tell the two apart."""
    row = upload_instrument(forbund, admin, instrument_text())
    assert stored_instrument(row).results.table is None
    declared = upload_instrument(forbund, admin, instrument_text(results={"table": "kursdag"}))
    assert declared.sha256 == row.sha256
    assert stored_instrument(declared).results.table == "kursdag"


def test_a_new_version_is_picked_up(forbund, admin):
    first = publish_instrument(upload_instrument(forbund, admin, instrument_text()), admin)
    second = upload_instrument(forbund, admin, instrument_text(
        version=2, title={"sv": "Kursdagen", "en": "The course day"}))
    assert (stored_instrument(first).version, stored_instrument(second).version) == (1, 2)
    assert stored_instrument(second).title.get("sv") == "Kursdagen"
