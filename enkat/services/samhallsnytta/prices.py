"""A förbund's price lists for samhällsnytta: per year, what each försörjning source costs
the public purse a month and who pays it.

A list prices every source the current registration forms can register
(`RegistrationForms.support_sources`) or marks it "ej prissatt" (left out of the
computation, and said so). The administrator saves a list from a form (`save_price_list`)
or the command line imports one from CSV (`import_prices`); both check the whole list
first, refuse it with every problem in Swedish and change nothing, and write the change
to the audit log with the prices before and after. No national list ships: a förbund
keeps its own, and the demo's is marked as example figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from enkat.extensions import db
from enkat.formats.price_csv import LineProblem, read_price_rows
from enkat.models import Forbund, PriceList, SupportPrice, User, utcnow
from enkat.scoring.samhallsnytta import PAYERS, Price, Prices
from enkat.services import FieldProblem, Refused, ServiceError, refuse_if
from enkat.services.audit.events import Action, record_event
from enkat.services.audit.log import command_detail
from enkat.services.instruments.versions import registration_forms

FIRST_YEAR, LAST_YEAR = 2000, 2100
#: More than any försörjning costs a month: a figure above it is a typing mistake.
MAX_MONTHLY_KRONOR = 10**7
#: What a CSV row or a form may write for a source that is not priced.
NOT_PRICED = "ej prissatt"
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)")


@dataclass(frozen=True)
class Source:
    """A försörjning source a price list prices: its code and its Swedish name."""

    code: str
    name: str


@dataclass(frozen=True)
class PriceEntry:
    """One source's line of a list as typed: kronor and payer as text, or the source
    marked not priced (then both are empty)."""

    source: str
    kronor: str = ""
    payer: str = ""
    not_priced: bool = False


class PriceImportFailed(ServiceError):
    """Nothing was imported; `problems` lists everything wrong, in file order."""

    def __init__(self, problems: Sequence[LineProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
        count = len(self.problems)
        listing = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"Inget importerades: {count} problem i filen.\n{listing}")


# --- reading ---------------------------------------------------------------------------


def support_sources() -> tuple[Source, ...]:
    """Every source the current registration forms register, in their order, named as
    the first form that asks it names it."""
    forms = registration_forms()
    if forms is None:
        return ()
    names: dict[str, str] = {}
    for form in forms.in_course_order:
        item = forms.support_item(form)
        if item is not None:
            for option in item.options:
                names.setdefault(option.code, option.label.get("sv"))
    return tuple(Source(code, names.get(code, code)) for code in forms.support_sources)


def source_names() -> dict[str, str]:
    return {source.code: source.name for source in support_sources()}


def price_years(forbund: Forbund) -> list[int]:
    """The years the förbund has a price list for, latest first."""
    return list(db.session.scalars(select(PriceList.year).where(
        PriceList.forbund_id == forbund.id).order_by(PriceList.year.desc())))


def find_price_list(forbund: Forbund, year: int) -> PriceList | None:
    return db.session.scalar(select(PriceList).where(
        PriceList.forbund_id == forbund.id, PriceList.year == year))


def price_list_for(forbund: Forbund, year: int) -> PriceList | None:
    """The list of `year`, or failing that of the latest earlier year: what a report on a
    period ending in `year` prices with."""
    return db.session.scalar(select(PriceList).where(
        PriceList.forbund_id == forbund.id, PriceList.year <= year
    ).order_by(PriceList.year.desc()).limit(1))


def prices_of(price_list: PriceList) -> Prices:
    """The list as the computation takes it: None for a source marked "ej prissatt"."""
    return {row.source: None if row.kronor is None or row.payer is None
            else Price(row.kronor, row.payer) for row in price_list.prices}


def entries_of(price_list: PriceList | None) -> list[PriceEntry]:
    """A list as a form shows it (and a copy takes it): one entry per source of the
    current registration forms, in their order, with what the list says of it (empty
    when it says nothing). A source the forms no longer register is left out, so the
    list is saved without it."""
    stored = {} if price_list is None else {row.source: row for row in price_list.prices}
    return [_entry(source.code, stored.get(source.code)) for source in support_sources()]


def _entry(code: str, row: SupportPrice | None) -> PriceEntry:
    if row is None:
        return PriceEntry(code)
    if row.kronor is None:
        return PriceEntry(code, not_priced=True)
    return PriceEntry(code, str(row.kronor), row.payer or "")


# --- writing ---------------------------------------------------------------------------


def save_price_list(forbund: Forbund, year: int | None, entries: Sequence[PriceEntry],
                    by: User | None, *, example: bool = False,
                    action: Action = Action.PRICE_LIST_SAVED, subject: str = "") -> PriceList:
    """Replace the förbund's list of `year` with `entries`, or refuse (`Refused`: the
    field "year", or "source", "kronor" and "payer" with the row of `entries`) having
    changed nothing. `by` None is the command line."""
    refuse_if(price_problems(year, entries))
    assert year is not None  # refused above
    priced = {entry.source: _parsed(entry) for entry in entries}
    price_list = find_price_list(forbund, year)
    before = {} if price_list is None else _audited(price_list)
    if price_list is None:
        price_list = PriceList(forbund_id=forbund.id, year=year)
        db.session.add(price_list)
    _replace_prices(price_list, priced)
    price_list.example = example
    price_list.updated_at = utcnow()
    price_list.updated_by_id = by.id if by else None
    db.session.flush()
    after = _audited(price_list)
    changed = {source: [before.get(source), after.get(source)]
               for source in {**before, **after} if before.get(source) != after.get(source)}
    record_event(action, user=by, forbund_id=forbund.id, subject=subject or str(year),
                 detail={**({} if by else command_detail()), "year": year,
                         "example": example, "changed": changed})
    return price_list


def copy_price_list(forbund: Forbund, from_year: int, to_year: int | None,
                    by: User | None) -> PriceList:
    """A new year's list holding the prices of an earlier year's (not its example mark:
    the förbund then owns the figures). Refused when the year has a list already."""
    refuse_if(new_year_problems(forbund, to_year))
    source = find_price_list(forbund, from_year) if is_sensible_year(from_year) else None
    if source is None:
        raise Refused([FieldProblem("copy_from", f"Det finns ingen prislista för {from_year}.")])
    return save_price_list(forbund, to_year, entries_of(source), by)


def new_year_problems(forbund: Forbund, year: int | None) -> list[FieldProblem]:
    """Why a new list cannot be begun for `year`: out of range, or the year has one."""
    problems = _year_problems(year)
    if not problems and find_price_list(forbund, year) is not None:
        problems.append(FieldProblem("year", (
            f"Det finns redan en prislista för {year}. Välj den i listan för att ändra den.")))
    return problems


def is_sensible_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def import_prices(forbund: Forbund, year: int, text: str | bytes, by: User | None,
                  *, name: str = "") -> PriceList:
    """Replace the year's list with a CSV file's (`enkat.formats.price_csv`), or raise
    `PriceImportFailed` with every problem, each with its line, having written nothing.

    A row with empty kronor and either an empty payer or the words "ej prissatt" marks
    its source not priced. `name` is the file's, for the audit log."""
    problems: list[LineProblem] = []
    rows = read_price_rows(text, problems)
    entries = [_csv_entry(row.source, row.kronor, row.payer) for row in rows]
    # A line that could not be read may hold a source: none is said missing then.
    found = price_problems(year, entries, complete=not problems)
    problems += [LineProblem(None, None, problem.message) if problem.row is None
                 else LineProblem(rows[problem.row].line, problem.field, problem.message)
                 for problem in found]
    if problems:
        raise PriceImportFailed(problems)
    return save_price_list(forbund, year, entries, by, action=Action.PRICE_LIST_IMPORTED,
                           subject=name or str(year))


