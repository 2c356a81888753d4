"""Loading valid instruments: the objects, their identity, and the loader entry points."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from enkat.instruments import (
    Condition,
    Instrument,
    InstrumentError,
    Problem,
    Text,
    bundled_directory,
    canonical_json,
    check_paths,
    load_data,
    load_directory,
    load_file,
    load_text,
    sha256_of,
)
from tests.swedish import english_words

from .conftest import EVERY_TYPE, LOCAL

ITEM_TYPES = [
    "info",
    "single",
    "multiple",
    "ordinal",
    "vas",
    "number",
    "date",
    "yesno",
    "text",
    "longtext",
]


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON value with every object's keys in a random order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [shuffled(entry, rng) for entry in value]
    return value


# --- the instrument ---------------------------------------------------------------------


def test_every_item_type_and_feature_loads(every_type: Instrument) -> None:
    assert sorted({item.type for item in every_type.items}) == sorted(ITEM_TYPES)
    assert every_type.id == "alla-typer"
    assert every_type.version == 3
    assert every_type.title.get("en") == "Every item type"
    assert (
        every_type.description is not None
        and every_type.description.get("sv") == "Ett testformulär."
    )
    assert every_type.audience == "deltagare"
    assert every_type.rated_by == "self"
    assert every_type.anonymous is False
    assert every_type.languages == ("sv", "en", "ar")
    assert every_type.estimated_minutes == 10
    assert every_type.timepoints == ("start", "session-{n}", "uppfoljning-{n}m", "avslut")
    assert every_type.source.owner == "Testförbundet"
    assert every_type.source.url == "https://example.org/alla-typer"
    assert every_type.warnings == ()


def test_items_are_in_order_and_found_by_id(every_type: Instrument) -> None:
    assert [item.id for item in every_type.items][:3] == ["valkommen", "kon", "q1"]
    assert every_type.item("q1").type == "ordinal"
    with pytest.raises(KeyError, match='no item "q99"'):
        every_type.item("q99")


def test_pages_know_their_items(every_type: Instrument) -> None:
    assert [page.id for page in every_type.pages] == ["intro", "fragor", "slut"]
    assert every_type.page("intro").item_ids == ("valkommen", "kon")
    assert every_type.page("slut").title is None
    assert every_type.item("q1").page == "fragor"


def test_scales_resolve_into_item_codes(every_type: Instrument) -> None:
    q1 = every_type.item("q1")
    assert q1.scale == "nns6"
    assert q1.codes == ("1", "2", "3", "4", "5", "6", "0")
    assert q1.missing_codes == ("0",)
    assert q1.positive_codes == ("5", "6")
    assert q1.code_label("6", "en") == "Completely"
    assert every_type.scale("nns6").codes == q1.codes
    kon = every_type.item("kon")
    assert kon.code_label("uppgift-saknas", "en") == "uppgift-saknas"  # no label: the code itself
    with pytest.raises(KeyError):
        kon.code_label("okand")


def test_inline_options_and_yesno(every_type: Instrument) -> None:
    stod = every_type.item("stod")
    assert stod.is_multiple and stod.scale is None
    assert stod.codes == ("samtal", "praktik", "studier", "vet-ej")
    assert stod.missing_codes == ("vet-ej",)
    assert stod.positive_codes == ("praktik", "studier")
    assert (stod.min_selected, stod.max_selected) == (1, 2)
    arbete = every_type.item("arbete")
    assert arbete.codes == ("ja", "nej")
    assert arbete.positive_codes == ("ja",)
    assert arbete.code_label("ja") == "Ja"
    assert arbete.code_label("nej", "en") == "No"
    assert every_type.item("betyg").codes == ("1", "2", "3")


def test_type_specific_keys(every_type: Instrument) -> None:
    vas = every_type.item("individuellt")
    assert vas.anchors is not None and vas.anchors.high.get("en") == "Good"
    number = every_type.item("timmar")
    assert (number.min, number.max, number.decimals) == (0, 60, 1)
    assert number.unit is not None and number.unit.get("sv") == "timmar"
    date = every_type.item("startdatum")
    assert (date.min, date.max) == (datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))
    assert every_type.item("praktik-plats").max_length == 80
    assert every_type.item("kommentar").max_length == 4000
    assert every_type.item("namn-pa-insats").max_length == 200


def test_item_flags(every_type: Instrument) -> None:
    info = every_type.item("valkommen")
    assert not info.answerable and info.codes == () and info.help is not None
    assert every_type.item("kommentar").is_free_text
    assert every_type.item("praktik-plats").is_free_text
    assert not every_type.item("q1").is_free_text
    assert every_type.item("q1").required and every_type.item("q1").is_coded
    assert not every_type.item("kon").required
    assert every_type.item("timmar").codes == ()


def test_an_item_declares_the_decimals_of_its_numbers(every_type: Instrument) -> None:
    assert every_type.item("individuellt").decimal_places == 1  # a VAS mark: tenths
    assert every_type.item("timmar").decimal_places == 1  # a number: its decimals
    assert every_type.item("betyg").decimal_places == 0
    assert every_type.item("arbete").decimal_places == 0  # codes in words
    assert every_type.item("kommentar").decimal_places == 0
    betyg = every_type.item("betyg")
    halves = dataclasses.replace(betyg, options=tuple(
        dataclasses.replace(option, code=code)
        for option, code in zip(betyg.options, ("1", "1.5", "2.25"), strict=True)))
    assert halves.decimal_places == 2
    assert dataclasses.replace(halves, missing_codes=("2.25",)).decimal_places == 1


def test_conditions_are_parsed(every_type: Instrument) -> None:
    assert every_type.item("praktik-plats").show_if == Condition("stod", "equals", ("praktik",))
    assert every_type.item("timmar").show_if == Condition("q1", "in", ("4", "5", "6"))
    assert every_type.item("kommentar").show_if == Condition("arbete", "answered")
    assert every_type.item("q1").show_if is None


def test_scores_and_indicators(every_type: Instrument) -> None:
    total = every_type.score("total")
    assert total.items == ("q1", "individuellt", "timmar")
    assert (total.method, total.max_missing, total.higher_is_better) == ("sum", 1, True)
    assert (total.cutoff, total.rci, total.meaningful_change) == (25, 5, 1.5)
    assert (total.item_flag_below, total.drop_flag) == (9, 1)
    mean = every_type.score("medel")
    assert (mean.method, mean.max_missing, mean.higher_is_better, mean.cutoff) == (
        "mean",
        0,
        False,
        None,
    )
    assert mean.label.get("en") == "Medel"
    assert every_type.indicator("nytta").description is not None
    assert every_type.item("q1").indicator == "nytta"
    with pytest.raises(KeyError):
        every_type.score("okand")
    with pytest.raises(KeyError):
        every_type.indicator("okand")


def test_item_timepoints(every_type: Instrument) -> None:
    vas = every_type.item("individuellt")
    assert vas.timepoints == ("session-{n}",)
    assert vas.asked_at("session-4") and not vas.asked_at("start")
    assert every_type.item("q1").asked_at("anything")
    asked = [item.id for item in every_type.items_asked_at("start")]
    assert "startdatum" in asked and "individuellt" not in asked


@pytest.mark.parametrize(
    ("timepoint", "matches"),
    [
        ("start", True),
        ("avslut", True),
        ("session-3", True),
        ("session-12", True),
        ("session-0", False),
        ("session-03", False),
        ("session-x", False),
        ("session-", False),
        ("session-{n}", False),
        ("uppfoljning-6m", True),
        ("uppfoljning-18m", True),
        ("uppfoljning-6", False),
        ("pagaende", False),
        ("START", False),
    ],
)
def test_timepoint_patterns(every_type: Instrument, timepoint: str, matches: bool) -> None:
    assert every_type.matches_timepoint(timepoint) is matches


# --- texts --------------------------------------------------------------------------------


def test_text_falls_back_to_swedish() -> None:
    text = Text.of({"sv": "Hej", "en": "Hello"})
    assert text.get("en") == "Hello"
    assert text.get("ar") == "Hej"
    assert text.get() == "Hej" == str(text)
    assert text.language_for("en") == "en"
    assert text.language_for("ar") == "sv"


def test_plain_text_is_the_same_in_every_language() -> None:
    text = Text.of("Arbetsförmedlingen")
    assert text.get("sv") == text.get("en") == text.get("ar") == "Arbetsförmedlingen"
    assert text.language_for("ar") == "ar"


# --- frozen, hashable, identity -------------------------------------------------------------


def test_objects_are_frozen(every_type: Instrument) -> None:
    targets: list[tuple[Any, str]] = [
        (every_type, "version"),
        (every_type.item("q1"), "text"),
        (every_type.item("q1").text, "values"),
        (every_type.scale("nns6"), "name"),
        (every_type.score("total"), "cutoff"),
        (every_type.pages[0], "id"),
        (every_type.source, "owner"),
    ]
    for target, name in targets:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(target, name, None)


def test_objects_are_hashable(every_type: Instrument) -> None:
    objects = [
        every_type,
        *every_type.items,
        *every_type.scales,
        *every_type.pages,
        *every_type.scores,
        *every_type.indicators,
        every_type.source,
    ]
    assert len({hash(value) for value in objects}) > 1
    assert {every_type: "ok"}[every_type] == "ok"


def test_no_lists_or_dicts_inside(every_type: Instrument) -> None:
    def walk(value: Any) -> None:
        assert not isinstance(value, (list, dict, set)), value
        if dataclasses.is_dataclass(value):
            for entry in dataclasses.fields(value):
                walk(getattr(value, entry.name))
        elif isinstance(value, tuple):
            for entry in value:
                walk(entry)

    walk(every_type)


def test_identity_is_id_version_and_hash(every_type_data: dict[str, Any]) -> None:
    first = load_data(every_type_data, "a")
    again = load_data(json.loads(json.dumps(every_type_data)), "b")
    assert first == again and hash(first) == hash(again)
    every_type_data["items"][0]["text"]["sv"] = "Tack!"
    changed = load_data(every_type_data, "c")
    assert changed != first and changed.sha256 != first.sha256
    assert first != "alla-typer"


def test_hash_ignores_key_order_and_whitespace(every_type_data: dict[str, Any]) -> None:
    reference = load_file(EVERY_TYPE)
    rng = random.Random(7)
    for indent in (None, 1, 4, "\t"):
        text = json.dumps(
            shuffled(every_type_data, rng), indent=indent, ensure_ascii=bool(indent == 4)
        )
        assert load_text(text, "x").sha256 == reference.sha256
    assert reference.sha256 == sha256_of(every_type_data)


def test_canonical_json_is_the_documented_form() -> None:
    data = {"b": [1, {"å": "ä"}], "a": True}
    assert canonical_json(data) == '{"a":true,"b":[1,{"å":"ä"}]}'
    assert sha256_of(data) == hashlib.sha256('{"a":true,"b":[1,{"å":"ä"}]}'.encode()).hexdigest()


def test_definition_is_a_fresh_copy(
    every_type: Instrument, every_type_data: dict[str, Any]
) -> None:
    definition = every_type.definition()
    assert definition == every_type_data
    definition["id"] = "changed"
    assert every_type.definition()["id"] == "alla-typer"
    assert every_type.canonical_json == canonical_json(every_type_data)


def test_loaded_data_is_copied(small_data: dict[str, Any]) -> None:
    instrument = load_data(small_data, "x")
    small_data["items"][0]["text"] = {"sv": "Ändrad", "en": "Changed"}
    assert instrument.item("q1").text.get("sv") == "Fråga"
    assert instrument.definition()["items"][0]["text"]["sv"] == "Fråga"


def test_tuples_in_data_count_as_lists(small_data: dict[str, Any]) -> None:
    as_lists = load_data(small_data, "x")
    small_data["languages"] = ("sv", "en")
    assert load_data(small_data, "x") == as_lists


def test_warnings_do_not_count_for_equality(small_data: dict[str, Any]) -> None:
    small_data["languages"] = ["sv"]
    small_data["title"] = "Liten"
    small_data["items"][0]["text"] = {"sv": "Fråga"}
    instrument = load_data(small_data, "liten.json")
    assert [str(problem) for problem in instrument.warnings] == [
        'liten.json /languages: varning: "en" saknas i languages; texter på engelska förväntas'
    ]
    without = dataclasses.replace(instrument, warnings=())
    assert without == instrument and hash(without) == hash(instrument)


def test_repr_is_short(every_type: Instrument) -> None:
    assert repr(every_type).startswith("Instrument(id='alla-typer', version=3, sha256='")


# --- loader entry points ----------------------------------------------------------------------


def test_local_instrument_written_from_the_docs_loads() -> None:
    instrument = load_file(LOCAL)
    assert instrument.id == "kursutvardering"
    assert instrument.anonymous and instrument.audience == "personal"
    assert instrument.warnings == ()
    assert instrument.item("varfor-inte").show_if == Condition("rekommendera", "equals", ("nej",))
    assert instrument.item("nytta").positive_codes == ("3", "4")
    assert instrument.item("organisation").code_label("kommun", "en") == "The municipality"
    assert instrument.matches_timepoint("avslut") and not instrument.matches_timepoint("start")


def test_load_text_accepts_bytes_and_a_byte_order_mark() -> None:
    content = LOCAL.read_bytes()
    reference = load_text(content, "x")
    assert load_text(b"\xef\xbb\xbf" + content, "x") == reference
    assert load_text("\ufeff" + content.decode(), "x") == reference


def test_origin_defaults_to_the_path_as_given(tmp_path: Path, small_data: dict[str, Any]) -> None:
    small_data["version"] = 0
    path = tmp_path / "liten.json"
    path.write_text(json.dumps(small_data), encoding="utf-8")
    with pytest.raises(InstrumentError, match=f"^{path} /version: "):
        load_file(path)
    with pytest.raises(InstrumentError, match=r"^instruments/liten\.json /version: "):
        load_file(str(path), origin="instruments/liten.json")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_file(tmp_path / "saknas.json", origin="saknas.json")
    assert str(caught.value) == "saknas.json: filen kan inte läsas: filen finns inte"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "x /: måste vara ett JSON-objekt (ett instrument)"),
        ("text", "x /: måste vara ett JSON-objekt (ett instrument)"),
        ({"format": float("nan")}, "x /: inte JSON-data: NaN och Infinity är inga JSON-värden"),
        ({"format": {1, 2}}, "x /: inte JSON-data: värden av typen set finns inte i JSON"),
    ],
)
def test_load_data_rejects_what_is_not_an_instrument(data: Any, message: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_data(data, "x")
    assert str(caught.value).splitlines()[0] == message


def test_missing_keys_are_all_named() -> None:
    with pytest.raises(InstrumentError) as caught:
        load_data({}, "x")
    assert str(caught.value).splitlines() == [
        f'x /: nyckeln "{key}" saknas'
        for key in [
            "format",
            "id",
            "version",
            "title",
            "audience",
            "rated_by",
            "languages",
            "timepoints",
            "source",
            "items",
        ]
    ]


def test_load_directory(tmp_path: Path) -> None:
    (tmp_path / "kursutvardering.json").write_bytes(LOCAL.read_bytes())
    (tmp_path / "alla-typer.json").write_bytes(EVERY_TYPE.read_bytes())
    (tmp_path / "notes.txt").write_text("not an instrument", encoding="utf-8")
    found = load_directory(tmp_path)
    assert list(found) == ["alla-typer", "kursutvardering"]
    assert found["kursutvardering"] == load_file(LOCAL)


def test_load_directory_refuses_a_second_file_with_the_same_id(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(LOCAL.read_bytes())
    (tmp_path / "b.json").write_bytes(LOCAL.read_bytes())
    with pytest.raises(InstrumentError) as caught:
        load_directory(tmp_path)
    assert str(caught.value) == (
        f'{tmp_path / "b.json"} /id: instrumentet "kursutvardering" '
        f"finns redan i {tmp_path / 'a.json'}"
    )


def test_load_directory_of_nothing(tmp_path: Path) -> None:
    assert load_directory(tmp_path) == {}
    with pytest.raises(InstrumentError, match="saknas: är ingen mapp"):
        load_directory(tmp_path / "saknas")


def test_check_paths(tmp_path: Path, small_data: dict[str, Any]) -> None:
    small_data["languages"] = ["sv"]
    small_data["title"] = "Liten"
    small_data["items"][0]["text"] = "Fråga"
    (tmp_path / "liten.json").write_text(json.dumps(small_data), encoding="utf-8")
    assert check_paths([LOCAL, str(EVERY_TYPE)]) == []
    problems = check_paths([tmp_path, tmp_path / "saknas.json"])
    assert problems == [
        Problem(
            str(tmp_path / "liten.json"),
            "/languages",
            '"en" saknas i languages; texter på engelska förväntas',
            "warning",
        ),
        Problem(str(tmp_path / "saknas.json"), "", "filen eller mappen finns inte"),
    ]


def test_problem_lines() -> None:
    assert str(Problem("a.json", "/", 'okänd nyckel "foo"')) == 'a.json /: okänd nyckel "foo"'
    assert str(Problem("a.json", "", "ogiltig JSON på rad 1, kolumn 2: x")) == (
        "a.json: ogiltig JSON på rad 1, kolumn 2: x"
    )
    assert (
        str(Problem("a.json", "/languages", "inget en", "warning"))
        == "a.json /languages: varning: inget en"
    )
    error = InstrumentError([Problem("a", "/", "one"), Problem("a", "/x", "two")])
    assert str(error) == "a /: one\na /x: two"
    assert len(error.problems) == 2


def test_pointers_escape_slashes_and_tildes(small_data: dict[str, Any]) -> None:
    small_data["title"] = {"sv": "Liten", "en": "Small", "e/n~": 5}
    with pytest.raises(InstrumentError) as caught:
        load_data(small_data, "x")
    assert str(caught.value).splitlines() == [
        'x /title: "e/n~" är inte en språkkod '
        "(två eller tre små bokstäver, som sv, en eller ar)",
        "x /title/e~1n~0: måste vara en sträng",
    ]


def test_bundled_directory() -> None:
    directory = bundled_directory()
    assert directory.name in {"instruments", "bundled_instruments"}
    assert directory.is_absolute()


def _titled_subschemas(node, is_root=True):
    if isinstance(node, dict):
        if isinstance(node.get("title"), str) and not is_root:
            yield node
        for value in node.values():
            yield from _titled_subschemas(value, is_root=False)
    elif isinstance(node, list):
        for value in node:
            yield from _titled_subschemas(value, is_root=False)


def test_every_title_and_description_a_message_quotes_has_its_swedish_words():
    from enkat.instruments.schema import _SWEDISH_SCHEMA_WORDS, instrument_schema

    quoted = {words for subschema in _titled_subschemas(instrument_schema())
              for words in (subschema["title"], subschema.get("description")) if words}
    assert quoted - set(_SWEDISH_SCHEMA_WORDS) == set()


def test_each_problem_is_said_in_swedish(tmp_path: Path):
    from enkat.instruments.loader import analyse_text

    (tmp_path / "forsta.json").write_bytes(LOCAL.read_bytes())
    (tmp_path / "andra.json").write_bytes(LOCAL.read_bytes())
    _, problems = analyse_text('{"id": "x", "format": 1, "version": 0}', "x.json")
    problems += check_paths([tmp_path, tmp_path / "saknas.json", tmp_path / "saknas"])
    assert len(problems) > 10
    for problem in problems:
        assert english_words(problem.message.replace(str(tmp_path), "")) == [], problem
