"""The response rate of utskick: per instrument, how many utskick, how many addresses
were sent a link, how many answered, and the share, this period and the one before.

Suppression. The utskick and the addresses sent are shown as they are: they count mails
the förbund itself sent to a list it made (a styrelse of seven is known to have seven
members), and say nothing about any one person. The answers are a count of people,
though: with the list known, "1 av 7 har svarat" points at a small group, and together
with the indicator tables (which hold back shares under k answers) it would tell how
few stand behind them. So:

* answered counts of 1..k−1 are shown as ``"<k"``, as every small count of people in a
  report; 0 is shown (it points at nobody);
* the response rate is shown only where the answered count is: beside the shown number
  of addresses it would give the hidden count back (`figures.share_of`).

No other figure of a row is derived from the hidden one and the table has no total row,
so no secondary suppression is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from enkat.instruments import Instrument
from enkat.scoring.suppression import Suppression

from .figures import share_of, shown_count, small_count
from .inputs import SurveyReach
from .model import Column, Figure, Kind, Row, Table

TABLE_ID = "svarsfrekvens"
PREVIOUS = "-foregaende"
_COLUMNS = (("utskick", "Utskick", Kind.COUNT), ("skickade", "Skickade", Kind.COUNT),
            ("svar", "Svar", Kind.COUNT), ("svarsfrekvens", "Svarsfrekvens", Kind.SHARE))


def reach_table(instruments: Mapping[str, Instrument], now: Sequence[SurveyReach],
                before: Sequence[SurveyReach], suppression: Suppression) -> Table | None:
    """A row per instrument with utskick in either period (by its Swedish title), this
    period's figures and the previous period's; None when neither period has any."""
    current = {reach.instrument_id: reach for reach in now}
    previous = {reach.instrument_id: reach for reach in before}
    ids = sorted(current.keys() | previous.keys(),
                 key=lambda instrument_id: _title(instruments, instrument_id))
    if not ids:
        return None
    columns = (*(Column(key, label, kind) for key, label, kind in _COLUMNS),
               *(Column(key + PREVIOUS, f"{label} före", kind)
                 for key, label, kind in _COLUMNS))
    rows = tuple(Row(_title(instruments, instrument_id), (
        *_figures(current.get(instrument_id), suppression),
        *_figures(previous.get(instrument_id), suppression),
    )) for instrument_id in ids)
    return Table(TABLE_ID, "Svarsfrekvens i utskick", columns, rows, notes=(
        "Utskick räknas till den period då de första länkarna mejlades. Skickade: adresser "
        "som fått en länk. Svar: de som har skickat in sina svar.",
        "Svarsfrekvens: svar av skickade. Före: föregående period lika lång.",
        f"Färre än {suppression.k} svar visas som {suppression.mark}, och då visas inte "
        "heller svarsfrekvensen.",
    ))


def _figures(reach: SurveyReach | None, suppression: Suppression) -> tuple[Figure, ...]:
    reach = reach or SurveyReach("", 0, 0, 0)
    answered = small_count(reach.answered, suppression)
    return (Figure(reach.campaigns, n=reach.campaigns), Figure(reach.sent, n=reach.sent),
            answered, share_of(reach.answered, reach.sent, shown_count(answered), reach.sent))


def _title(instruments: Mapping[str, Instrument], instrument_id: str) -> str:
    instrument = instruments.get(instrument_id)
    return instrument.title.get("sv") if instrument else instrument_id
