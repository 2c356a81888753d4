"""Turn a document that passed every check into the frozen `Instrument` objects.

The functions here trust their input: the schema and the semantic checks have run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enkat.instruments.model import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_ORDER,
    YES_NO_OPTIONS,
    Anchors,
    Condition,
    EnrolmentRole,
    ExitReason,
    Indicator,
    Instrument,
    Item,
    KonItem,
    Option,
    Page,
    ReportedItem,
    Results,
    Scale,
    Score,
    SeekingWork,
    SessionChart,
    Situation,
    Source,
    Text,
    code_str,
    parse_date,
)
from enkat.instruments.problems import Problem

Data = Mapping[str, Any]


def build_instrument(
    data: Data, canonical: str, sha256: str, warnings: tuple[Problem, ...]
) -> Instrument:
    scales = tuple(_scale(name, value) for name, value in data.get("scales", {}).items())
    scales_by_name = {scale.name: scale for scale in scales}
    scoring = data.get("scoring", {})
    needed = needed_by_scores(scoring.get("scores", []))
    items = tuple(_item(value, scales_by_name, needed) for value in data["items"])
    return Instrument(
        id=data["id"],
        version=int(data["version"]),
        title=Text.of(data["title"]),
        description=_text(data.get("description")),
        audience=data["audience"],
        rated_by=data["rated_by"],
        anonymous=data.get("anonymous", False),
        languages=tuple(data["languages"]),
        estimated_minutes=_int(data.get("estimated_minutes")),
        timepoints=tuple(data["timepoints"]),
        source=Source(**data["source"]),
        scales=scales,
        pages=tuple(_page(value, items) for value in data.get("pages", [])),
        items=items,
        scores=tuple(_score(value) for value in scoring.get("scores", [])),
        indicators=tuple(_indicator(value) for value in scoring.get("indicators", [])),
        results=_results(data.get("results", {})),
        canonical_json=canonical,
        sha256=sha256,
        warnings=warnings,
    )


def _text(value: Any) -> Text | None:
    return None if value is None else Text.of(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _codes(values: Any) -> tuple[str, ...]:
    return tuple(code_str(code) for code in values or ())


def _options(values: Any) -> tuple[Option, ...]:
    return tuple(
        Option(code_str(value["code"]), Text.of(value.get("label", code_str(value["code"]))))
        for value in values
    )


def _scale(name: str, value: Data) -> Scale:
    return Scale(
        name=name,
        options=_options(value["codes"]),
        missing_codes=_codes(value.get("missing")),
        positive_codes=_codes(value.get("positive")),
    )


def _page(value: Data, items: tuple[Item, ...]) -> Page:
    return Page(
        id=value["id"],
        title=_text(value.get("title")),
        intro=_text(value.get("intro")),
        item_ids=tuple(item.id for item in items if item.page == value["id"]),
    )


def _condition(value: Data | None) -> Condition | None:
    if value is None:
        return None
    if "equals" in value:
        return Condition(value["item"], "equals", (code_str(value["equals"]),))
    if "in" in value:
        return Condition(value["item"], "in", _codes(value["in"]))
    return Condition(value["item"], "answered")


def needed_by_scores(scores: list[Data]) -> frozenset[str]:
    """The items a score cannot do without: every item of a score that allows none to
    be missing (`max_missing` 0, as the ORS and SRS totals). They are required wherever
    they are asked, so that no response lacks its total for want of one answer."""
    return frozenset(item_id for score in scores if int(score.get("max_missing", 0)) == 0
                     for item_id in score["items"])


def _item(value: Data, scales: Mapping[str, Scale], needed: frozenset[str]) -> Item:
    kind = value["type"]
    return Item(
        id=value["id"],
        type=kind,
        text=Text.of(value["text"]),
        help=_text(value.get("help")),
        required=value.get("required", False) or value["id"] in needed,
        page=value.get("page"),
        show_if=_condition(value.get("show_if")),
        timepoints=tuple(value.get("timepoints", ())),
        indicator=value.get("indicator"),
        **_answer_keys(kind, value, scales),
    )


def _answer_keys(kind: str, value: Data, scales: Mapping[str, Scale]) -> dict[str, Any]:
    """The keyword arguments of `Item` that depend on the item type."""
    if kind in ("single", "multiple", "ordinal"):
        return _coded_keys(value, scales)
    if kind == "yesno":
        return {"options": YES_NO_OPTIONS, "positive_codes": tuple(value.get("positive", ()))}
    if kind == "vas":
        anchors = value["anchors"]
        return {"anchors": Anchors(Text.of(anchors["low"]), Text.of(anchors["high"]))}
    if kind == "number":
        return {
            "min": value.get("min"),
            "max": value.get("max"),
            "decimals": int(value.get("decimals", 0)),
            "unit": _text(value.get("unit")),
        }
    if kind == "date":
        return {"min": _date(value.get("min")), "max": _date(value.get("max"))}
    if kind in ("text", "longtext"):
        return {"max_length": int(value.get("max_length", DEFAULT_MAX_LENGTH[kind]))}
    return {}


def _coded_keys(value: Data, scales: Mapping[str, Scale]) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "min_selected": _int(value.get("min_selected")),
        "max_selected": _int(value.get("max_selected")),
    }
    if "scale" in value:
        scale = scales[value["scale"]]
        return keys | {
            "scale": scale.name,
            "options": scale.options,
            "missing_codes": scale.missing_codes,
            "positive_codes": scale.positive_codes,
        }
    return keys | {
        "options": _options(value["options"]),
        "missing_codes": _codes(value.get("missing")),
        "positive_codes": _codes(value.get("positive")),
    }


def _date(value: str | None) -> Any:
    return None if value is None else parse_date(value)


def _score(value: Data) -> Score:
    return Score(
        id=value["id"],
        label=Text.of(value["label"]),
        method=value["method"],
        items=tuple(value["items"]),
        max_missing=int(value.get("max_missing", 0)),
        higher_is_better=value.get("higher_is_better", True),
        cutoff=value.get("cutoff"),
        rci=value.get("rci"),
        meaningful_change=value.get("meaningful_change"),
        item_flag_below=value.get("item_flag_below"),
        drop_flag=value.get("drop_flag"),
    )


def _indicator(value: Data) -> Indicator:
    return Indicator(value["id"], Text.of(value["label"]), _text(value.get("description")))


def _results(value: Data) -> Results:
    kon, exit_reason = value.get("kon"), value.get("exit_reason")
    seeking, situation = value.get("seeking_work"), value.get("situation")
    return Results(
        table=value.get("table"),
        order=int(value.get("order", DEFAULT_ORDER)),
        kon=KonItem(kon["item"], _code(kon.get("unknown"))) if kon else None,
        split_by=tuple(value.get("split_by", ())),
        enrolment=EnrolmentRole(value["enrolment"]) if "enrolment" in value else None,
        session_chart=(SessionChart(value["session_chart"]) if "session_chart" in value
                       else None),
        background=_reported(value.get("background")),
        before_after=_reported(value.get("before_after")),
        exit_reason=(ExitReason(exit_reason["item"], _codes(exit_reason["to_work_or_studies"]))
                     if exit_reason else None),
        seeking_work=SeekingWork(seeking["item"], code_str(seeking["code"])) if seeking else None,
        situation=(Situation(situation["item"], tuple(
            (reason, code_str(code)) for reason, code in situation["exit_reasons"].items()))
                   if situation else None),
        support=value["support"]["item"] if "support" in value else None,
    )


def _reported(values: Any) -> tuple[ReportedItem, ...]:
    return tuple(ReportedItem(value["item"], _text(value.get("title"))) for value in values or ())


def _code(value: Any) -> str | None:
    return None if value is None else code_str(value)
