"""A förbund's price lists: saved whole or refused whole with every problem in Swedish,
imported from CSV all or nothing with line-numbered problems, each change audited."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, PriceList, SupportPrice
from enkat.services.audit.events import Action
from enkat.services.samhallsnytta import (
    PriceEntry,
    PriceImportFailed,
    copy_price_list,
    entries_of,
    find_price_list,
    import_prices,
    price_years,
    prices_of,
    save_price_list,
    support_sources,
)

from ..refusals import refusal
from .prices_data import PRICES, csv_text, entries


def price_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SupportPrice)) + \
        db.session.scalar(select(func.count()).select_from(PriceList))


def events(action: Action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_the_sources_are_those_of_the_registration_forms_with_swedish_names(db_session):
    sources = {source.code: source.name for source in support_sources()}
    assert list(sources) == list(PRICES)
    assert sources["forsorjningsstod"] == "Försörjningsstöd"
    assert sources["sjukpenning-rehabpenning"] == "Sjukpenning/rehabiliteringspenning"


def test_a_whole_list_is_saved_and_audited_with_what_changed(forbund, admin):
    price_list = save_price_list(forbund, 2025, entries(
        forsorjningsstod=(" 10 000 ", "Kommunen")), admin)

    assert (price_list.year, price_list.example, price_list.updated_by_id) == \
        (2025, False, admin.id)
    prices = prices_of(price_list)
    assert prices["forsorjningsstod"].kronor == 10000
    assert prices["forsorjningsstod"].payer == "kommunen"
    assert prices["annan"] is None
    (event,) = events(Action.PRICE_LIST_SAVED)
    assert (event.user_id, event.forbund_id, event.subject) == (admin.id, forbund.id, "2025")
    assert event.detail["year"] == 2025
    assert event.detail["changed"]["forsorjningsstod"] == [None, [10000, "kommunen"]]
    assert event.detail["changed"]["annan"] == [None, "ej prissatt"]

    save_price_list(forbund, 2025, entries(forsorjningsstod=("10500", "kommunen"),
                                           annan=("100", "regionen")), admin)

    (_, changed) = events(Action.PRICE_LIST_SAVED)
    assert changed.detail["changed"] == {
        "forsorjningsstod": [[10000, "kommunen"], [10500, "kommunen"]],
        "annan": ["ej prissatt", [100, "regionen"]]}
    assert price_years(forbund) == [2025]
    assert prices_of(find_price_list(forbund, 2025))["annan"].payer == "regionen"


def test_a_list_shown_in_a_form_has_every_current_source_in_order(forbund, admin):
    assert entries_of(None) == [PriceEntry(source) for source in PRICES]
    price_list = save_price_list(forbund, 2025, entries(), admin)
    price_list.prices.append(SupportPrice(source="gammal-kalla", kronor=1, payer="kommunen"))
    price_list.prices = [row for row in price_list.prices if row.source != "lon"]
    db.session.flush()

    shown = entries_of(find_price_list(forbund, 2025))

    assert [entry.source for entry in shown] == list(PRICES)
    assert shown[3] == PriceEntry("forsorjningsstod", "10000", "kommunen")
    assert shown[8] == PriceEntry("lon")
    assert shown[-1] == PriceEntry("annan", not_priced=True)


def test_every_problem_is_said_with_its_source_and_nothing_is_written(forbund, admin):
    bad = [
        PriceEntry("a-kassa", "14000", "a-kassan"),
        PriceEntry("aktivitetsersattning", "-5", "forsakringskassan"),
        PriceEntry("aktivitetsstod", "9000,50", "arbetsformedlingen"),
        PriceEntry("forsorjningsstod", "", "kommunen"),
        PriceEntry("ingen-offentlig-forsorjning", "0", ""),
        PriceEntry("sjukersattning", "13000", "banken"),
        PriceEntry("sjukpenning-rehabpenning", "18000", "forsakringskassan", not_priced=True),
        PriceEntry("studiestod", "11000", "csn"),
        PriceEntry("studiestod", "11000", "csn"),
        PriceEntry("pension", "20000", "forsakringskassan"),
        PriceEntry("annan", not_priced=True),
    ]
    problems = refusal(save_price_list, forbund, 1999, bad, admin)

    assert problems == [
        ("year", None, "Året 1999 går inte. Skriv ett år från 2000 till 2100, till exempel "
                       "2025."),
        ("kronor", 1, "”-5” för Aktivitetsersättning är inget belopp. Skriv hela kronor i "
                      "månaden, från 0 till 10 000 000, med siffror, till exempel 10000."),
        ("kronor", 2, "”9000,50” för Aktivitetsstöd är inget belopp. Skriv hela kronor i "
                      "månaden, från 0 till 10 000 000, med siffror, till exempel 10000."),
        ("kronor", 3, "Skriv vad Försörjningsstöd kostar i kronor i månaden, eller markera "
                      "den som ej prissatt."),
        ("payer", 4, "Välj vem som betalar Ingen offentlig försörjning."),
        ("payer", 5, "Okänd betalare ”banken” för Sjukersättning. Skriv en av: kommunen, "
                     "forsakringskassan, arbetsformedlingen, a-kassan, csn, regionen, ingen."),
        ("kronor", 6, "Sjukpenning/rehabiliteringspenning är markerad ej prissatt men har "
                      "kronor eller betalare. Ta bort dem eller ta bort markeringen."),
        ("source", 8, "Studiestöd (studiestod) står två gånger i listan."),
        ("source", 9, "Okänd försörjningskälla ”pension”. Registreringsformulären känner "
                      "till: a-kassa, aktivitetsersattning, aktivitetsstod, forsorjningsstod, "
                      "ingen-offentlig-forsorjning, sjukersattning, sjukpenning-rehabpenning, "
                      "studiestod, lon, annan."),
        ("source", None, "Lön (lon) saknas i prislistan. Ange kronor och betalare, eller "
                         "markera den som ej prissatt."),
    ]
    assert price_rows() == 0
    assert events(Action.PRICE_LIST_SAVED) == []


def test_a_year_is_needed(forbund, admin):
    assert refusal(save_price_list, forbund, None, entries(), admin)[0][:2] == ("year", None)


def test_a_list_is_copied_to_a_new_year_without_its_example_mark(forbund, admin):
    save_price_list(forbund, 2024, entries(), admin, example=True)

    copied = copy_price_list(forbund, 2024, 2025, admin)

    assert (copied.year, copied.example) == (2025, False)
    assert prices_of(copied) == prices_of(find_price_list(forbund, 2024))
    assert refusal(copy_price_list, forbund, 2024, 2025, admin) == [
        ("year", None, "Det finns redan en prislista för 2025. Välj den i listan för att "
                       "ändra den.")]
    assert refusal(copy_price_list, forbund, 2020, 2026, admin) == [
        ("copy_from", None, "Det finns ingen prislista för 2020.")]


# --- import ----------------------------------------------------------------------------


def imported_problems(forbund, year: int, text: str | bytes) -> list[str]:
    before = price_rows()
    with pytest.raises(PriceImportFailed) as failure:
        import_prices(forbund, year, text, None)
    assert price_rows() == before
    assert str(failure.value).startswith(f"Inget importerades: {len(failure.value.problems)} "
                                         "problem i filen.\n")
    return [str(problem) for problem in failure.value.problems]


def test_a_file_replaces_the_years_list_and_is_audited_as_the_command_lines(forbund, admin):
    save_price_list(forbund, 2025, entries(forsorjningsstod=("9000", "kommunen")), admin)
    text = csv_text({**PRICES, "annan": ("", "ej prissatt"),
                     "lon": ("0", "Ingen offentlig betalare")})

    price_list = import_prices(forbund, 2025, text, None, name="priser.csv")

    assert prices_of(price_list)["forsorjningsstod"].kronor == 10000
    assert prices_of(price_list)["lon"].payer == "ingen"
    assert prices_of(price_list)["annan"] is None
    (event,) = events(Action.PRICE_LIST_IMPORTED)
    assert (event.user_id, event.subject) == (None, "priser.csv")
    assert event.detail["os_user"] == getpass.getuser()
    assert event.detail["changed"] == {
        "forsorjningsstod": [[9000, "kommunen"], [10000, "kommunen"]]}


def test_a_file_with_a_bom_crlf_blank_lines_and_quotes_is_read(forbund):
    text = "\ufeffsource,kronor,payer\r\n\r\n" + "\r\n".join(
        f'"{source}",,' if price is None else f'"{source}","{price[0]}",{price[1]}'
        for source, price in PRICES.items()) + "\r\n"

    assert import_prices(forbund, 2025, text.encode(), None).year == 2025


def test_every_bad_line_is_said_with_its_number_and_nothing_is_written(forbund, admin):
    save_price_list(forbund, 2025, entries(), admin)
    rows = {**PRICES, "forsorjningsstod": ("tiotusen", "kommunen"),
            "lon": ("0", "chefen"), "annan": ("500", "ej prissatt")}
    del rows["studiestod"]
    text = csv_text(rows) + "pension,1,kommunen\nfel,rad\n"

    assert imported_problems(forbund, 2025, text) == [
        "rad 5, kolumn kronor: ”tiotusen” för Försörjningsstöd är inget belopp. Skriv hela "
        "kronor i månaden, från 0 till 10 000 000, med siffror, till exempel 10000.",
        "rad 9, kolumn payer: Okänd betalare ”chefen” för Lön. Skriv en av: kommunen, "
        "forsakringskassan, arbetsformedlingen, a-kassan, csn, regionen, ingen.",
        "rad 10, kolumn payer: Okänd betalare ”ej prissatt” för Annan. Skriv en av: "
        "kommunen, forsakringskassan, arbetsformedlingen, a-kassan, csn, regionen, ingen.",
        "rad 11, kolumn source: Okänd försörjningskälla ”pension”. Registreringsformulären "
        "känner till: a-kassa, aktivitetsersattning, aktivitetsstod, forsorjningsstod, "
        "ingen-offentlig-forsorjning, sjukersattning, sjukpenning-rehabpenning, studiestod, "
        "lon, annan.",
        "rad 12: Raden ska ha 3 fält (source,kronor,payer) men har 2.",
    ]
    assert prices_of(find_price_list(forbund, 2025))["forsorjningsstod"].kronor == 10000


@pytest.mark.parametrize(("text", "said"), [
    ("", "rad 1: Filen är tom. Första raden ska vara source,kronor,payer."),
    ("källa,belopp,betalare\nlon,0,ingen\n",
     "rad 1: Första raden ska vara rubrikerna source,kronor,payer, inte källa,belopp,betalare."),
    (b"source,kronor,payer\nlon,0,\xe4\n",
     "rad 2: Filen är inte UTF-8-text. Spara den som UTF-8 (i Excel: CSV UTF-8)."),
    ('source,kronor,payer\nlon,"0,ingen\n',
     "rad 2: Raden går inte att läsa som CSV: ett citattecken saknar sitt par."),
])
def test_an_unreadable_file_is_said_without_a_list_of_missing_sources(forbund, text, said):
    assert imported_problems(forbund, 2025, text) == [said]


def test_a_source_missing_from_a_readable_file_is_said(forbund):
    rows = dict(PRICES)
    del rows["studiestod"]
    assert imported_problems(forbund, 2025, csv_text(rows)) == [
        "Studiestöd (studiestod) saknas i prislistan. Ange kronor och betalare, eller "
        "markera den som ej prissatt."]


def test_an_import_for_a_year_out_of_range_is_refused(forbund):
    assert imported_problems(forbund, 1900, csv_text()) == [
        "Året 1900 går inte. Skriv ett år från 2000 till 2100, till exempel 2025."]