def _replace_prices(price_list: PriceList,
                    priced: Mapping[str, tuple[int | None, str | None]]) -> None:
    """Change the rows in place and delete those gone (a deleted row and a new one for the
    same source in one flush would meet on the unique source)."""
    stored = {row.source: row for row in price_list.prices}
    for source, (kronor, payer) in priced.items():
        row = stored.pop(source, None)
        if row is None:
            row = SupportPrice(source=source)
            price_list.prices.append(row)
        row.kronor, row.payer = kronor, payer
    for gone in stored.values():
        price_list.prices.remove(gone)


def _csv_entry(source: str, kronor: str, payer: str) -> PriceEntry:
    if not kronor and payer.lower() in ("", NOT_PRICED):
        return PriceEntry(source, not_priced=True)
    return PriceEntry(source, kronor, payer)


# --- checking --------------------------------------------------------------------------


def price_problems(year: int | None, entries: Sequence[PriceEntry], *,
                   complete: bool = True) -> list[FieldProblem]:
    """Everything wrong with a list: its year, each entry (with its row), and (when the
    list is `complete`) each current source it neither prices nor marks "ej prissatt"."""
    names = source_names()
    problems = _year_problems(year)
    seen: dict[str, int] = {}
    for row, entry in enumerate(entries):
        problems += _entry_problems(row, entry, names, seen)
    problems += [FieldProblem("source", (
        f"{name} ({code}) saknas i prislistan. Ange kronor och betalare, eller markera "
        f"den som ej prissatt."))
        for code, name in names.items() if complete and code not in seen]
    return problems


