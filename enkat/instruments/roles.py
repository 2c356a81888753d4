"""The roles bundled instruments play in enkat's own logic: the one home of their ids.

Instruments are data, but a few bundled ones mean more than their questions: the
registration forms start, end and follow up a deltagare's enrolment, the NNS deltagare
surveys give the indicator shares, ORS, SRS, SKAPA and processtrappan are rated session
by session, and some items of the registration forms feed given report tables. This
module says which bundled instrument (and which of its items) plays which role, so that
no other layer spells an instrument or item id: reports, scoring, services and web
import the names below (the demo excepted: its ids are data). A unit test
(tests/unit/instruments/test_roles.py) greps `enkat/reports`, `enkat/scoring`,
`enkat/services` and `enkat/web` for quoted bundled instrument ids and item ids of the
registration forms, and fails naming each file and line.

The ids are the public contract of INSTRUMENTS.md and never change; a new wording is a
new instrument *version*. Issue 14 turns these roles into declarations in the
instrument files themselves, and this module into what reads them.

Plain constants, pure Python: nothing here imports anything of enkat.
"""

from __future__ import annotations

# --- registration forms (Finsam): a deltagare's course in an insats ----------------------

#: The inskrivning: answered at the start, it starts the enrolment.
ENROLMENT_STARTS = "finsam-inskrivning"
#: The avslut: answered at the exit, it ends the enrolment.
ENROLMENT_ENDS = "finsam-avslut"
#: The uppföljning: answered 6 and 18 months after the exit.
FOLLOW_UP = "finsam-uppfoljning"
#: The registration forms in the order of a deltagare's course, first in every list.
REGISTRATION_FORMS = (ENROLMENT_STARTS, ENROLMENT_ENDS, FOLLOW_UP)

#: Kön, on the inskrivning and on the NNS deltagare surveys: results by kön.
KON_ITEM = "kon"
#: The inskrivning's background items, each a table of those who started.
AGE_GROUP_ITEM = "aldersgrupp"
EDUCATION_ITEM = "utbildning"
TIME_ON_BENEFITS_ITEM = "tid-offentlig-forsorjning"
#: Försörjning and sysselsättning, asked on the inskrivning and again on the avslut:
#: the before/after tables.
SUPPORT_ITEM = "forsorjning"
OCCUPATION_ITEM = "sysselsattning"
#: The avslut's reason for leaving the insats (avslutsanledning).
EXIT_REASON_ITEM = "avslutsanledning"
#: The uppföljning's situation (läge) 6 and 18 months after the exit.
SITUATION_ITEM = "lage"

# --- NNS indikatorenkät, deltagare: the indicator shares ---------------------------------

NNS_DELTAGARE_PAGAENDE = "nns-deltagare-pagaende"
NNS_DELTAGARE_AVSLUT = "nns-deltagare-avslut"
#: The NNS deltagare surveys, whose indicators a report and an insats' goals name.
NNS_DELTAGARE = (NNS_DELTAGARE_PAGAENDE, NNS_DELTAGARE_AVSLUT)

# --- rated instruments: outcome tables and the samtalsunderlag ---------------------------

#: Outcome Rating Scale and Session Rating Scale, every session: the samtalsunderlag.
ORS, SRS = "ors", "srs"
#: The progressions shown first vs latest per area: the deltagare's own SKAPA, then staff's.
PROGRESSIONS = ("skapa", "skapa-personal")
PROCESSTRAPPAN = "processtrappan"
#: Every rated instrument a report draws outcome tables from, in the report's order.
RATED = (ORS, SRS, *PROGRESSIONS, PROCESSTRAPPAN)
