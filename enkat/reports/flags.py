"""The samtalsunderlag's flags in words (ORS-SRS.md), in Swedish, once, for the pages and
the chart alike.

The flags are: the latest SRS session below the cut-off, an SRS item below its
threshold, an SRS total lower than the session before, and an ORS course without
reliable change after `NO_CHANGE_AFTER_SESSIONS` sessions or a reliable deterioration.
Which sessions are flagged is scoring's (`enkat.scoring.session_flags`); here are the
words.
"""

from __future__ import annotations

from dataclasses import dataclass

from enkat.instruments import Instrument, Score
from enkat.reports.numbers import format_change, format_number
from enkat.scoring import Course, SessionFlags

#: ORS-SRS.md asks for a flag when "several" sessions bring no reliable change; four
#: ORS sessions (three after the first) is where the method's guides start to ask whether
#: the work should change.
NO_CHANGE_AFTER_SESSIONS = 4


@dataclass(frozen=True)
class Flag:
    """Something the staff member should look at, said in a few Swedish words."""

    text: str


def srs_flags(instrument: Instrument, score: Score, latest: SessionFlags) -> list[Flag]:
    """The flags of the latest SRS session."""
    flags = []
    if latest.below_cutoff:
        assert latest.value is not None and score.cutoff is not None  # so it can be below
        flags.append(Flag(f"SRS {format_number(latest.value)} i senaste samtalet, "
                          f"under {format_number(score.cutoff, 0)}"))
    if latest.items_below:
        assert score.item_flag_below is not None  # declared, or no item is flagged
        labels = ", ".join(instrument.item(item_id).text.get("sv")
                           for item_id in latest.items_below)
        flags.append(Flag(f"SRS under {format_number(score.item_flag_below, 0)} på: {labels}"))
    if latest.dropped:
        assert latest.drop is not None  # a drop was measured
        flags.append(Flag(f"SRS lägre än i samtalet före ({format_change(-latest.drop)})"))
    return flags


def ors_flags(score: Score, course: Course) -> list[Flag]:
    """The flag of an ORS course: a reliable deterioration, or no reliable change after
    `NO_CHANGE_AFTER_SESSIONS` sessions."""
    if score.rci is None or course.change is None:
        return []
    change, rci = course.change, score.rci
    improvement = change if score.higher_is_better else -change
    if improvement <= -rci:
        return [Flag(f"ORS försämrad: {format_change(change)} sedan första samtalet")]
    if abs(improvement) < rci and course.n_ratings >= NO_CHANGE_AFTER_SESSIONS:
        return [Flag(f"Ingen tillförlitlig förändring av ORS efter {course.n_ratings} "
                     f"samtal ({format_change(change)}, behöver minst "
                     f"{format_number(rci, 0)})")]
    return []


def session_flag_words(flags: SessionFlags, score: Score) -> str | None:
    """The few words written by a flagged point of the chart, or None.

    Sessions are flagged by the alliance rules a score declares (`item_flag_below`,
    `drop_flag`: the SRS). An ORS below its cut-off is in the clinical range, which the
    chart's cut-off line shows; it is no flag.
    """
    if score.item_flag_below is None and score.drop_flag is None:
        return None
    if not flags.flagged:
        return None
    words = []
    if flags.below_cutoff:
        assert score.cutoff is not None  # so it can be below
        words.append(f"under {format_number(score.cutoff, 0)}")
    if flags.items_below:
        assert score.item_flag_below is not None  # declared, or no item is flagged
        words.append(f"fråga under {format_number(score.item_flag_below, 0)}")
    if flags.dropped:
        words.append("lägre än förra")
    return ", ".join(words)
