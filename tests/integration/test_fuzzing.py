"""Hostile and random input at the doors where outsiders write: the respondent pages and
the tidy CSV import. Whatever comes in, the answer is a designed one (never a 500 or a
traceback) and nothing is half-written: a draft only ever holds answers its instrument
accepts, and a refused import leaves every table as it was.

The link answers nns-personal, whose last question is free text: only there does a
posted value reach a TEXT column as it was sent (every other answer must be one of the
item's codes or a number, and anything else is refused before the database sees it), so
only there can a NUL byte, which PostgreSQL cannot store, reach the database. The
examples below make sure it is tried on every run, not only when hypothesis happens to
draw one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from enkat.extensions import db
from enkat.instruments.answers import check_answers
from enkat.services.answering.drafts import instrument_of
from enkat.services.answering.responses import answers_of
from enkat.services.answering.tidy_import import ImportFailed, import_responses
from tests.integration.services.tidy import HEADER, csv_bytes, rows, table_counts
from tests.integration.web.test_respond import make_link, stored

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
DESIGNED = {204, 303, 400, 404, 405, 410, 413, 422}
#: nns-personal's items, free text last; then names no instrument has.
ITEMS = ["gemensamma-mal", "kannedom-organisationer", "planering-efter-avslut",
         "samverkansplattform", "jamstalldhet-mangfald", "implementering", "mandat",
         "synpunkter", "okänd", "", "csrf_token"]
FREE_TEXT = "synpunkter"

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0", "1", "6", "7", "-1", "4.5", "1e9", "kvinna", "NaN", "∞",
                     "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "\ud800"]),
    st.text(min_size=5_000, max_size=20_000).map(lambda text: text or "x" * 5_000),
)
fields = st.dictionaries(
    st.one_of(st.sampled_from([f"answer-{item}" for item in ITEMS] + ["go_to", "from_review"]),
              st.text(max_size=20)),
    st.one_of(texts, st.lists(texts, max_size=4)),
    max_size=6,
)


@pytest.fixture
def link(insats):
    path, invitation = make_link(insats, "nns-personal", "arlig")
    return path, invitation


def _encoded(data: dict) -> bytes:
    """The form body as bytes, broken UTF-8 and all (the test client would refuse it)."""
    from urllib.parse import quote_from_bytes

    parts = []
    for key, values in data.items():
        for value in values if isinstance(values, list) else [values]:
            raw = value.encode("utf-8", "surrogatepass")
            parts.append(f"{quote_from_bytes(key.encode('utf-8', 'surrogatepass'))}="
                         f"{quote_from_bytes(raw)}")
    return "&".join(parts).encode("ascii")


@FUZZ
@given(key=st.sampled_from(ITEMS[:8] + ["okänd", "x" * 300]), data=fields,
       review=st.booleans())
@example(key=FREE_TEXT, data={f"answer-{FREE_TEXT}": "före\x00efter", "go_to": "next"},
         review=False)
@example(key=FREE_TEXT, data={f"answer-{FREE_TEXT}": "\x00", "from_review": "1"}, review=False)
def test_random_posts_to_a_link_get_a_designed_answer_and_keep_the_draft_valid(
        client, link, key, data, review):
    path, invitation = link
    target = f"{path}/granska" if review else f"{path}/fraga/{key}"
    answered = client.post(target, data=_encoded(data),
                           content_type="application/x-www-form-urlencoded")
    page = answered.get_data(as_text=True)
    assert answered.status_code in DESIGNED | {200}, (answered.status_code, page[:300])
    assert "Traceback" not in page
    draft = stored(invitation)
    if draft is not None and draft.submitted_at is None:
        answers = answers_of(draft)
        _, problems = check_answers(instrument_of(draft), answers,
                                    timepoint=draft.timepoint, complete=False)
        assert problems == (), answers


@FUZZ
@given(noise=st.binary(max_size=2_000))
def test_random_bytes_are_refused_by_the_import_with_nothing_written(db_session, forbund,
                                                                     noise):
    before = table_counts()
    with pytest.raises(ImportFailed):
        import_responses(noise, forbund_slug="test")
    assert table_counts() == before


def _quoted(text: str) -> str:
    """One CSV cell, quoted as the format says."""
    return '"' + text.replace('"', '""') + '"'


@FUZZ
@given(item=st.text(max_size=80), value=st.text(max_size=300),
       answered_on=st.sampled_from(["2025-03-03", "2025-02-30", "igår", "", "9999-99-99"]),
       participant=st.sampled_from(["", "ABC123", "19800101-1234", "x" * 40, "a b"]))
def test_hostile_rows_import_whole_or_not_at_all(db_session, forbund, insats, item, value,
                                                 answered_on, participant):
    good = rows("r1", "nns-deltagare-avslut", {"q1": "4"}, timepoint="avslut")
    hostile = (f"r1,test,steget,{participant},nns-deltagare-avslut,1,avslut,{answered_on},"
               f"{_quoted(item)},{_quoted(value)}")
    before = table_counts()
    try:
        import_responses(csv_bytes(*good, hostile, header=HEADER), forbund_slug="test")
    except ImportFailed:
        assert table_counts() == before
    else:
        db.session.rollback()  # accepted as a whole: fine; undo for the next example
