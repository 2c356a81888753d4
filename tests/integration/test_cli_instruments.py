"""`enkat instruments publish`: a förbund's own instrument uploaded and published in one
go, with the upload page's checks and messages; a refused file keeps nothing."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from enkat.extensions import db
from enkat.models import Role
from enkat.services.instruments.uploads import UploadRefused, upload_instrument
from enkat.services.instruments.versions import resolve_instrument
from tests.integration.services.instruments.test_uploads import (
    audit_actions,
    instrument_data,
    stored_versions,
)
from tests.integration.web.test_admin_instruments import upload
from tests.integration.web.test_auth import sign_in

BROKEN = Path(__file__).parents[1] / "unit" / "instruments" / "broken"


@pytest.fixture
def instrument_file(tmp_path):
    def write(**changes) -> Path:
        path = tmp_path / "kursutvardering.json"
        path.write_text(json.dumps(instrument_data(**changes), ensure_ascii=False, indent=2),
                        encoding="utf-8")
        return path

    return write


def test_a_good_file_is_published_and_resolves(enkat, forbund, instrument_file):
    result = enkat("instruments", "publish", str(instrument_file()), "--forbund", forbund.slug)

    assert result.exit_code == 0, result.output
    assert result.stdout == "publicerade kursutvardering version 1 för test\n"
    db.session.expire_all()
    instrument = resolve_instrument("kursutvardering")
    assert (instrument.version, instrument.title.get()) == (1, "Utvärdering av utbildningsdag")
    assert audit_actions() == ["instrument-uploaded", "instrument-published"]


@pytest.mark.parametrize("name", ["several-problems.json", "malformed-json.json",
                                  "not-utf8.json", "duplicate-key.json"])
def test_a_broken_file_gives_the_upload_pages_messages_and_keeps_nothing(
        enkat, client, make_user, forbund, name):
    content = (BROKEN / name).read_bytes()
    with pytest.raises(UploadRefused) as refused:
        upload_instrument(forbund, None, content)
    problems = refused.value.problems

    result = enkat("instruments", "publish", str(BROKEN / name), "--forbund", forbund.slug)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        " ".join(part for part in (f"{BROKEN / name}:{p.line}:{p.column}" if p.line
                                   else str(BROKEN / name), p.place) if part)
        + f": {p.message}" for p in problems]
    assert stored_versions() == 0 and audit_actions() == []
    sign_in(client, make_user(Role.ADMIN).email)
    page = html.unescape(upload(client, content, name).get_data(as_text=True))
    for problem in problems:  # the page says the same, at the same place
        assert problem.message in page
        if problem.line:
            assert f"Rad {problem.line}, kolumn {problem.column}" in page


def test_the_same_id_and_version_again_is_refused_with_the_pages_message(
        enkat, forbund, instrument_file):
    path = instrument_file()
    assert enkat("instruments", "publish", str(path), "--forbund", forbund.slug).exit_code == 0

    again = enkat("instruments", "publish", str(path), "--forbund", forbund.slug)

    assert again.exit_code == 1
    assert again.stderr == (f'{path}:4:14 /version: version 1 är inte högre än den publicerade '
                            'versionen 1: höj "version" till 2\n')
    assert stored_versions() == 1
    assert audit_actions() == ["instrument-uploaded", "instrument-published"]


def test_a_higher_version_is_published_beside_the_first(enkat, forbund, instrument_file):
    enkat("instruments", "publish", str(instrument_file()), "--forbund", forbund.slug)

    result = enkat("instruments", "publish", str(instrument_file(version=2)),
                   "--forbund", forbund.slug)

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert resolve_instrument("kursutvardering").version == 2


def test_an_unknown_forbund_is_said_and_nothing_kept(enkat, forbund, instrument_file):
    result = enkat("instruments", "publish", str(instrument_file()), "--forbund", "finns-inte")

    assert result.exit_code == 1
    assert 'Fel: okänt förbund "finns-inte"' in result.stderr
    assert stored_versions() == 0


def test_an_id_of_a_bundled_instrument_is_refused(enkat, forbund, instrument_file):
    result = enkat("instruments", "publish", str(instrument_file(id="ors", version=9)),
                   "--forbund", forbund.slug)

    assert result.exit_code == 1
    assert ('/id: id "ors" används redan av ett instrument som följer med enkat; välj ett '
            'annat id') in result.stderr
    assert stored_versions() == 0
