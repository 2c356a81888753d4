"""Which answers a file holds, as the file's own words name them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    """The submitted responses of a förbund, perhaps of one insats, answered in a period
    (both ends inclusive, None for no bound): names and dates only."""

    forbund_name: str
    forbund_slug: str
    insats_name: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def bound_text(day: dt.date | None) -> str:
    """A bound of the period as the files write it."""
    return day.isoformat() if day else "(ingen gräns)"
