"""Importing and exporting responses as tidy CSV: the paths that work."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.formats.tidy_csv import CsvProblem
from enkat.models import Answer, Response, ResponseSource
from enkat.services.answering.tidy_import import (
    ImportFailed,
    ImportSummary,
    import_responses,
)
from enkat.services.organisation.forbund import get_forbund
from enkat.services.organisation.insatser import get_insats
from enkat.services.results.answer_exports import export_responses

from ..tidy import HEADER, canonical, csv_bytes, rows, table_counts, with_forbund

NNS = "nns-deltagare-pagaende"
ORS = {"individuellt": "5.5", "nara-relationer": "6", "socialt": "7", "allmant": "4.2"}
SRS = {"relation": "9", "mal-och-amnen": "8.5", "metod": "9.1", "allmant": "9.9"}


def year_file() -> bytes:
    """A förbund's year, deliberately not in date order: the import sorts it."""
    return csv_bytes(
        *rows("a1", "finsam-avslut",
              {"avslutsanledning": "arbete", "sysselsattning": "arbete-ej-subventionerat"},
              timepoint="avslut", participant="KX7M4P", answered_on="2025-11-28"),
        *rows("s2", "srs", SRS, timepoint="session-2", participant="KX7M4P",
              answered_on="2025-11-28"),
        *rows("o1", "ors", ORS, timepoint="session-1", participant="KX7M4P",
              answered_on="2025-02-03"),
        *rows("i1", "finsam-inskrivning",
              {"kon": "kvinna", "aldersgrupp": "30-44",
               "forsorjning": ["forsorjningsstod", "a-kassa"], "sysselsattning": "ingen"},
              timepoint="start", participant="kx7m4p", answered_on="2025-02-03"),
        # a deltagare who left on the day they came: avslut listed before inskrivning
        *rows("a2", "finsam-avslut", {"avslutsanledning": "utan-matning"}, timepoint="avslut",
              participant="QW3E9R", answered_on="2025-04-07"),
        *rows("i2", "finsam-inskrivning", {"kon": "man"}, timepoint="start",
              participant="QW3E9R", answered_on="2025-04-07"),
        *rows("n1", NNS, {"q1": "5", "q6": "6", "kon": "kvinna"}, timepoint="pagaende",
              answered_on="2025-05-05"),
        "p1,test,,,nns-personal,1,arlig,2025-10-01,gemensamma-mal,3",
        # a free-text answer with a comma, quotes and a line break: two physical lines
        'p1,test,,,nns-personal,1,arlig,2025-10-01,synpunkter,'
        '"Bra, men ""tidsbrist"".\nFler möten"',
    )


def test_a_year_imports(insats):
    summary = import_responses(year_file())

    assert summary == ImportSummary(responses_created=8, participants_created=2)
    forbund = get_forbund("test")
    data = canonical(forbund)
    assert data["participants"] == ["KX7M4P", "QW3E9R"]
    assert data["enrolments"] == [
        ("KX7M4P", "steget", dt.date(2025, 2, 3), dt.date(2025, 11, 28)),
        ("QW3E9R", "steget", dt.date(2025, 4, 7), dt.date(2025, 4, 7)),
    ]
    assert data["responses"]["i1"] == (
        "finsam-inskrivning", 1, "steget", "KX7M4P", "start", dt.date(2025, 2, 3),
        {"aldersgrupp": ("30-44",), "forsorjning": ("forsorjningsstod", "a-kassa"),
         "kon": ("kvinna",), "sysselsattning": ("ingen",)},
    )
    assert data["responses"]["p1"] == (
        "nns-personal", 1, None, None, "arlig", dt.date(2025, 10, 1),
        {"gemensamma-mal": ("3",), "synpunkter": ('Bra, men "tidsbrist".\nFler möten',)},
    )
    assert data["responses"]["o1"][6] == {  # VAS values in their canonical form
        "individuellt": ("5.5",), "nara-relationer": ("6.0",), "socialt": ("7.0",),
        "allmant": ("4.2",),
    }
    sources = db.session.scalars(select(Response.source).where(Response.forbund_id == forbund.id))
    assert set(sources) == {ResponseSource.IMPORT}


def test_importing_twice_changes_nothing(insats):
    import_responses(year_file())
    before, data = table_counts(), canonical(get_forbund("test"))

    again = import_responses(year_file())

    assert again == ImportSummary(responses_unchanged=8)
    assert table_counts() == before
    assert canonical(get_forbund("test")) == data


