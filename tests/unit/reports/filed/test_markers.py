"""Key figures quoted in text are the report's own figures, in words."""

from __future__ import annotations

from enkat.reports.filed.markers import KeyFigure, key_figures, markers_in, render_markers

from .made import made_report


def test_a_marker_renders_as_the_figure_in_words():
    text = "Av de avslutade gick {{nyckeltal:andel-till-arbete-eller-studier}} vidare."
    assert render_markers(text, made_report()) == (
        "Av de avslutade gick 13 av 41 = 31,7 % vidare.")


def test_an_unknown_marker_shows_instead_of_vanishing():
    text = "{{nyckeltal:finns-inte}} och {{deltagare:kvinna}} men {{ej en markör"
    assert render_markers(text, made_report()) == (
        "[okänd uppgift: nyckeltal:finns-inte] och [okänd uppgift: deltagare:kvinna] "
        "men {{ej en markör")


def test_a_report_without_key_figures_offers_none_and_marks_every_marker():
    report = made_report()
    without = type(report)(report.subject, report.period_from, report.period_to, 5,
                           tuple(t for t in report.tables if t.id != "nyckeltal"))
    assert key_figures(without) == []
    assert render_markers("{{nyckeltal:deltagare}}", without) == (
        "[okänd uppgift: nyckeltal:deltagare]")


def test_the_insert_menu_lists_every_key_figure_with_its_words():
    assert key_figures(made_report()) == [
        KeyFigure("{{nyckeltal:deltagare}}", "Deltagare", "41 deltagare"),
        KeyFigure("{{nyckeltal:andel-till-arbete-eller-studier}}",
                  "Andel till arbete eller studier", "13 av 41 = 31,7 %"),
        KeyFigure("{{nyckeltal:aktivt-arbetssokande}}", "Aktivt arbetssökande", "färre än 5"),
    ]
    assert markers_in("a {{ nyckeltal : deltagare }} b") == ["{{nyckeltal:deltagare}}"]
