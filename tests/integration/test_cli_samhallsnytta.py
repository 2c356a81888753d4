"""`enkat prices import` and `enkat insats cost`: samhällsnytta's inputs from the command
line, with the checks of the admin pages; a refused file prints every problem with the
file's name and line and keeps nothing."""

from __future__ import annotations

import getpass

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsCost, PriceList
from enkat.services.audit.events import Action
from enkat.services.samhallsnytta import find_price_list, prices_of

from .services.samhallsnytta.prices_data import PRICES, csv_text


def price_lists() -> list[PriceList]:
    db.session.expire_all()
    return list(db.session.scalars(select(PriceList)))


def test_a_price_file_is_imported_for_the_year(enkat, forbund, tmp_path):
    path = tmp_path / "priser.csv"
    path.write_text(csv_text(), encoding="utf-8")

    result = enkat("prices", "import", str(path), "--forbund", "test", "--year", "2025")

    assert result.exit_code == 0, result.output
    assert result.output == "prislistan 2025 för test: 10 källor, 1 ej prissatt\n"
    prices = prices_of(find_price_list(forbund, 2025))
    assert prices["sjukpenning-rehabpenning"].kronor == 18000
    (event,) = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == Action.PRICE_LIST_IMPORTED))
    assert event.subject == str(path)
    assert event.detail["os_user"] == getpass.getuser()


def test_a_bad_file_prints_each_problem_with_file_and_line_and_keeps_nothing(
        enkat, forbund, tmp_path):
    path = tmp_path / "priser.csv"
    path.write_text(csv_text({**PRICES, "lon": ("-1", "ingen"), "annan": ("5", "")}),
                    encoding="utf-8")

    result = enkat("prices", "import", str(path), "--forbund", "test", "--year", "2025")

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}: Inget importerades: 2 problem i filen.",
        f"{path}: rad 10, kolumn kronor: ”-1” för Lön är inget belopp. Skriv hela kronor i "
        "månaden, från 0 till 10 000 000, med siffror, till exempel 10000.",
        f"{path}: rad 11, kolumn payer: Välj vem som betalar Annan.",
    ]
    assert price_lists() == []


def test_an_unknown_forbund_or_a_bad_year_is_refused(enkat, forbund, tmp_path):
    path = tmp_path / "priser.csv"
    path.write_text(csv_text(), encoding="utf-8")

    unknown = enkat("prices", "import", str(path), "--forbund", "okand", "--year", "2025")
    assert unknown.exit_code == 1 and "okand" in unknown.output
    year = enkat("prices", "import", str(path), "--forbund", "test", "--year", "25")
    assert year.exit_code == 1
    assert "Året 25 går inte. Skriv ett år från 2000 till 2100" in year.output
    assert price_lists() == []


def insats_costs() -> list[tuple]:
    db.session.expire_all()
    return [(c.starts_on.isoformat(), c.ends_on.isoformat(), c.granted_kronor, c.spent_kronor)
            for c in db.session.scalars(select(InsatsCost).order_by(InsatsCost.starts_on))]


def test_an_insats_cost_is_set_and_replaced(enkat, insats):
    result = enkat("insats", "cost", "--insats", "steget", "--from", "2025-01-01",
                   "--to", "2025-12-31", "--kronor", "1200000")
    assert result.exit_code == 0, result.output
    assert result.output == "kostnaden för steget 2025-01-01–2025-12-31: beviljat 1200000 kronor\n"

    again = enkat("insats", "cost", "--insats", "steget", "--forbund", "test",
                  "--from", "2025-01-01", "--to", "2025-12-31", "--kronor", "1200000",
                  "--utfall", "1100000")

    assert again.exit_code == 0, again.output
    assert insats_costs() == [("2025-01-01", "2025-12-31", 1_200_000, 1_100_000)]


def test_a_bad_or_overlapping_cost_is_refused_in_swedish(enkat, insats):
    enkat("insats", "cost", "--insats", "steget", "--from", "2025-01-01",
          "--to", "2025-12-31", "--kronor", "100")

    overlapping = enkat("insats", "cost", "--insats", "steget", "--from", "2025-06-01",
                        "--to", "2026-05-31", "--kronor", "100")
    backwards = enkat("insats", "cost", "--insats", "steget", "--from", "2026-12-31",
                      "--to", "2026-01-01", "--kronor", "-5")
    not_a_date = enkat("insats", "cost", "--insats", "steget", "--from", "2026-13-01",
                       "--to", "2026-12-31", "--kronor", "5")

    assert overlapping.exit_code == 1
    assert "Perioden 2025-06-01–2026-05-31 överlappar kostnaden för 2025-01-01–2025-12-31." \
        in overlapping.output
    assert backwards.exit_code == 1
    assert backwards.output.splitlines() == [
        "Fel: Perioden slutar 2026-01-01, före sin första dag 2026-12-31.",
        "Fel: Skriv beviljat medel i hela kronor, från 0 till 1 000 000 000 000."]
    assert not_a_date.exit_code == 2
    assert ("""Fel: Ogiltigt värde för '--from': "2026-13-01" är inget datum (ÅÅÅÅ-MM-DD)"""
            in not_a_date.output)
    assert insats_costs() == [("2025-01-01", "2025-12-31", 100, None)]