def test_a_known_response_in_another_spelling_is_unchanged(insats):
    import_responses(year_file())
    lines = rows("i1", "finsam-inskrivning",
                 {"sysselsattning": "ingen", "forsorjning": ["a-kassa", "forsorjningsstod"],
                  "aldersgrupp": "30-44", "kon": "kvinna"},
                 timepoint="start", participant="KX7M4P", answered_on="2025-02-03")
    lines += rows("o1", "ors", ORS | {"socialt": "7.0", "allmant": "4.20"}, timepoint="session-1",
                  participant="KX7M4P", answered_on="2025-02-03")
    lines += rows("o2", "ors", ORS, timepoint="session-2", participant="KX7M4P",
                  answered_on="2025-03-03")

    summary = import_responses(csv_bytes(*lines))

    assert summary == ImportSummary(responses_created=1, responses_unchanged=2)


def test_a_problem_after_a_multiline_value_has_its_physical_line(refused, insats):
    data = year_file() + f"n9,test,steget,,{NNS},1,pagaende,2025-05-05,q7,9\n".encode()
    assert refused(data) == [
        'rad 25, kolumn value, fråga q7: "9" är inget av frågans svarsalternativ '
        "(tillåtna koder: 1, 2, 3, 4, 5, 6, 0)"
    ]


def test_the_failure_lists_every_problem_in_line_order():
    failure = ImportFailed([CsvProblem(7, "value", "b", item="q1"), CsvProblem(3, None, "a")])
    assert str(failure) == (
        "inget importerades: 2 problem i filen\nrad 3: a\nrad 7, kolumn value, fråga q1: b"
    )
    assert str(ImportFailed([CsvProblem(2, None, "a")])).startswith(
        "inget importerades: 1 problem i filen\n")
    many = ImportFailed([CsvProblem(line, None, "a") for line in range(2, 1236)])
    assert str(many).startswith("inget importerades: 1\u00a0234 problem i filen\n")


def test_bom_forbund_of_the_import_and_current_version(insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="", version="")
    summary = import_responses(b"\xef\xbb\xbf" + csv_bytes(*lines), forbund_slug="test")

    assert summary.responses_created == 1
    response = db.session.scalar(select(Response).where(Response.external_id == "n1"))
    assert response.forbund.slug == "test"
    assert response.instrument_version.version == 1


def test_create_missing_creates_forbund_and_insats(db_session):
    lines = rows("r1", "ors", ORS, timepoint="session-1", participant="KX7M4P",
                 forbund="nytt", insats="ny-insats")

    summary = import_responses(csv_bytes(*lines), create_missing=True)

    assert summary == ImportSummary(responses_created=1, participants_created=1,
                                    insatser_created=1, forbund_created=1)
    forbund = get_forbund("nytt")
    assert (forbund.name, get_insats(forbund, "ny-insats").name) == ("nytt", "ny-insats")


def test_anonymous_response_without_insats(forbund):
    lines = rows("p1", "nns-personal", {"gemensamma-mal": "4"}, timepoint="arlig", insats="")
    assert import_responses(csv_bytes(*lines)).responses_created == 1


def test_an_empty_value_beside_answers_is_a_question_not_answered(insats):
    """A paper form with some questions left blank: the blank ones are not answered, the
    response is imported with the others."""
    lines = rows("n1", NNS, {"q1": "5", "q2": "", "q6": "6"}, timepoint="pagaende")
    assert import_responses(csv_bytes(*lines)).responses_created == 1
    assert canonical(get_forbund("test"))["responses"]["n1"][6] == {"q1": ("5",),
                                                                    "q6": ("6",)}


def test_a_value_of_spaces_only_is_a_question_not_answered(insats):
    """Spaces around a value are ignored (docs/formats.md), so spaces alone are no answer:
    the same as an empty value, not a refused one."""
    lines = rows("n1", NNS, {"q1": " 5 ", "q2": "   ", "q6": "6"}, timepoint="pagaende")
    assert import_responses(csv_bytes(*lines)).responses_created == 1
    assert canonical(get_forbund("test"))["responses"]["n1"][6] == {"q1": ("5",),
                                                                    "q6": ("6",)}


# --- export ----------------------------------------------------------------------------


def export(**filters) -> str:
    out = io.StringIO()
    export_responses(out, **filters)
    return out.getvalue()