def _year_problems(year: int | None) -> list[FieldProblem]:
    if year is None or not is_sensible_year(year):
        shown = "Året saknas" if year is None else f"Året {year} går inte"
        return [FieldProblem("year", f"{shown}. Skriv ett år från {FIRST_YEAR} till "
                                     f"{LAST_YEAR}, till exempel 2025.")]
    return []


def _entry_problems(row: int, entry: PriceEntry, names: Mapping[str, str],
                    seen: dict[str, int]) -> list[FieldProblem]:
    if entry.source not in names:
        known = ", ".join(names)
        return [FieldProblem("source", (
            f"Okänd försörjningskälla ”{entry.source}”. Registreringsformulären känner "
            f"till: {known}."), row)]
    name = names[entry.source]
    if entry.source in seen:
        return [FieldProblem("source", f"{name} ({entry.source}) står två gånger i listan.",
                             row)]
    seen[entry.source] = row
    if entry.not_priced:
        if entry.kronor.strip() or entry.payer.strip():
            return [FieldProblem("kronor", (
                f"{name} är markerad ej prissatt men har kronor eller betalare. Ta bort "
                f"dem eller ta bort markeringen."), row)]
        return []
    return _kronor_problems(row, entry, name) + _payer_problems(row, entry, name)


def _kronor_problems(row: int, entry: PriceEntry, name: str) -> list[FieldProblem]:
    text = entry.kronor.strip()
    if not text:
        return [FieldProblem("kronor", (
            f"Skriv vad {name} kostar i kronor i månaden, eller markera den som ej "
            f"prissatt."), row)]
    if _kronor(text) is None:
        return [FieldProblem("kronor", (
            f"”{text}” för {name} är inget belopp. Skriv hela kronor i månaden, från 0 "
            f"till 10 000 000, med siffror, till exempel 10000."), row)]
    return []


def _payer_problems(row: int, entry: PriceEntry, name: str) -> list[FieldProblem]:
    text = entry.payer.strip()
    if _payer(text) is not None:
        return []
    known = ", ".join(PAYERS)
    said = (f"Välj vem som betalar {name}" if not text
            else f"Okänd betalare ”{text}” för {name}. Skriv en av")
    return [FieldProblem("payer", f"{said}: {known}." if text else f"{said}.", row)]


def _parsed(entry: PriceEntry) -> tuple[int | None, str | None]:
    if entry.not_priced:
        return None, None
    return _kronor(entry.kronor.strip()), _payer(entry.payer.strip())


def _kronor(text: str) -> int | None:
    """Whole kronor ≥ 0, written with digits and perhaps a space between thousands."""
    digits = _THOUSANDS.sub("", text)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 8:
        return None
    kronor = int(digits)
    return kronor if kronor <= MAX_MONTHLY_KRONOR else None


def _payer(text: str) -> str | None:
    """A payer's code, from its code or its Swedish name in any case."""
    folded = text.casefold()
    for code, label in PAYERS.items():
        if folded in (code, label.casefold()):
            return code
    return None


def _audited(price_list: PriceList) -> dict[str, list | str]:
    return {row.source: NOT_PRICED if row.kronor is None else [row.kronor, row.payer]
            for row in price_list.prices}
