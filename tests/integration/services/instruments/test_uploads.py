"""A förbund's own instruments: uploaded as previews, published as versions, never
resolved before they are published, and refused whole with every problem located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, InstrumentVersion
from enkat.services.instruments.uploads import (
    PublishRefused,
    UploadRefused,
    instrument_for,
    instruments_for,
    publish_instrument,
    upload_instrument,
    usable_instruments,
)
from enkat.services.instruments.versions import UnknownInstrument, resolve_instrument
from tests.swedish import english_words

INSTRUMENT_ID = "kursutvardering"


def instrument_data(**changes) -> dict:
    """A small course evaluation in Swedish and English: two pages, a condition."""
    data = {
        "format": 1,
        "id": INSTRUMENT_ID,
        "version": 1,
        "title": {"sv": "Utvärdering av utbildningsdag", "en": "Evaluation of the training day"},
        "audience": "deltagare",
        "rated_by": "self",
        "anonymous": True,
        "languages": ["sv", "en"],
        "timepoints": ["avslut"],
        "source": {"owner": "Samordningsförbundet Test", "licence": "Fri att använda.",
                   "verified": "Formulerad av kansliet."},
        "pages": [
            {"id": "dagen", "title": {"sv": "Om dagen", "en": "About the day"}},
            {"id": "avslutning", "title": {"sv": "Till sist", "en": "Finally"}},
        ],
        "items": [
            {"id": "intro", "type": "info", "page": "dagen",
             "text": {"sv": "Tack för att du svarar!", "en": "Thank you for answering!"}},
            {"id": "nytta", "type": "single", "page": "dagen", "required": True,
             "text": {"sv": "Hade du nytta av dagen?", "en": "Was the day useful?"},
             "options": [{"code": 1, "label": {"sv": "Nej", "en": "No"}},
                         {"code": 2, "label": {"sv": "Ja", "en": "Yes"}}]},
            {"id": "rekommendera", "type": "yesno", "page": "avslutning",
             "text": {"sv": "Skulle du rekommendera dagen?", "en": "Would you recommend it?"}},
            {"id": "varfor-inte", "type": "longtext", "page": "avslutning",
             "show_if": {"item": "rekommendera", "equals": "nej"},
             "text": {"sv": "Vad skulle bli bättre?", "en": "What should be better?"}},
        ],
    }
    data.update(changes)
    return data


def instrument_text(**changes) -> str:
    return json.dumps(instrument_data(**changes), ensure_ascii=False, indent=2)


def stored_versions() -> int:
    return db.session.scalar(select(func.count()).select_from(InstrumentVersion))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def refused(db_session):
    """Upload what must be refused whole; return the problems, checking nothing was kept."""

    def run(forbund, text) -> list:
        before = stored_versions()
        with pytest.raises(UploadRefused) as refusal:
            upload_instrument(forbund, None, text)
        assert stored_versions() == before
        return list(refusal.value.problems)

    return run


def test_an_upload_is_kept_as_an_unpublished_preview_of_its_forbund(forbund, admin):
    row = upload_instrument(forbund, admin, instrument_text().encode())
    assert (row.instrument_id, row.version, row.forbund_id, row.uploaded_by_id) == (
        INSTRUMENT_ID, 1, forbund.id, admin.id)
    assert row.published_at is None
    assert json.loads(row.definition) == instrument_data()
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.user_id, event.forbund_id, event.subject) == (
        "instrument-uploaded", admin.id, forbund.id, "kursutvardering version 1")


def test_a_preview_never_resolves(forbund, admin):
    upload_instrument(forbund, admin, instrument_text())
    with pytest.raises(UnknownInstrument):
        resolve_instrument(INSTRUMENT_ID)
    with pytest.raises(UnknownInstrument):
        resolve_instrument(INSTRUMENT_ID, 1)


def test_a_published_version_resolves_and_a_newer_preview_does_not_displace_it(forbund, admin):
    first = upload_instrument(forbund, admin, instrument_text())
    publish_instrument(first, admin)
    assert first.published_at is not None
    assert resolve_instrument(INSTRUMENT_ID).sha256 == first.sha256
    second = upload_instrument(forbund, admin, instrument_text(version=2))
    assert resolve_instrument(INSTRUMENT_ID).version == 1
    with pytest.raises(UnknownInstrument):
        resolve_instrument(INSTRUMENT_ID, 2)
    publish_instrument(second, admin)
    assert resolve_instrument(INSTRUMENT_ID).version == 2
    assert resolve_instrument(INSTRUMENT_ID, 1).version == 1
    assert audit_actions() == ["instrument-uploaded", "instrument-published",
                               "instrument-uploaded", "instrument-published"]


def test_a_new_upload_replaces_the_unpublished_preview_of_the_same_version(forbund, admin):
    first = upload_instrument(forbund, admin, instrument_text())
    retitled = instrument_text(title={"sv": "Kursdagen", "en": "The course day"})
    second = upload_instrument(forbund, admin, retitled)
    assert second.id == first.id
    assert stored_versions() == 1
    assert json.loads(second.definition)["title"]["sv"] == "Kursdagen"


def test_an_invalid_file_is_refused_with_every_problem_on_its_line(forbund, refused):
    data = instrument_data()
    data["items"][1]["type"] = "choice"
    del data["items"][2]["text"]
    text = json.dumps(data, ensure_ascii=False, indent=2)
    problems = refused(forbund, text)
    assert [problem.place for problem in problems] == ["/items/1/type", "/items/2"]
    lines = text.splitlines()
    type_problem, missing_text = problems
    assert lines[type_problem.line - 1][type_problem.column - 1:].startswith('"choice"')
    assert lines[missing_text.line - 1][missing_text.column - 1] == "{"
    assert missing_text.message == 'nyckeln "text" saknas'
    assert type_problem.message.startswith('"choice" är inte en frågetyp (en av: ')
    assert str(missing_text).startswith(f"rad {missing_text.line}, kolumn ")


def test_text_that_is_not_json_says_line_and_column(forbund, refused):
    text = instrument_text().replace('"version": 1,', '"version": 1')
    (problem,) = refused(forbund, text)
    line = next(number for number, content in enumerate(text.splitlines(), 1)
                if '"version": 1' in content)
    assert (problem.line, problem.place) == (line + 1, "")
    assert problem.message.startswith("ogiltig JSON: här förväntades ','")


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_an_empty_file_is_refused(forbund, refused, content):
    (problem,) = refused(forbund, content)
    assert problem.message == "ogiltig JSON: filen är tom"


def test_bytes_that_are_not_utf8_are_refused_with_their_place(forbund, refused):
    """Latin-1 "å" after "Utvärdering": the column counts characters, not bytes."""
    text = instrument_text()
    content = text.encode().replace("Utvärdering".encode(), "Utvärdering".encode() + b"\xe5")
    (problem,) = refused(forbund, content)
    line = next(number for number, content in enumerate(text.splitlines(), 1)
                if "Utvärdering" in content)
    column = text.splitlines()[line - 1].index("Utvärdering") + len("Utvärdering") + 1
    assert (problem.line, problem.column) == (line, column)
    assert "Filen är inte UTF-8-text" in problem.message and "0xe5" in problem.message


def test_a_byte_order_mark_is_accepted(forbund, admin):
    row = upload_instrument(forbund, admin, b"\xef\xbb\xbf" + instrument_text().encode())
    assert row.instrument_id == INSTRUMENT_ID


def test_the_id_of_a_bundled_instrument_is_refused(forbund, refused):
    (problem,) = refused(forbund, instrument_text(id="ors", version=99))
    assert problem.place == "/id"
    assert problem.message.startswith('id "ors" används redan av ett instrument som följer med')
    assert problem.line == 3


@pytest.mark.parametrize(("key", "value"), [("enrolment", "starts"),
                                          ("session_chart", "outcome")])
def test_a_part_only_a_bundled_instrument_plays_is_refused(forbund, refused, key, value):
    """A second inskrivning or ORS would make every report and staff page ambiguous."""
    (problem,) = refused(forbund, instrument_text(results={key: value}))
    assert problem.place == f"/results/{key}"
    assert problem.message.startswith(f'"{key}": "{value}" spelas av ett instrument som följer')
    assert problem.line is not None


def test_an_own_instrument_declares_its_table_order_and_splits(forbund, admin):
    row = upload_instrument(forbund, admin, instrument_text(
        results={"table": "kursdag", "order": 5, "split_by": ["nytta"]}).encode())
    publish_instrument(row, admin)
    instrument = resolve_instrument(INSTRUMENT_ID)
    assert (instrument.results.table, instrument.results.order,
            instrument.results.split_by) == ("kursdag", 5, ("nytta",))


def test_the_id_of_another_forbunds_instrument_is_refused_even_unpublished(
    forbund, make_forbund, refused
):
    other = make_forbund("grannen")
    upload_instrument(other, None, instrument_text())
    (problem,) = refused(forbund, instrument_text(version=2))
    assert problem.message.startswith(
        'id "kursutvardering" används redan av ett annat samordningsförbund')


@pytest.mark.parametrize("version", [1, 2])
def test_a_version_must_be_higher_than_the_published_one(forbund, admin, refused, version):
    publish_instrument(upload_instrument(forbund, admin, instrument_text(version=2)), admin)
    (problem,) = refused(forbund, instrument_text(version=version))
    assert problem.place == "/version"
    assert problem.message == (f"version {version} är inte högre än den publicerade versionen 2: "
                               'höj "version" till 3')


def test_publishing_is_refused_twice_and_below_a_published_version(forbund, admin):
    older = upload_instrument(forbund, admin, instrument_text(version=2))
    newer = upload_instrument(forbund, admin, instrument_text(version=3))
    publish_instrument(newer, admin)
    with pytest.raises(PublishRefused, match="redan publicerad"):
        publish_instrument(newer, admin)
    with pytest.raises(PublishRefused, match="Version 3 av kursutvardering är redan publicerad"):
        publish_instrument(older, admin)
    assert older.published_at is None


def test_a_forbund_sees_the_bundled_instruments_and_its_own_with_their_responses(
    forbund, make_forbund, admin, make_response
):
    other = make_forbund("grannen")
    upload_instrument(other, None, instrument_text(id="grannens"))
    publish_instrument(upload_instrument(forbund, admin, instrument_text()), admin)
    upload_instrument(forbund, admin, instrument_text(version=2))
    for answer in ("1", "2"):
        make_response(INSTRUMENT_ID, {"nytta": answer}, timepoint="avslut")
    summaries = {summary.id: summary for summary in instruments_for(forbund)}
    assert "grannens" not in summaries
    assert {"ors", "nns-deltagare-avslut"} <= {key for key, s in summaries.items() if s.bundled}
    own = summaries[INSTRUMENT_ID]
    assert not own.bundled
    assert [(v.version, v.published, v.responses) for v in own.versions] == [
        (2, False, 0), (1, True, 2)]
    assert own.current.version == 1 and own.latest.version == 2
    assert own.latest.uploaded_by == admin.display_name
    assert list(summaries)[-1] == INSTRUMENT_ID  # bundled first
    assert instrument_for(forbund, "grannens") is None
    assert instrument_for(forbund, "ors").current.published


def test_responses_are_counted_per_forbund(forbund, make_forbund, make_response,
                                          make_participant):
    answers = dict.fromkeys(["individuellt", "nara-relationer", "socialt", "allmant"], "5.0")
    make_response("ors", answers, participant=make_participant(), timepoint="session-1")
    other = make_forbund("grannen")
    assert instrument_for(forbund, "ors").current.responses == 1
    assert instrument_for(other, "ors").current.responses == 0


def test_a_forbund_may_use_the_bundled_instruments_and_its_own_published_ones(
    forbund, make_forbund, admin
):
    upload_instrument(forbund, admin, instrument_text(id="bara-forhandsvisad"))
    publish_instrument(upload_instrument(forbund, admin, instrument_text()), admin)
    upload_instrument(forbund, admin, instrument_text(version=2))
    other = make_forbund("grannen")
    publish_instrument(upload_instrument(other, None, instrument_text(id="grannens")), None)
    usable = {instrument.id: instrument.version for instrument in usable_instruments(forbund)}
    assert usable[INSTRUMENT_ID] == 1 and usable["ors"] == resolve_instrument("ors").version
    assert "bara-forhandsvisad" not in usable and "grannens" not in usable


def test_an_own_published_instrument_is_offered_and_another_forbunds_is_refused(
        forbund, admin, make_forbund, make_insats, make_participant):
    import datetime as dt

    from enkat.services.answering.entry import entry_instruments
    from enkat.services.answering.invitations import InvitationRefused, create_invitation
    from enkat.services.organisation.schedules import schedulable_instruments
    from enkat.services.utskick.campaigns import campaign_instruments

    own = make_insats("egen", starts_on=dt.date(2025, 1, 1))
    publish_instrument(upload_instrument(forbund, admin, instrument_text()), admin)
    chef_survey = instrument_text(id="chefsenkat", audience="chef")
    publish_instrument(upload_instrument(forbund, admin, chef_survey), admin)
    assert INSTRUMENT_ID in {i.id for i in schedulable_instruments(forbund)}
    assert INSTRUMENT_ID in {i.id for i in entry_instruments(own)}
    assert "chefsenkat" in {i.id for i in campaign_instruments(forbund)}

    other = make_forbund("annat")
    theirs = make_insats("deras", of=other, starts_on=dt.date(2025, 1, 1))
    assert INSTRUMENT_ID not in {i.id for i in schedulable_instruments(other)}
    assert INSTRUMENT_ID not in {i.id for i in entry_instruments(theirs)}
    assert "chefsenkat" not in {i.id for i in campaign_instruments(other)}
    with pytest.raises(InvitationRefused, match="är ett annat förbunds eget instrument"):
        create_invitation(theirs, INSTRUMENT_ID, "avslut")


BROKEN = sorted((Path(__file__).parents[3] / "unit" / "instruments" / "broken").glob("*.json"))
@pytest.mark.parametrize("path", BROKEN, ids=lambda path: path.name)
def test_every_problem_of_an_uploaded_file_is_said_in_swedish(forbund, refused, path):
    for problem in refused(forbund, path.read_bytes()):
        assert english_words(problem.message) == [], (path.name, problem.message)
