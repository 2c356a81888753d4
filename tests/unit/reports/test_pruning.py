"""Leaving out empty tables and columns (`enkat.reports.pruning.without_empty`), on
tables made by hand."""

import pytest

from enkat.reports.model import Column, Figure, Kind, Row, Table
from enkat.reports.pruning import without_empty

KON = (Column("kvinna", "Kvinna", Kind.COUNT), Column("annat", "Annat", Kind.COUNT),
       Column("totalt", "Totalt", Kind.COUNT), Column("andel", "Andel", Kind.SHARE))


def count(value: int, suppressed: str | None = None) -> Figure:
    return Figure(value, n=value, suppressed=suppressed)


def by_kon(*rows: tuple[str, tuple[Figure, ...]], table_id: str = "avslut") -> Table:
    """A table of counts by kön with Totalt and Andel; the last row is Slutsumma."""
    return Table(id=table_id, title=table_id.capitalize(), columns=KON,
                 rows=tuple(Row(label, figures, is_total=label == "Slutsumma")
                            for label, figures in rows))


def test_a_table_of_zeros_and_blanks_is_left_out_and_the_others_stay_in_order():
    nobody = by_kon(("Arbete", (count(0), count(0), count(0), Figure(None, n=0))),
                    ("Slutsumma", (count(0), count(0), count(0), Figure(None, n=0))),
                    table_id="forsorjning-annat")
    some = by_kon(("Arbete", (count(7), count(0), count(7), Figure(1.0, n=7))),
                  ("Slutsumma", (count(7), count(0), count(7), Figure(1.0, n=7))),
                  table_id="forsorjning")
    first = Table(id="deltagare", title="Deltagare", columns=(Column("n", "Antal", Kind.COUNT),),
                  rows=(Row("Alla", (count(7),)),))

    kept = without_empty([first, nobody, some])

    assert [table.id for table in kept] == ["deltagare", "forsorjning"]
    assert kept[0] is first


def test_a_column_empty_in_every_row_and_the_total_goes_and_its_figures_with_it():
    table = by_kon(("Arbete", (count(12), count(0), count(12), Figure(0.6, n=20))),
                   ("Studier", (count(8), count(0), count(8), Figure(0.4, n=20))),
                   ("Slutsumma", (count(20), count(0), count(20), Figure(1.0, n=20))))

    (pruned,) = without_empty([table])

    assert [column.key for column in pruned.columns] == ["kvinna", "totalt", "andel"]
    assert [[figure.value for figure in row.figures] for row in pruned.rows] == [
        [12, 12, 0.6], [8, 8, 0.4], [20, 20, 1.0]]
    assert pruned.left_out == ("annat",)
    assert (pruned.id, pruned.title, pruned.notes) == (table.id, table.title, table.notes)


def test_a_left_out_column_reads_as_empty_and_an_unknown_one_is_still_an_error():
    table = by_kon(("Arbete", (count(12), count(0), count(12), Figure(1.0, n=12))),
                   ("Slutsumma", (count(12), count(0), count(12), Figure(1.0, n=12))))

    (pruned,) = without_empty([table])

    assert pruned.figure("Arbete", "annat").value is None
    assert pruned.figure("Arbete", "totalt").value == 12
    with pytest.raises(KeyError, match="finns-inte"):
        pruned.figure("Arbete", "finns-inte")


def test_a_suppressed_figure_is_not_empty_so_its_column_and_table_stay():
    table = by_kon(("Arbete", (count(0), count(3, "<5"), count(3, "<5"), Figure(None, n=0))),
                   ("Slutsumma", (count(0), count(3, "<5"), count(3, "<5"),
                                  Figure(None, n=0))))

    (pruned,) = without_empty([table])

    assert [column.key for column in pruned.columns] == ["annat", "totalt"]
    assert pruned.figure("Arbete", "annat").shown == "<5"


def test_a_zero_row_in_a_table_with_data_stays_and_so_does_a_zero_resting_on_an_n():
    table = by_kon(("Arbete", (count(9), count(0), count(9), Figure(1.0, n=9))),
                   ("Studier", (count(0), count(0), count(0), Figure(0.0, n=9))),
                   ("Slutsumma", (count(9), count(0), count(9), Figure(1.0, n=9))))

    (pruned,) = without_empty([table])

    assert [row.label for row in pruned.rows] == ["Arbete", "Studier", "Slutsumma"]
    studier = pruned.row("Studier")
    assert [figure.value for figure in studier.figures] == [0, 0, 0.0]


def test_a_column_of_zero_shares_of_real_answers_is_a_result_and_stays():
    """0 % of 12 answers said yes: the share is 0 but rests on 12."""
    table = Table(id="nns", title="NNS", columns=(
        Column("n", "Antal svar", Kind.COUNT), Column("andel", "Andel positiva", Kind.SHARE),
        Column("andel-foregaende", "Föregående period", Kind.SHARE)),
        rows=(Row("q1", (count(12), Figure(0.0, n=12), Figure(None, n=0))),))

    (pruned,) = without_empty([table])

    assert [column.key for column in pruned.columns] == ["n", "andel"]
    assert pruned.figure("q1", "andel-foregaende").value is None


def test_a_goal_table_keeps_its_text_columns_and_loses_an_empty_count():
    goals = Table(id="mal", title="Mål", columns=(
        Column("uppnatt", "Uppnått", Kind.TEXT), Column("utfall", "Utfall", Kind.TEXT),
        Column("n", "n", Kind.COUNT)),
        rows=(Row("Minst 50 % till arbete", (Figure("Går inte att avgöra"),
                                             Figure("för få svar (färre än 5)"), count(0))),))

    (pruned,) = without_empty([goals])

    assert [column.key for column in pruned.columns] == ["uppnatt", "utfall"]
    assert pruned.figure("Minst 50 % till arbete", "uppnatt").value == "Går inte att avgöra"


def test_a_table_of_text_stays_while_it_has_text_and_goes_without():
    def words(*texts: str | None) -> Table:
        return Table(id="ord", title="Ord", columns=(Column("ord", "Ord", Kind.TEXT),),
                     rows=tuple(Row(f"r{index}", (Figure(text),))
                                for index, text in enumerate(texts)))

    assert without_empty([words("Ja", None)]) == (words("Ja", None),)
    assert without_empty([words("", None)]) == ()


def test_a_table_without_empty_columns_is_the_same_object():
    table = by_kon(("Arbete", (count(5), count(6), count(11), Figure(1.0, n=11))),)

    assert without_empty([table])[0] is table