def test_export_writes_rows_in_a_stable_order(insats, make_participant, make_response):
    participant = make_participant("KX7M4P")
    make_response("finsam-inskrivning", {"kon": "annat", "forsorjning": ["lon", "annan"]},
                  participant=participant, timepoint="start", answered_on=dt.date(2025, 2, 3),
                  external_id="b")
    make_response("ors", ORS, participant=participant, timepoint="session-1",
                  answered_on=dt.date(2025, 2, 3), external_id="a")

    out = io.StringIO()
    written = export_responses(out, forbund=insats.forbund)

    ors_frame = "a,test,steget,KX7M4P,ors,1,session-1,2025-02-03"
    start_frame = "b,test,steget,KX7M4P,finsam-inskrivning,1,start,2025-02-03"
    assert written == 7
    assert out.getvalue() == "\n".join([
        HEADER,
        f"{ors_frame},individuellt,5.5",
        f"{ors_frame},nara-relationer,6.0",
        f"{ors_frame},socialt,7.0",
        f"{ors_frame},allmant,4.2",
        f"{start_frame},kon,annat",
        f"{start_frame},forsorjning,lon",
        f"{start_frame},forsorjning,annan",
    ]) + "\n"


def test_export_filters(insats, make_insats, make_forbund, make_response):
    other_insats = make_insats("annan-insats")
    for day, external_id in ((1, "d1"), (2, "d2"), (3, "d3"), (4, "d4")):
        make_response(NNS, {"q1": "5"}, timepoint="pagaende", external_id=external_id,
                      answered_on=dt.date(2025, 3, day))
    make_response(NNS, {"q1": "4"}, timepoint="pagaende", external_id="other-insats",
                  of_insats=other_insats, answered_on=dt.date(2025, 3, 2))
    draft = make_response(NNS, {"q1": "3"}, timepoint="pagaende", external_id="draft",
                          answered_on=dt.date(2025, 3, 2))
    draft.submitted_at = None
    other = make_forbund("annat")
    db.session.add(Response(forbund_id=other.id, external_id="elsewhere",
                            instrument_version_id=draft.instrument_version_id, timepoint="pagaende",
                            answered_on=dt.date(2025, 3, 2), submitted_at=draft.started_at,
                            source=ResponseSource.PAPER,
                            answers=[Answer(item_id="q1", value="2")]))
    db.session.flush()

    def ids(**filters) -> list[str]:
        return [line.split(",")[0] for line in export(**filters).splitlines()[1:]]

    assert ids(forbund=insats.forbund, insats=insats, date_from=dt.date(2025, 3, 2),
               date_to=dt.date(2025, 3, 3)) == ["d2", "d3"]
    assert ids(forbund=insats.forbund, date_to=dt.date(2025, 3, 2)) == ["d1", "d2", "other-insats"]
    assert ids(date_from=dt.date(2025, 3, 2), date_to=dt.date(2025, 3, 2)) == [
        "d2", "elsewhere", "other-insats"
    ]


def test_export_of_nothing_is_the_header(db_session):
    assert export() == HEADER + "\n"


def test_export_then_import_gives_the_same_data(insats, make_participant, make_response):
    participant = make_participant("KX7M4P")
    make_response("finsam-inskrivning", {"kon": "kvinna", "sysselsattning": ["studier", "ingen"]},
                  participant=participant, timepoint="start", answered_on=dt.date(2025, 2, 3))
    make_response("ors", ORS, participant=participant, timepoint="session-1",
                  answered_on=dt.date(2025, 2, 3))
    make_response("finsam-avslut", {"avslutsanledning": "studier"}, participant=participant,
                  timepoint="avslut", answered_on=dt.date(2025, 6, 30))
    make_response(NNS, {"q2": "0", "kon": "man"}, timepoint="pagaende")
    make_response("nns-chefer", {"resurser": "2"}, timepoint="arlig", of_insats=None)

    exported = export(forbund=insats.forbund)
    summary = import_responses(with_forbund(exported, "kopia"), create_missing=True)

    assert summary == ImportSummary(responses_created=5, participants_created=1,
                                    insatser_created=1, forbund_created=1)
    assert canonical(get_forbund("kopia")) == canonical(insats.forbund)


def test_export_import_export_is_byte_identical(insats):
    import_responses(year_file())
    first = export(forbund=get_forbund("test"))

    import_responses(with_forbund(first, "kopia"), create_missing=True)
    second = export(forbund=get_forbund("kopia"))

    assert with_forbund(second, "test") == first.encode("utf-8")


# --- a förbund's own instrument --------------------------------------------------------


