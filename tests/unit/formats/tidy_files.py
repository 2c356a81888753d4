"""Small helpers to write tidy CSV files in tests."""

from __future__ import annotations

NNS = "nns-deltagare-pagaende"

HEADER = (
    "response_id,forbund,insats,participant,instrument,instrument_version,"
    "timepoint,answered_on,item,value"
)


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    """A file of the given data lines under the header (the header is line 1)."""
    return "".join(f"{line}\n" for line in (header, *lines)).encode("utf-8")


def rows(response_id: str, instrument: str, answers: dict[str, str | list[str]], *,
         timepoint: str, participant: str = "", insats: str = "steget", forbund: str = "test",
         version: str = "1", answered_on: str = "2025-03-03") -> list[str]:
    """The lines of one response; a list of codes gives one line per code."""
    frame = (f"{response_id},{forbund},{insats},{participant},{instrument},{version},"
             f"{timepoint},{answered_on}")
    return [
        f"{frame},{item},{value}"
        for item, values in answers.items()
        for value in (values if isinstance(values, list) else [values])
    ]


#: A whole ORS: its total needs every line.
ORS_LINES = {"individuellt": "5.5", "nara-relationer": "6", "socialt": "7", "allmant": "4.2"}


def ors(response_id: str = "r1", participant: str = "KX7M4P", **answers: str) -> list[str]:
    return rows(response_id, "ors", ORS_LINES | answers, timepoint="session-1",
                participant=participant)


def nns(response_id: str = "n1", **answers: str) -> list[str]:
    return rows(response_id, NNS, {"q1": "5", "q2": "6"} | answers, timepoint="pagaende")
