"""Indicator tables for any instrument, as its file declares them: a table per timepoint,
kön columns from its declared kön item, a table per item the results are split by."""

from __future__ import annotations

import pytest

from enkat.instruments import load_data
from enkat.reports.indicators import indicator_records, indicator_tables, tally
from enkat.reports.inputs import AnswerCount
from enkat.scoring.suppression import Suppression

K = Suppression(5)


def survey(**results):
    return load_data({
        "format": 1, "id": "samverkan", "version": 1, "title": "Samverkansenkät",
        "audience": "personal", "rated_by": "self", "languages": ["sv"],
        "timepoints": ["start", "session-{n}"],
        "source": {"owner": "Förbundet", "licence": "fri", "verified": "egen"},
        "items": [
            {"id": "roll", "type": "single", "text": "Din roll",
             "options": [{"code": "chef", "label": "Chef"}, {"code": "handlaggare",
                                                            "label": "Handläggare"},
                         {"code": "vill-ej", "label": "Vill inte säga"}],
             "missing": ["vill-ej"]},
            {"id": "kon", "type": "single", "text": "Kön",
             "options": [{"code": "kvinna", "label": "Kvinna"}, {"code": "man", "label": "Man"},
                         {"code": "okant", "label": "Uppgift saknas"}]},
            {"id": "nytta", "type": "yesno", "text": "Har samverkan varit till nytta?",
             "positive": ["ja"], "indicator": "nytta"},
            {"id": "tid", "type": "yesno", "text": "Räcker tiden?", "positive": ["ja"]},
        ],
        "scoring": {"indicators": [{"id": "nytta", "label": "Nytta"}]},
        **({"results": results} if results else {}),
    }, "test")


def counts(instrument, timepoint, rows):
    """rows: (item, value, count, roll, kön)"""
    return [AnswerCount(instrument.id, timepoint, item, value, count, groups)
            for item, value, count, *groups in rows]


def test_a_table_per_timepoint_answered_with_ids_from_the_declared_table_id():
    instrument = survey(table="samverkan-personal")
    now = tally([*counts(instrument, "start", [("nytta", "ja", 6), ("nytta", "nej", 2)]),
                 *counts(instrument, "session-3", [("nytta", "ja", 1)]),
                 *counts(instrument, "session-12", [("nytta", "ja", 5)])],
                {instrument.id: instrument})
    tables = indicator_tables(instrument, now, {}, K)
    assert [(t.id, t.title) for t in tables] == [
        ("samverkan-personal-start", "Samverkansenkät: vid start"),
        ("samverkan-personal-session-n", "Samverkansenkät: varje samtal")]
    start, sessions = tables
    assert [(row.key, row.label) for row in start.rows] == [
        ("nytta", "3. Har samverkan varit till nytta?"), ("tid", "4. Räcker tiden?")]
    assert start.figure("3. Har samverkan varit till nytta?", "andel").value == 0.75
    assert sessions.figure("3. Har samverkan varit till nytta?", "n").value == 6
    assert [r["table"] for r in indicator_records(tables)] == [
        "samverkan-personal-start", "samverkan-personal-start",
        "samverkan-personal-session-n", "samverkan-personal-session-n"]


def test_without_answers_in_either_period_there_is_no_table():
    instrument = survey()
    assert indicator_tables(instrument, {}, {}, K) == []


def test_kon_columns_follow_the_declared_kon_item_without_its_unknown_code():
    instrument = survey(kon={"item": "kon", "unknown": "okant"})
    now = tally(counts(instrument, "start", [
        ("nytta", "ja", 5, "kvinna"), ("nytta", "nej", 1, "kvinna"), ("nytta", "ja", 2, "man"),
        ("nytta", "ja", 3, "okant"), ("nytta", "ja", 1, None)]), {instrument.id: instrument})
    [table] = indicator_tables(instrument, now, {}, K)
    assert [c.key for c in table.columns] == [
        "n", "andel", "vet-ej", "andel-kvinna", "andel-man", "andel-foregaende", "skillnad"]
    label = "3. Har samverkan varit till nytta?"
    assert table.figure(label, "n").value == 12
    assert table.figure(label, "andel-kvinna").value == pytest.approx(5 / 6)
    assert table.figure(label, "andel-man").shown == "<5"  # two answers


def test_a_split_item_gives_a_table_of_the_share_per_answer():
    instrument = survey(split_by=["roll"])
    now = tally(counts(instrument, "start", [
        ("nytta", "ja", 4, "chef"), ("nytta", "nej", 1, "chef"),
        ("nytta", "ja", 2, "handlaggare"), ("nytta", "nej", 4, "handlaggare"),
        ("nytta", "ja", 9, "vill-ej")]), {instrument.id: instrument})
    overall, by_role = indicator_tables(instrument, now, {}, K)
    assert overall.id == "samverkan-start"
    assert by_role.id == "samverkan-start-per-roll"
    assert [c.label for c in by_role.columns] == ["Chef", "Handläggare"]  # not "vill inte"
    label = "3. Har samverkan varit till nytta?"
    assert by_role.figure(label, "andel-chef").value == pytest.approx(4 / 5)
    assert by_role.figure(label, "andel-handlaggare").value == pytest.approx(2 / 6)
    assert overall.figure(label, "n").value == 20  # every respondent, whatever their role