LOCAL_INSTRUMENT = {
    "format": 1,
    "id": "kursutvardering",
    "version": 2,
    "title": {"sv": "Kursutvärdering", "en": "Course evaluation"},
    "audience": "personal",
    "rated_by": "self",
    "anonymous": True,
    "languages": ["sv", "en"],
    "timepoints": ["efter-kurs"],
    "source": {"owner": "Samordningsförbundet Test", "licence": "own", "verified": "own"},
    "items": [
        {"id": "nytta", "type": "single", "required": True,
         "text": {"sv": "Hade du nytta av dagen?", "en": "Was the day useful?"},
         "options": [{"code": "ja", "label": {"sv": "Ja", "en": "Yes"}},
                     {"code": "nej", "label": {"sv": "Nej", "en": "No"}}]},
        {"id": "amnen", "type": "multiple",
         "text": {"sv": "Vilka ämnen vill du veta mer om?", "en": "Which topics?"},
         "options": [
             {"code": "sip", "label": "SIP"},
             {"code": "skip", "label": "SKIP"},
             {"code": "lokala-overenskommelser", "label": {"sv": "Lokala", "en": "Local"}},
         ]},
    ],
}


@pytest.fixture
def local_instruments(app, tmp_path, monkeypatch):
    """The application reads its instruments from a folder holding a förbund's own file."""
    (tmp_path / "kursutvardering.json").write_text(json.dumps(LOCAL_INSTRUMENT), encoding="utf-8")
    monkeypatch.setitem(app.config, "INSTRUMENTS_DIR", str(tmp_path))


def test_local_instrument_round_trip(forbund, local_instruments):
    lines = rows("k1", "kursutvardering", {"nytta": "ja", "amnen": ["skip", "sip"]},
                 timepoint="efter-kurs", insats="", version="")
    lines += rows("k2", "kursutvardering", {"nytta": "nej"}, timepoint="efter-kurs", insats="",
                  version="2")
    assert import_responses(csv_bytes(*lines), forbund_slug="test").responses_created == 2

    exported = export(forbund=forbund)

    assert exported.splitlines()[1:] == [
        "k1,test,,,kursutvardering,2,efter-kurs,2025-03-03,nytta,ja",
        "k1,test,,,kursutvardering,2,efter-kurs,2025-03-03,amnen,skip",
        "k1,test,,,kursutvardering,2,efter-kurs,2025-03-03,amnen,sip",
        "k2,test,,,kursutvardering,2,efter-kurs,2025-03-03,nytta,nej",
    ]
    assert import_responses(exported.encode()).responses_unchanged == 2


def test_local_instrument_changed_without_a_new_version(refused, app, forbund, local_instruments,
                                                        tmp_path, monkeypatch):
    lines = rows("k1", "kursutvardering", {"nytta": "ja"}, timepoint="efter-kurs", insats="",
                 version="2")
    import_responses(csv_bytes(*lines))
    edited = tmp_path / "edited"
    edited.mkdir()
    changed = LOCAL_INSTRUMENT | {"title": {"sv": "Utvärdering", "en": "Evaluation"}}
    (edited / "kursutvardering.json").write_text(json.dumps(changed), encoding="utf-8")
    monkeypatch.setitem(app.config, "INSTRUMENTS_DIR", str(edited))

    [problem] = refused(csv_bytes(*[line.replace("k1,", "k2,") for line in lines]))

    assert problem.startswith(
        'rad 2, kolumn instrument: instrumentet "kursutvardering" version 2 har ändrats '
        "sedan det först användes"
    )
    assert problem.endswith('höj "version" till 3 för att använda det nya innehållet')


def test_local_instrument_values_are_checked(refused, forbund, local_instruments):
    lines = rows("k1", "kursutvardering", {"amnen": "sik"}, timepoint="efter-kurs", insats="")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn instrument_version: okänt instrument "kursutvardering" version 1',
    ]
    lines = rows("k1", "kursutvardering", {"amnen": "sik"}, timepoint="efter-kurs", insats="",
                 version="2")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn value, fråga amnen: "sik" är inget av frågans svarsalternativ '
        "(tillåtna koder: sip, skip, lokala-overenskommelser)",
        "rad 2, fråga nytta: måste besvaras men har inget svar",
    ]


def test_the_documented_example_imports(db_session, repo_root):
    """docs/formats.md is the public description: its example must stay valid."""
    text = (repo_root / "docs" / "formats.md").read_text(encoding="utf-8")
    example = text.split("### Example\n\n```\n", 1)[1].split("```", 1)[0]

    summary = import_responses(example.encode("utf-8"), create_missing=True)

    assert summary == ImportSummary(responses_created=5, participants_created=1,
                                    insatser_created=1, forbund_created=1)
    assert canonical(get_forbund("finsam-nord"))["enrolments"] == [
        ("KX7M4P", "steget", dt.date(2025, 2, 3), dt.date(2025, 11, 28))
    ]
