"""Demo data for `enkat demo`: one invented förbund's year, built through the real services.

Everything comes from one seeded `random.Random` and the day the year ends, never from
`secrets`, so two loads with the same seed and day give the same codes, dates and answers.
That day is the installation's today unless one is given: the demo always looks like a
förbund in use, with forms due this week and reports of the periods just ended.
Responses go through `record_response` exactly as the staff screens, links, kiosk and
paper entry record them; registration forms start and end the enrolments.

The year is planned first as plain data (a `Course` per deltagare, a `PlannedResponse`
per filled-in form) and then recorded, so the distributions below read as tables.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.schedules import bundled_schedules
from enkat.models import (
    Campaign,
    CampaignRecipient,
    Forbund,
    Goal,
    Insats,
    Invitation,
    ResponseSource,
    Role,
    User,
)
from enkat.reports.inputs import GoalSpec
from enkat.reports.period import Period
from enkat.services import ServiceError, documents
from enkat.services.answering.drafts import local_today
from enkat.services.answering.responses import ResponseContext, record_response
from enkat.services.deltagare import participants
from enkat.services.instruments.versions import register_version, resolve_instrument
from enkat.services.organisation.forbund import create_forbund, find_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.organisation.schedules import ScheduleRow, schedule_rows
from enkat.services.people.users import create_user, find_user, grant_role
from enkat.services.samhallsnytta import PriceEntry, save_price_list, set_insats_cost
from enkat.services.tokens import hash_token

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEMO_FORBUND_SLUG = "alvdalen"
DEMO_FORBUND_NAME = "Samordningsförbundet Älvdalen"
DEMO_PASSWORD = "demo-losenord"
DEFAULT_SEED = 2025
#: A fixed "today" for tests that check the demo's exact figures: the planned year is
#: then calendar year 2025.
REFERENCE_TODAY = dt.date(2025, 12, 31)

TRIAL_PERIOD_DAYS = 90

Weights = Mapping[str, float]
Choices = Mapping[tuple[str, ...], float]
T = TypeVar("T")
N = TypeVar("N", int, float)


class DemoAlreadyLoaded(ServiceError):
    pass


# --- the förbund: insatser, schedules, goals, users --------------------------------------


@dataclass(frozen=True)
class Background:
    """Who the deltagare of an insats are, as answered in finsam-inskrivning."""

    aldersgrupp: Weights
    utbildning: Weights
    tid_offentlig_forsorjning: Weights
    forsorjning: Choices
    sysselsattning: Choices


@dataclass(frozen=True)
class InsatsPlan:
    slug: str
    name: str
    huvudman: str
    #: the insats runs from 1 January `years_before` the demo year to 31 December after it
    years_before: int
    years_after: int
    deltagare: int
    background: Background
    exit_reasons: Weights
    #: share of deltagare followed with ORS/SRS in every session
    ors_share: float
    follows_skapa: bool
    #: share of deltagare personal rate on Processtrappan in time (the rest: see CATCH_UP)
    processtrappan_share: float
    schedule: tuple[ScheduleRow, ...]
    goals: tuple[GoalSpec, ...]
    granted_kronor: int | None = None  # beviljat medel


@dataclass(frozen=True)
class StaffPlan:
    email: str
    display_name: str
    role: Role
    insats: str | None = None


KON: Weights = {"kvinna": 0.56, "man": 0.41, "annat": 0.01, "uppgift-saknas": 0.02}

ADULTS = Background(
    aldersgrupp={"16-29": 0.22, "30-44": 0.38, "45-59": 0.32, "60-66": 0.08},
    utbildning={
        "grundskola": 0.30, "gymnasium": 0.42, "hogskola-upp-till-1-ar": 0.06,
        "hogskola-upp-till-3-ar": 0.10, "hogskola-mer-an-3-ar": 0.05, "saknas": 0.07,
    },
    tid_offentlig_forsorjning={
        "upp-till-1-ar": 0.12, "upp-till-2-ar": 0.13, "upp-till-3-ar": 0.12,
        "upp-till-4-ar": 0.10, "upp-till-5-ar": 0.09, "upp-till-6-ar": 0.08,
        "upp-till-8-ar": 0.09, "upp-till-9-ar": 0.06, "9-ar-eller-mer": 0.21,
    },
    forsorjning={
        ("forsorjningsstod",): 0.26, ("sjukpenning-rehabpenning",): 0.18,
        ("aktivitetsstod",): 0.09, ("a-kassa",): 0.05, ("sjukersattning",): 0.05,
        ("aktivitetsersattning",): 0.05, ("ingen-offentlig-forsorjning",): 0.06,
        ("annan",): 0.02, ("forsorjningsstod", "sjukpenning-rehabpenning"): 0.10,
        ("aktivitetsstod", "forsorjningsstod"): 0.08, ("a-kassa", "forsorjningsstod"): 0.06,
    },
    sysselsattning={
        ("ingen",): 0.62, ("aktivt-arbetssokande",): 0.20, ("studier",): 0.05,
        ("arbete-subventionerat",): 0.06, ("arbete-ej-subventionerat",): 0.03,
        ("aktivt-arbetssokande", "studier"): 0.04,
    },
)

YOUNG_ADULTS = Background(
    aldersgrupp={"16-29": 1.0},
    utbildning={
        "grundskola": 0.45, "gymnasium": 0.40, "hogskola-upp-till-1-ar": 0.05,
        "hogskola-upp-till-3-ar": 0.02, "saknas": 0.08,
    },
    tid_offentlig_forsorjning={
        "upp-till-1-ar": 0.30, "upp-till-2-ar": 0.25, "upp-till-3-ar": 0.18,
        "upp-till-4-ar": 0.12, "upp-till-5-ar": 0.08, "upp-till-6-ar": 0.07,
    },
    forsorjning={
        ("forsorjningsstod",): 0.30, ("aktivitetsersattning",): 0.25, ("aktivitetsstod",): 0.14,
        ("ingen-offentlig-forsorjning",): 0.10, ("studiestod",): 0.04,
        ("aktivitetsstod", "forsorjningsstod"): 0.11,
        ("aktivitetsersattning", "forsorjningsstod"): 0.06,
    },
    sysselsattning={
        ("ingen",): 0.58, ("aktivt-arbetssokande",): 0.22, ("studier",): 0.10,
        ("arbete-subventionerat",): 0.05, ("aktivt-arbetssokande", "studier"): 0.05,
    },
)

EXIT_REASONS: Weights = {
    "arbete": 0.28, "studier": 0.10, "aktivt-arbetssokande": 0.15,
    "fortsatt-rehabilitering": 0.30, "sjukdom": 0.09, "ovrigt": 0.08,
}
YOUNG_ADULT_EXIT_REASONS: Weights = {
    "arbete": 0.30, "studier": 0.25, "aktivt-arbetssokande": 0.15,
    "fortsatt-rehabilitering": 0.18, "sjukdom": 0.05, "ovrigt": 0.07,
}
#: Leaving within the prövotid is rarely for work: the insats did not fit, or illness.
TRIAL_EXIT_REASONS: Weights = {"fortsatt-rehabilitering": 0.35, "sjukdom": 0.30, "ovrigt": 0.35}

#: Försörjning after the exit, by exit reason; a reason not listed keeps the sources at start.
FORSORJNING_AFTER_EXIT: Mapping[str, Choices] = {
    "arbete": {
        ("lon",): 0.60, ("ingen-offentlig-forsorjning",): 0.20, ("forsorjningsstod", "lon"): 0.20,
    },
    "studier": {("studiestod",): 0.75, ("forsorjningsstod", "studiestod"): 0.15,
                ("aktivitetsersattning",): 0.10},
    "aktivt-arbetssokande": {("a-kassa",): 0.20, ("aktivitetsstod",): 0.45,
                             ("forsorjningsstod",): 0.35},
    "sjukdom": {("sjukpenning-rehabpenning",): 0.60, ("sjukersattning",): 0.15,
                ("forsorjningsstod",): 0.25},
}
SYSSELSATTNING_AFTER_EXIT: Mapping[str, Choices] = {
    "arbete": {("arbete-ej-subventionerat",): 0.55, ("arbete-subventionerat",): 0.45},
    "studier": {("studier",): 1.0},
    "aktivt-arbetssokande": {("aktivt-arbetssokande",): 1.0},
    "fortsatt-rehabilitering": {("ingen",): 0.70, ("aktivt-arbetssokande",): 0.30},
    "sjukdom": {("ingen",): 1.0},
    "ovrigt": {("ingen",): 0.70, ("aktivt-arbetssokande",): 0.30},
}
LAGE_AFTER_EXIT: Mapping[str, Weights] = {
    "arbete": {"arbete-studier-arbetssokande": 0.85, "ovrigt": 0.05, "ej-nadd": 0.10},
    "studier": {"arbete-studier-arbetssokande": 0.85, "ovrigt": 0.05, "ej-nadd": 0.10},
    "aktivt-arbetssokande": {"arbete-studier-arbetssokande": 0.70, "fortsatt-rehabilitering": 0.10,
                             "ej-nadd": 0.20},
    "fortsatt-rehabilitering": {"fortsatt-rehabilitering": 0.60,
                                "arbete-studier-arbetssokande": 0.20, "ej-nadd": 0.20},
    "sjukdom": {"sjukdom": 0.70, "ej-nadd": 0.30},
    "ovrigt": {"ovrigt": 0.50, "arbete-studier-arbetssokande": 0.15, "ej-nadd": 0.35},
}
#: SKAPA progression per three months, by exit reason (None: still in the insats).
SKAPA_SLOPE: Mapping[str | None, float] = {
    "arbete": 0.9, "studier": 0.8, "aktivt-arbetssokande": 0.6, "fortsatt-rehabilitering": 0.35,
    "sjukdom": -0.1, "ovrigt": 0.2, None: 0.45,
}
#: Processtrappan step at the exit, by exit reason; after the other reasons the deltagare
#: has moved at most one step from the start, more often up than down.
PROCESSTRAPPAN_EXIT_STEP: Mapping[str, int] = {
    "arbete": 5, "studier": 5, "aktivt-arbetssokande": 4,
}
PROCESSTRAPPAN_OTHER_MOVES = (-1, 0, 1, 1)
PROCESSTRAPPAN_START_STEP: Weights = {"1": 0.30, "2": 0.45, "3": 0.20, "4": 0.05}

COMMON_SCHEDULE = schedule_rows(bundled_schedules().part("registrering"))
ORS_SRS_SCHEDULE = schedule_rows(bundled_schedules().part("ors-srs"))
SKAPA_SCHEDULE = schedule_rows(bundled_schedules().part("skapa"))
PROCESSTRAPPAN_SCHEDULE = schedule_rows(bundled_schedules().part("processtrappan"))

TILL_ARBETE_ELLER_STUDIER_40 = GoalSpec(
    "Minst 40 % av de avslutade deltagarna går till arbete eller studier",
    "till-arbete-eller-studier", "at_least_share", 0.40,
)
REDO_FOR_ARBETE = GoalSpec(
    "Fler deltagare känner sig redo att arbeta eller studera än förra året",
    "narmar-sig-egen-forsorjning", "more_than_previous_year",
)

INSATSER = (
    InsatsPlan(
        slug="steget-vidare",
        name="Steget vidare",
        huvudman="Arbetsförmedlingen",
        years_before=2,
        years_after=1,
        deltagare=24,
        background=ADULTS,
        exit_reasons=EXIT_REASONS,
        ors_share=0.35,
        follows_skapa=True,
        processtrappan_share=0.6,
        schedule=COMMON_SCHEDULE + ORS_SRS_SCHEDULE + SKAPA_SCHEDULE + PROCESSTRAPPAN_SCHEDULE,
        goals=(TILL_ARBETE_ELLER_STUDIER_40, REDO_FOR_ARBETE),
        granted_kronor=2_400_000,
    ),
    InsatsPlan(
        slug="halsolotsen",
        name="Hälsolotsen",
        huvudman="Regionen, primärvården",
        years_before=1,
        years_after=1,
        deltagare=20,
        background=ADULTS,
        exit_reasons=EXIT_REASONS,
        ors_share=1.0,
        follows_skapa=False,
        processtrappan_share=0.0,
        schedule=COMMON_SCHEDULE + ORS_SRS_SCHEDULE,
        goals=(
            GoalSpec(
                "Minst 60 % av deltagarna har fått hjälp att hantera sin situation",
                "hantera-sin-situation", "at_least_share", 0.60,
            ),
            GoalSpec(
                "Minst 70 % av deltagarna får stöd som är till stor nytta",
                "nytta", "at_least_share", 0.70,
            ),
        ),
        granted_kronor=1_150_000,
    ),
    InsatsPlan(
        slug="unga-vuxna-i-arbete",
        name="Unga vuxna i arbete",
        huvudman="Kommunen, arbetsmarknadsenheten",
        years_before=1,
        years_after=2,
        deltagare=16,
        background=YOUNG_ADULTS,
        exit_reasons=YOUNG_ADULT_EXIT_REASONS,
        ors_share=0.0,
        follows_skapa=True,
        processtrappan_share=0.5,
        schedule=COMMON_SCHEDULE + SKAPA_SCHEDULE + PROCESSTRAPPAN_SCHEDULE,
        goals=(
            GoalSpec(
                "Minst 50 % av de avslutade deltagarna går till arbete eller studier",
                "till-arbete-eller-studier", "at_least_share", 0.50,
            ),
            GoalSpec(
                "Minst 70 % har en planering som tar vid när insatsen avslutas",
                "planering-efter-avslut", "at_least_share", 0.70,
            ),
        ),
        granted_kronor=1_800_000,
    ),
)

USERS = (
    StaffPlan("admin@alvdalen.example", "Karin Ek (förbundschef)", Role.ADMIN),
    StaffPlan("analytiker@alvdalen.example", "Lars Holm (processledare)", Role.ANALYST),
    StaffPlan("anna.berg@alvdalen.example", "Anna Berg", Role.STAFF, "steget-vidare"),
    StaffPlan("johan.nilsson@alvdalen.example", "Johan Nilsson", Role.STAFF, "halsolotsen"),
    StaffPlan("sara.lindqvist@alvdalen.example", "Sara Lindqvist", Role.STAFF,
              "unga-vuxna-i-arbete"),
)

# --- utskick: the NNS surveys of staff, managers and the board, once a year ---------------


@dataclass(frozen=True)
class UtskickPlan:
    instrument_id: str
    title: str  # "{year}" is the year of the utskick
    month: int
    sent: int
    answered: int


UTSKICK = (
    UtskickPlan("nns-personal", "Indikatorenkät {year} till personalen i insatserna", 3, 14, 11),
    UtskickPlan("nns-chefer", "Indikatorenkät {year} till chefer i samverkan", 4, 10, 8),
    UtskickPlan("nns-styrelse", "Indikatorenkät {year} till styrelsen", 4, 9, 7),
)
#: Weights of the nns4 answers 1–4 and 0 (vet ej); the later year leans one step better.
NNS4_WEIGHTS: Weights = {"1": 0.08, "2": 0.25, "3": 0.41, "4": 0.20, "0": 0.06}
NNS4_BETTER: Weights = {"1": 0.05, "2": 0.20, "3": 0.43, "4": 0.27, "0": 0.05}
UTSKICK_OPEN_DAYS = 21
UTSKICK_DAY = 10  # of the month the utskick is sent

# --- the reports the insatser and the förbund file ---------------------------------------


@dataclass(frozen=True)
class DocumentPlan:
    """A filed report of the demo year: its period (the latest calendar quarter, half-year
    or year that has ended by today, or from the insats' start up to today), what its
    writers wrote, and how far it has come."""

    kind: str
    months: int | None  # 3, 6 or 12: the period's length; None: from the insats' start
    steps: tuple[str, ...]  # "send", "return", "approve", "comment", in order
    texts: Mapping[str, str]
    goal_comments: Mapping[int, str] = field(default_factory=dict)
    figures: Mapping[str, tuple[int | None, int | None, str]] = field(default_factory=dict)


#: The förbund's words when it comments on or returns a report.
REVIEW_COMMENT = "Tack! Vi tar med siffrorna till styrelsens nästa möte."
RETURN_COMMENT = "Beskriv avvikelserna i tidsplanen och vad ni gör åt dem."
CORRECTION = ("Rekryteringen av en handledare drog ut två månader; gruppträffarna "
              "startade därför i mars i stället för januari. Vi har tagit igen det genom "
              "två grupper under hösten.")

INSATS_DOCUMENTS = (
    DocumentPlan("kvartalsrapport", 3, ("send", "comment"), {
        "aktiviteter": "Under kvartalet har {{nyckeltal:deltagare}} varit inskrivna, varav "
                       "{{nyckeltal:nya}} nya. Gruppträffarna om arbetsmarknaden har "
                       "fortsatt varje vecka, och vi har gjort studiebesök på två arbetsplatser.",
        "avvikelser": "Inga avvikelser i ekonomi eller tidsplan.",
        "brukarmedverkan": "Deltagarrådet har träffats två gånger och föreslog öppet en kväll "
                           "i veckan, vilket vi har börjat med.",
        "bedomning": "Samarbetet mellan parterna fungerar bra. Väntetider till vården är "
                     "fortfarande ett systemfel som bromsar flera deltagare.",
        "styrgruppens-analys": "Inga kommentarer har inkommit.",
    }),
    DocumentPlan("delrapport", 6, ("send", "return", "send", "approve"), {
        "bakgrund": "Många i kommunen har långa tider i offentlig försörjning och stöd från "
                    "flera myndigheter som inte hänger ihop.",
        "syfte": "Att deltagarna kommer närmare arbete eller studier med ett samordnat stöd "
                 "från kommun, region, Arbetsförmedlingen och Försäkringskassan.",
        "malgrupp": "Vuxna som behöver stöd från minst två av parterna.",
        "arbetssatt": "Varje deltagare har en handledare och en plan som följs upp varje månad.",
        "avvikelser": "Inga avvikelser i ekonomin.",
        "uppfoljning": "Av dem som avslutat efter prövotiden gick "
                       "{{nyckeltal:andel-till-arbete-eller-studier}} till arbete eller studier.",
    }, goal_comments={0: "Prognosen ser god ut: flera deltagare har praktik som kan leda "
                         "till anställning."},
        figures={"ekonomi": {"lonekostnader": (620_000, 598_400, "två handledare"),
                             "lokalkostnader": (60_000, 60_000, ""),
                             "aktiviteter": (40_000, 23_150, "färre studiebesök än planerat"),
                             "resekostnader": (10_000, 4_320, "")}}),
    DocumentPlan("slutrapport", None, (), {
        "bakgrund": "Insatsen startade för att parterna såg samma personer hos flera av dem "
                    "utan att stödet hängde ihop.",
        "erfarenheter": "Det gemensamma mötet i början av insatsen gör störst skillnad.",
    }),
)
HELARSRAPPORT = DocumentPlan("helarsrapport", 12, (), {
    "sammanfattning": "Under året har {{nyckeltal:deltagare}} deltagit i förbundets "
                      "insatser. Av dem som avslutat efter prövotiden gick "
                      "{{nyckeltal:andel-till-arbete-eller-studier}} till arbete eller studier.",
    "framtiden": "Förbundet vill pröva samma arbetssätt för unga vuxna i fler kommuner.",
})

# --- how a year runs ---------------------------------------------------------------------

#: Shares of each insats' deltagare who end within the year, and of those in the prövotid.
ENDED_SHARE = 0.67
TRIAL_EXIT_SHARE = 0.15
#: Deltagare registered without consent: kön (and the start date) only.
WITHOUT_CONSENT_SHARE = 0.05
NNS_PAGAENDE_SHARE = 0.80
NNS_AVSLUT_SHARE = 0.75
NNS_KON_ANSWERED_SHARE = 0.65
NNS_VET_EJ_SHARE = 0.04
#: Shares of the SKAPA, Processtrappan and follow-up forms filled in in time; the rest
#: are filled in when personal catch up (CATCH_UP).
SKAPA_SELF_SHARE = 0.85
SKAPA_STAFF_SHARE = 0.90
UPPFOLJNING_SHARE = 0.90
#: Personal catch up on the forms a deltagare is due for within some weeks: a form due
#: longer ago is in, so the to-do list holds what is due now and what is days or weeks
#: late, not a year, as in a förbund that keeps up.
CATCH_UP = dt.timedelta(weeks=6)
SRS_SHARE = 0.92
#: Of the follow-ups that reach the deltagare: how many register the försörjning, and
#: how many of those find it changed since the exit (as the situation says).
FORSORJNING_FOLLOW_UP_SHARE = 0.90
FORSORJNING_CHANGED_SHARE = 0.30
#: The exit reason whose försörjning a situation at the follow-up resembles.
LAGE_SITUATION = {"arbete-studier-arbetssokande": "arbete", "sjukdom": "sjukdom"}
SESSION_COUNT = (4, 15)
SESSION_GAP_WEEKS: Mapping[int, float] = {1: 0.45, 2: 0.35, 3: 0.20}

SKAPA_FORMS = ("skapa", "skapa-personal")
ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")
SRS_ITEMS = ("relation", "mal-och-amnen", "metod", "allmant")
NNS_PAGAENDE_ITEMS = tuple(f"q{n}" for n in range(1, 8))
NNS_AVSLUT_ITEMS = tuple(f"q{n}" for n in range(1, 11))
#: NNS items answered less positively than the rest, as in the national results.
NNS_ITEM_OFFSET: Mapping[str, float] = {
    "q2": -0.2, "q6": -0.6, "q8": -0.4, "q9": -0.6, "q10": -0.5,
}

SELF_REPORT_SOURCES: Mapping[ResponseSource, float] = {
    ResponseSource.LINK: 0.40, ResponseSource.KIOSK: 0.45, ResponseSource.PAPER: 0.15,
}
#: ORS and SRS are filled in during the session: on the tablet, or on paper entered later.
SESSION_SOURCES: Mapping[ResponseSource, float] = {
    ResponseSource.KIOSK: 0.80, ResponseSource.PAPER: 0.20,
}


@dataclass(frozen=True)
class OrsCourse:
    """A kind of ORS course: the first total and the change up to the latest session.

    The ranges keep a margin from the cut-off (25) and the reliable change (5), so each
    kind lands in its ORS-SRS.md class once a deltagare has had two sessions or more.
    """

    share: float
    intake: tuple[float, float]
    change: tuple[float, float]


ORS_COURSES: Mapping[str, OrsCourse] = {
    "recovered": OrsCourse(0.32, (15.0, 19.5), (9.0, 13.0)),
    "improved": OrsCourse(0.22, (11.0, 16.0), (6.5, 8.0)),
    "unchanged": OrsCourse(0.28, (14.0, 21.0), (-2.5, 3.0)),
    "deteriorated": OrsCourse(0.08, (17.0, 23.0), (-9.0, -6.5)),
    "above-cutoff": OrsCourse(0.10, (26.5, 31.0), (-2.0, 4.0)),
}
SRS_DIP_SHARE = 0.12


# --- the plan and the summary, as plain data ---------------------------------------------


class Outcome(Enum):
    ONGOING = "ongoing"
    EXIT = "exit"
    TRIAL_EXIT = "trial-exit"  # ended within the prövotid


@dataclass(frozen=True)
class Course:
    """One deltagare's time in an insats, as the demo plans it."""

    code: str
    insats: InsatsPlan
    kon: str
    started_on: dt.date
    ended_on: dt.date | None
    exit_reason: str | None
    #: the kind of ORS course (a key of ORS_COURSES), None when not followed with ORS/SRS
    ors_course: str | None = None

    def active_on(self, day: dt.date, today: dt.date) -> bool:
        """Whether the deltagare is in the insats on `day`: from the start, before the exit."""
        if self.ended_on is not None:
            return self.started_on <= day < self.ended_on
        return self.started_on <= day <= today


@dataclass(frozen=True)
class PlannedResponse:
    instrument_id: str
    timepoint: str
    answered_on: dt.date
    answers: Mapping[str, Sequence[str]]
    source: ResponseSource
    #: False for the anonymous NNS forms: recorded with the insats but without the code
    about_deltagare: bool = True


@dataclass(frozen=True)
class DemoLogin:
    email: str
    display_name: str
    role: Role
    password: str
    insats: str | None


@dataclass(frozen=True)
class DemoSummary:
    forbund_slug: str
    forbund_name: str
    insatser: int
    deltagare: int
    responses_by_instrument: Mapping[str, int]
    logins: tuple[DemoLogin, ...]
    #: the day the demo's year ends
    today: dt.date

    @property
    def responses(self) -> int:
        return sum(self.responses_by_instrument.values())


# --- samhällsnytta: example prices and the insatser's costs -------------------------------

#: What each försörjning source costs the public purse a month, and who pays it, in the
#: year the demo ends in: example figures (the price lists say so), None for "ej prissatt".
EXAMPLE_PRICES: Mapping[str, tuple[int, str] | None] = {
    "a-kassa": (14_000, "a-kassan"),
    "aktivitetsersattning": (12_000, "forsakringskassan"),
    "aktivitetsstod": (9_000, "arbetsformedlingen"),
    "forsorjningsstod": (10_000, "kommunen"),
    "ingen-offentlig-forsorjning": (0, "ingen"),
    "sjukersattning": (13_000, "forsakringskassan"),
    "sjukpenning-rehabpenning": (18_000, "forsakringskassan"),
    "studiestod": (11_000, "csn"),
    "lon": (0, "ingen"),
    "annan": None,
}
#: Each year before is priced this much lower than the next (to the nearest hundred kronor).
PRICE_RISE_A_YEAR = 0.03
#: The utfall of a year that is over, as a share of its beviljat medel.
SPENT_SHARE = 0.96


# --- loading -----------------------------------------------------------------------------


def load_demo(seed: int = DEFAULT_SEED, today: dt.date | None = None) -> DemoSummary:
    """Create the demo förbund with a year of data up to `today` (the installation's
    today unless given); refuse if it exists."""
    today = today or local_today()
    if find_forbund(DEMO_FORBUND_SLUG) is not None:
        raise DemoAlreadyLoaded(
            f'the demo data are already loaded: förbund "{DEMO_FORBUND_SLUG}" '
            f"({DEMO_FORBUND_NAME}) exists"
        )
    rng = random.Random(seed)
    forbund = create_forbund(DEMO_FORBUND_SLUG, DEMO_FORBUND_NAME)
    insatser = {plan.slug: create_demo_insats(forbund, plan, today) for plan in INSATSER}
    logins = create_demo_users(forbund, insatser)
    courses = plan_courses(rng, today)
    counts = record_courses(rng, forbund, insatser, courses, today)
    counts += record_utskick(rng, forbund, find_user(USERS[0].email), today)
    record_samhallsnytta(forbund, insatser, today)  # before the documents freeze figures
    record_documents(forbund, insatser, today)
    return DemoSummary(
        forbund_slug=forbund.slug,
        forbund_name=forbund.name,
        insatser=len(insatser),
        deltagare=len(courses),
        responses_by_instrument=dict(sorted(counts.items())),
        logins=logins,
        today=today,
    )


def create_demo_insats(forbund: Forbund, plan: InsatsPlan, today: dt.date) -> Insats:
    insats = create_insats(
        forbund,
        plan.slug,
        plan.name,
        huvudman=plan.huvudman,
        starts_on=dt.date(today.year - plan.years_before, 1, 1),
        ends_on=dt.date(today.year + plan.years_after, 12, 31),
        trial_period_days=TRIAL_PERIOD_DAYS,
    )
    insats.granted_kronor = plan.granted_kronor
    insats.schedule = [row.entry() for row in plan.schedule]
    insats.goals = [
        Goal(position=position, description=goal.description, indicator=goal.indicator,
             comparison=goal.comparison, target=goal.target)
        for position, goal in enumerate(plan.goals)
    ]
    return insats


def create_demo_users(forbund: Forbund, insatser: Mapping[str, Insats]) -> tuple[DemoLogin, ...]:
    for plan in USERS:
        user = create_user(plan.email, DEMO_PASSWORD, plan.display_name)
        grant_role(user, forbund, plan.role)
        if plan.insats is not None:
            insatser[plan.insats].staff.append(user)
    db.session.flush()
    return demo_logins()


def demo_logins() -> tuple[DemoLogin, ...]:
    """The demo's sign-ins, also for printing when the demo was loaded earlier."""
    return tuple(
        DemoLogin(plan.email, plan.display_name, plan.role, DEMO_PASSWORD, plan.insats)
        for plan in USERS
    )


def record_courses(
    rng: random.Random,
    forbund: Forbund,
    insatser: Mapping[str, Insats],
    courses: Sequence[Course],
    today: dt.date,
) -> Counter[str]:
    """Record every planned response through `record_response`; count them by instrument."""
    instruments = {instrument_id: resolve_instrument(instrument_id)
                   for instrument_id in scheduled_instruments()}
    areas = {form: rated_areas(instruments[form]) for form in SKAPA_FORMS}
    counts: Counter[str] = Counter()
    for course in courses:
        participant = participants.get_or_create_participant(forbund, course.code)
        for planned in plan_responses(rng, course, today, areas):
            context = ResponseContext(
                forbund=forbund,
                instrument=instruments[planned.instrument_id],
                insats=insatser[course.insats.slug],
                participant=participant if planned.about_deltagare else None,
                timepoint=planned.timepoint,
                answered_on=planned.answered_on,
            )
            record_response(context, planned.answers, source=planned.source,
                            external_id=external_id(rng),
                            submitted_at=office_hours(planned.answered_on, rng))
            counts[planned.instrument_id] += 1
    return counts


def record_utskick(rng: random.Random, forbund: Forbund, admin: User | None,
                   today: dt.date) -> Counter[str]:
    """The two latest yearly rounds of the NNS staff surveys to the whole förbund that
    have closed by today, closed, answered through their links: addresses gone, only the
    counts and the anonymous answers left, as a closed utskick keeps them."""
    counts: Counter[str] = Counter()
    for rounds_back, weights in ((1, NNS4_WEIGHTS), (0, NNS4_BETTER)):
        for plan in UTSKICK:
            latest = latest_closed_round(plan, today)
            sent_on = latest.replace(year=latest.year - rounds_back)
            counts[plan.instrument_id] += record_campaign(rng, forbund, admin, plan,
                                                          sent_on, weights)
    return counts


def latest_closed_round(plan: UtskickPlan, today: dt.date) -> dt.date:
    """The day the latest round of the utskick that has closed by today was sent."""
    sent_on = dt.date(today.year, plan.month, UTSKICK_DAY)
    if sent_on + dt.timedelta(days=UTSKICK_OPEN_DAYS) < today:
        return sent_on
    return sent_on.replace(year=today.year - 1)


def record_campaign(rng: random.Random, forbund: Forbund, admin: User | None,
                    plan: UtskickPlan, sent_on: dt.date, weights: Weights) -> int:
    instrument = resolve_instrument(plan.instrument_id)
    version = register_version(instrument)
    sent_at = office_hours(sent_on, rng)
    closes_at = dt.datetime.combine(sent_on + dt.timedelta(days=UTSKICK_OPEN_DAYS + 1),
                                    dt.time(0), STOCKHOLM).astimezone(dt.UTC)
    campaign = Campaign(
        forbund_id=forbund.id, instrument_version_id=version.id,
        timepoint=instrument.timepoints[0], title=plan.title.format(year=sent_on.year),
        created_by_id=admin.id if admin else None, created_at=sent_at,
        closes_at=closes_at, closed_at=closes_at)
    db.session.add(campaign)
    db.session.flush()
    rated = [item.id for item in instrument.items if item.positive_codes]
    for number in range(plan.sent):
        answered_on = sent_on + dt.timedelta(days=rng.randrange(0, UTSKICK_OPEN_DAYS))
        used_at = office_hours(answered_on, rng) if number < plan.answered else None
        invitation = Invitation(
            token_hash=hash_token(f"demo-{rng.getrandbits(128):032x}"),
            instrument_version_id=version.id, forbund_id=forbund.id,
            timepoint=campaign.timepoint, created_at=sent_at, created_by_id=campaign.created_by_id,
            expires_at=closes_at, used_at=used_at, campaign_id=campaign.id)
        db.session.add(invitation)
        campaign.recipients.append(CampaignRecipient(answered=used_at is not None,
                                                     sent_at=sent_at))
        if used_at is None:
            continue
        db.session.flush()
        context = ResponseContext(forbund=forbund, instrument=instrument, insats=None,
                                  participant=None, timepoint=campaign.timepoint,
                                  answered_on=answered_on)
        response = record_response(context, {item: [pick(rng, weights)] for item in rated},
                                   source=ResponseSource.LINK, external_id=external_id(rng),
                                   submitted_at=used_at)
        response.campaign_id, response.invitation_id = campaign.id, invitation.id
    db.session.flush()
    return plan.answered


def office_hours(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment during the working day, so the demo's time stamps follow its dates."""
    minute = rng.randrange(8 * 60, 17 * 60)
    moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), STOCKHOLM)
    return moment.astimezone(dt.UTC)


def scheduled_instruments() -> list[str]:
    """The instruments the demo insatser measure with, in schedule order."""
    return list(dict.fromkeys(row.instrument_id for plan in INSATSER for row in plan.schedule))


def rated_areas(instrument: Instrument) -> tuple[str, ...]:
    return tuple(item.id for item in instrument.items if item.type == "ordinal")


def external_id(rng: random.Random) -> str:
    """A response id shaped like the default (uuid4 hex), but drawn from the seed."""
    return f"{rng.getrandbits(128):032x}"


# --- planning deltagare and their forms --------------------------------------------------


def plan_courses(rng: random.Random, today: dt.date) -> list[Course]:
    """Every deltagare of the year, in the order they started."""
    codes = iter(deltagare_codes(rng, sum(plan.deltagare for plan in INSATSER)))
    courses = [
        plan_course(rng, plan, next(codes), outcome, exit_reason, today)
        for plan in INSATSER
        for outcome, exit_reason in course_endings(plan)
    ]
    courses = with_ors_courses(rng, courses)
    return sorted(courses, key=lambda course: (course.started_on, course.code))


def with_ors_courses(rng: random.Random, courses: Sequence[Course]) -> list[Course]:
    """Choose who is followed with ORS/SRS, and give them ORS courses in fixed shares."""
    followed = [course.code for course in courses if rng.random() < course.insats.ors_share]
    kinds = quota({name: kind.share for name, kind in ORS_COURSES.items()}, len(followed))
    rng.shuffle(kinds)
    ors_course = dict(zip(followed, kinds, strict=False))
    return [replace(course, ors_course=ors_course.get(course.code)) for course in courses]


def course_endings(plan: InsatsPlan) -> list[tuple[Outcome, str | None]]:
    """How each deltagare's year ends and why, in fixed shares rather than drawn.

    With some 20 deltagare per insats, drawing would let one seed send half of them
    out on sick leave; quotas make every seed tell the same, believable story.
    """
    ended = round(plan.deltagare * ENDED_SHARE)
    trial_exits = round(ended * TRIAL_EXIT_SHARE)
    return (
        [(Outcome.TRIAL_EXIT, reason) for reason in quota(TRIAL_EXIT_REASONS, trial_exits)]
        + [(Outcome.EXIT, reason) for reason in quota(plan.exit_reasons, ended - trial_exits)]
        + [(Outcome.ONGOING, None)] * (plan.deltagare - ended)
    )


def quota(weights: Weights, count: int) -> list[str]:
    """`count` values in the shares of `weights`, rounded by largest remainder."""
    total = sum(weights.values())
    exact = {value: count * weight / total for value, weight in weights.items()}
    counts = {value: math.floor(share) for value, share in exact.items()}
    by_remainder = sorted(exact, key=lambda value: counts[value] - exact[value])
    for value in by_remainder[: count - sum(counts.values())]:
        counts[value] += 1
    return [value for value, times in counts.items() for _ in range(times)]


def deltagare_codes(rng: random.Random, count: int) -> list[str]:
    """Distinct codes shaped like `participants.generate_code`'s, drawn from the seed."""
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(
            rng.choice(participants.CODE_ALPHABET)
            for _ in range(participants.GENERATED_CODE_LENGTH)
        )
        if code not in codes:
            codes.append(code)
    return codes


def plan_course(
    rng: random.Random,
    plan: InsatsPlan,
    code: str,
    outcome: Outcome,
    exit_reason: str | None,
    today: dt.date,
) -> Course:
    """Kön, start and exit of one deltagare; those who leave started early enough to."""
    kon = pick(rng, KON)
    if outcome is Outcome.ONGOING:
        started_on = today - days(rng.randint(0, 330))
        return Course(code, plan, kon, started_on, None, None)
    if outcome is Outcome.TRIAL_EXIT:
        stay = rng.randint(14, TRIAL_PERIOD_DAYS - 5)
        started_on = today - days(rng.randint(stay + 7, 364))
    else:
        started_on = today - days(rng.randint(130, 364))
        stay = rng.randint(TRIAL_PERIOD_DAYS + 10, min(330, (today - started_on).days - 7))
    return Course(code, plan, kon, started_on, started_on + days(stay), exit_reason)


def plan_responses(
    rng: random.Random, course: Course, today: dt.date, areas: Mapping[str, tuple[str, ...]]
) -> list[PlannedResponse]:
    """Every form by or about one deltagare, in the order they are filled in.

    The inskrivning comes first because it starts the enrolment and finsam-avslut
    after everything else in the insats because it ends it.
    """
    inskrivning = plan_inskrivning(rng, course)
    during = [
        *plan_nns_pagaende(rng, course, today),
        *plan_sessions(rng, course, today),
        *plan_skapa(rng, course, today, areas),
        *plan_processtrappan(rng, course, today),
        *plan_nns_avslut(rng, course),
    ]
    during.sort(key=lambda planned: planned.answered_on)
    if course.ended_on is None:
        return [inskrivning, *during]
    avslut = plan_finsam_avslut(rng, course, inskrivning.answers)
    return [
        inskrivning,
        *during,
        avslut,
        *plan_uppfoljning(rng, course, today, avslut.answers),
    ]


def plan_inskrivning(rng: random.Random, course: Course) -> PlannedResponse:
    background = course.insats.background
    answers: dict[str, Sequence[str]] = {"kon": [course.kon]}
    if rng.random() >= WITHOUT_CONSENT_SHARE:
        answers |= {
            "aldersgrupp": [pick(rng, background.aldersgrupp)],
            "utbildning": [pick(rng, background.utbildning)],
            "tid-offentlig-forsorjning": [pick(rng, background.tid_offentlig_forsorjning)],
            "forsorjning": pick(rng, background.forsorjning),
            "sysselsattning": pick(rng, background.sysselsattning),
        }
    return PlannedResponse(
        "finsam-inskrivning", "start", course.started_on, answers, ResponseSource.STAFF
    )


def plan_finsam_avslut(
    rng: random.Random, course: Course, at_start: Mapping[str, Sequence[str]]
) -> PlannedResponse:
    """The exit registration; försörjning shifts with the exit reason."""
    assert course.ended_on is not None and course.exit_reason is not None
    reason = course.exit_reason
    answers: dict[str, Sequence[str]] = {"avslutsanledning": [reason]}
    if "forsorjning" in at_start:  # registered with consent
        after = FORSORJNING_AFTER_EXIT.get(reason)
        answers["forsorjning"] = pick(rng, after) if after else at_start["forsorjning"]
        answers["sysselsattning"] = pick(rng, SYSSELSATTNING_AFTER_EXIT[reason])
    return PlannedResponse(
        "finsam-avslut", "avslut", course.ended_on, answers, ResponseSource.STAFF
    )


def plan_uppfoljning(rng: random.Random, course: Course, today: dt.date,
                     at_exit: Mapping[str, Sequence[str]]) -> list[PlannedResponse]:
    """The telephone follow-up six months after the exit, for those it is due for."""
    assert course.ended_on is not None and course.exit_reason is not None
    due = course.ended_on + days(180)
    if due > today or not filled_in(rng, UPPFOLJNING_SHARE, due, today):
        return []
    answered_on = due + days(rng.randint(0, 21))
    if answered_on > today:  # still to be made
        return []
    lage = pick(rng, LAGE_AFTER_EXIT[course.exit_reason])
    answers: dict[str, Sequence[str]] = {"lage": [lage]}
    forsorjning = forsorjning_at_follow_up(course, lage, at_exit)
    if forsorjning is not None:
        answers["forsorjning"] = forsorjning
    return [PlannedResponse(
        "finsam-uppfoljning", "uppfoljning-6m", answered_on, answers, ResponseSource.STAFF
    )]


def forsorjning_at_follow_up(course: Course, lage: str,
                             at_exit: Mapping[str, Sequence[str]]) -> Sequence[str] | None:
    """The försörjning asked at the follow-up: none for those not reached or registered
    without consent, or (a share) not asked; else mostly as at the exit, sometimes moved
    on with the situation. Drawn from the deltagare's own generator, so the follow-up
    question leaves the rest of the demo as it was."""
    if lage == "ej-nadd" or "forsorjning" not in at_exit:
        return None
    own = random.Random(f"uppfoljning {course.code}")
    if own.random() >= FORSORJNING_FOLLOW_UP_SHARE:
        return None
    moved = FORSORJNING_AFTER_EXIT.get(LAGE_SITUATION.get(lage, ""))
    if moved is not None and own.random() < FORSORJNING_CHANGED_SHARE:
        return pick(own, moved)
    return at_exit["forsorjning"]


def plan_nns_pagaende(rng: random.Random, course: Course, today: dt.date) -> list[PlannedResponse]:
    answered_on = course.started_on + days(90 + rng.randint(0, 14))
    if not course.active_on(answered_on, today) or rng.random() >= NNS_PAGAENDE_SHARE:
        return []
    return [plan_nns(rng, course, "nns-deltagare-pagaende", "pagaende", answered_on,
                     NNS_PAGAENDE_ITEMS)]


def plan_nns_avslut(rng: random.Random, course: Course) -> list[PlannedResponse]:
    if course.ended_on is None or rng.random() >= NNS_AVSLUT_SHARE:
        return []
    return [plan_nns(rng, course, "nns-deltagare-avslut", "avslut", course.ended_on,
                     NNS_AVSLUT_ITEMS)]


def plan_nns(
    rng: random.Random,
    course: Course,
    instrument_id: str,
    timepoint: str,
    answered_on: dt.date,
    items: Sequence[str],
) -> PlannedResponse:
    """An anonymous NNS answer: positive on the whole, with spread and some "vet ej"."""
    overall = rng.gauss(4.7, 0.8)
    answers: dict[str, Sequence[str]] = {
        item: [nns_answer(rng, overall + NNS_ITEM_OFFSET.get(item, 0.0))] for item in items
    }
    if rng.random() < NNS_KON_ANSWERED_SHARE:
        answers["kon"] = [course.kon]
    return PlannedResponse(instrument_id, timepoint, answered_on, answers,
                           pick(rng, SELF_REPORT_SOURCES), about_deltagare=False)


def nns_answer(rng: random.Random, mean: float) -> str:
    if rng.random() < NNS_VET_EJ_SHARE:
        return "0"
    return str(clamp(round(rng.gauss(mean, 0.8)), 1, 6))


def plan_sessions(rng: random.Random, course: Course, today: dt.date) -> list[PlannedResponse]:
    """ORS at the start and SRS at the end of each session, every one to three weeks."""
    if course.ors_course is None:
        return []
    dates = session_dates(rng, course, today, rng.randint(*SESSION_COUNT))
    totals = ors_totals(rng, ORS_COURSES[course.ors_course], len(dates))
    ors_profile, srs_profile = item_profile(rng, 1.0), item_profile(rng, 0.3)
    responses = []
    for number, (day, ors_total) in enumerate(zip(dates, totals, strict=False), start=1):
        timepoint, source = f"session-{number}", pick(rng, SESSION_SOURCES)
        responses.append(PlannedResponse(
            "ors", timepoint, day, vas_answers(rng, ORS_ITEMS, ors_total, ors_profile), source
        ))
        if rng.random() < SRS_SHARE:
            responses.append(PlannedResponse(
                "srs", timepoint, day, vas_answers(rng, SRS_ITEMS, srs_total(rng), srs_profile),
                source,
            ))
    return responses


def session_dates(
    rng: random.Random, course: Course, today: dt.date, planned_count: int
) -> list[dt.date]:
    """The planned sessions that took place: before the exit and not after today."""
    day = course.started_on + days(rng.randint(0, 10))
    dates: list[dt.date] = []
    while len(dates) < planned_count and course.active_on(day, today):
        dates.append(day)
        day += dt.timedelta(weeks=pick(rng, SESSION_GAP_WEEKS))
    return dates


def ors_totals(rng: random.Random, course: OrsCourse, count: int) -> list[float]:
    """ORS totals of `count` sessions: the intake, a curve that is steepest early on and
    reaches the course's change at the latest session, and noise in between."""
    intake, change = rng.uniform(*course.intake), rng.uniform(*course.change)
    pace = rng.uniform(1.5, 4.0)
    last = max(count - 1, 1)
    totals = [
        intake
        + change * (1 - math.exp(-step / pace)) / (1 - math.exp(-last / pace))
        + (rng.gauss(0.0, 1.2) if 0 < step < last else 0.0)
        for step in range(count)
    ]
    return [round(clamp(total, 0.0, 40.0), 1) for total in totals]


def srs_total(rng: random.Random) -> float:
    """Mostly a good alliance (36–40); now and then a session below the cut-off."""
    if rng.random() < SRS_DIP_SHARE:
        return round(rng.uniform(30.0, 35.8), 1)
    return round(clamp(rng.gauss(37.8, 1.0), 36.0, 40.0), 1)


def item_profile(rng: random.Random, spread: float) -> list[float]:
    """How one person's four line marks differ from the mean; the offsets sum to zero."""
    raw = [rng.gauss(0.0, spread) for _ in range(4)]
    mean = sum(raw) / len(raw)
    return [offset - mean for offset in raw]


def vas_answers(
    rng: random.Random, items: Sequence[str], total: float, profile: Sequence[float]
) -> dict[str, Sequence[str]]:
    """Four marks (one decimal) that add up to `total` unless a line's end is reached."""
    marks = [
        round(clamp(total / len(items) + offset + rng.gauss(0.0, 0.4), 0.0, 10.0), 1)
        for offset in profile[:-1]
    ]
    marks.append(round(clamp(total - sum(marks), 0.0, 10.0), 1))
    return {item: [f"{mark:.1f}"] for item, mark in zip(items, marks, strict=False)}


def plan_skapa(
    rng: random.Random, course: Course, today: dt.date, areas: Mapping[str, tuple[str, ...]]
) -> list[PlannedResponse]:
    """SKAPA by the deltagare and by personal at the start, every three months and at exit.

    Each area starts at its own level and moves with one pace per deltagare, faster for
    those who leave for work or studies; personal rate a little lower than the deltagare.
    """
    if not course.insats.follows_skapa:
        return []
    pace = SKAPA_SLOPE[course.exit_reason] + rng.gauss(0.0, 0.3)
    self_view = {area: rng.gauss(4.3, 1.3) for area in dict.fromkeys(
        area for form in SKAPA_FORMS for area in areas[form])}
    staff_view = {area: level + rng.gauss(-0.3, 0.7) for area, level in self_view.items()}
    responses = []
    for timepoint, day in skapa_occasions(rng, course, today):
        quarters = (day - course.started_on).days / 91
        if filled_in(rng, SKAPA_SELF_SHARE, day, today):
            answers = skapa_answers(rng, areas["skapa"], self_view, pace * quarters)
            responses.append(PlannedResponse("skapa", timepoint, day, answers,
                                             pick(rng, SELF_REPORT_SOURCES)))
        if filled_in(rng, SKAPA_STAFF_SHARE, day, today):
            answers = skapa_answers(rng, areas["skapa-personal"], staff_view, pace * quarters)
            responses.append(PlannedResponse("skapa-personal", timepoint, day, answers,
                                             ResponseSource.STAFF))
    return responses


def skapa_occasions(
    rng: random.Random, course: Course, today: dt.date
) -> Iterator[tuple[str, dt.date]]:
    start = course.started_on + days(rng.randint(0, 7))
    if course.active_on(start, today):
        yield "start", start
    for months in range(3, 37, 3):
        day = course.started_on + days(30 * months + rng.randint(0, 10))
        if not course.active_on(day, today):
            break
        yield f"uppfoljning-{months}m", day
    if course.ended_on is not None:
        yield "avslut", course.ended_on


def skapa_answers(
    rng: random.Random, items: Sequence[str], levels: Mapping[str, float], progress: float
) -> dict[str, Sequence[str]]:
    return {
        area: [str(clamp(round(levels[area] + progress + rng.gauss(0.0, 0.6)), 1, 10))]
        for area in items
    }


def plan_processtrappan(rng: random.Random, course: Course,
                        today: dt.date) -> list[PlannedResponse]:
    """The step at the start and at the exit, where the insats rates on Processtrappan."""
    if not course.insats.processtrappan_share or not filled_in(
            rng, course.insats.processtrappan_share, course.started_on, today):
        return []
    start_step = int(pick(rng, PROCESSTRAPPAN_START_STEP))
    ratings = [processtrappan_rating("start", course.started_on, start_step)]
    if course.ended_on is not None:
        assert course.exit_reason is not None
        exit_step = PROCESSTRAPPAN_EXIT_STEP.get(course.exit_reason) or clamp(
            start_step + rng.choice(PROCESSTRAPPAN_OTHER_MOVES), 1, 4
        )
        ratings.append(processtrappan_rating("avslut", course.ended_on, exit_step))
    return ratings


def processtrappan_rating(timepoint: str, day: dt.date, step: int) -> PlannedResponse:
    return PlannedResponse("processtrappan", timepoint, day, {"steg": [str(step)]},
                           ResponseSource.STAFF)


# --- filed reports -------------------------------------------------------------------------


def record_documents(forbund: Forbund, insatser: Mapping[str, Insats], today: dt.date) -> None:
    """Each insats' kvartals-, del- and slutrapport, written by its personal and taken as
    far as its plan says; the förbund's helårsrapport, a draft of its administrator."""
    admin = find_user(USERS[0].email)
    assert admin is not None
    for plan in USERS:
        writer = find_user(plan.email)
        if plan.insats is None or writer is None:
            continue
        insats = insatser[plan.insats]
        for document in INSATS_DOCUMENTS:
            record_document(forbund, insats, document, writer, admin, today)
    record_document(forbund, None, HELARSRAPPORT, admin, admin, today)


def record_document(forbund: Forbund, insats: Insats | None, plan: DocumentPlan,
                    writer: User, admin: User, today: dt.date) -> None:
    if plan.months is None:
        assert insats is not None and insats.starts_on is not None
        period = Period(insats.starts_on, today)
    else:
        period = last_ended(plan.months, today)
    document = documents.create_document(forbund, insats, plan.kind, period, writer)
    for key, text in plan.texts.items():
        documents.save_text(document, key, text, writer, revision=0)
    for position, text in plan.goal_comments.items():
        documents.save_goal_comment(document, position, text, writer)
    for key, rows in plan.figures.items():
        documents.save_figures(document, key, rows, writer)
    for step in plan.steps:
        if step == "send":
            documents.send(document, writer)
        elif step == "comment":
            documents.comment(document, REVIEW_COMMENT, admin)
        elif step == "return":
            documents.return_for_changes(document, RETURN_COMMENT, admin)
            documents.save_text(document, "avvikelser", CORRECTION, writer, revision=1)
        elif step == "approve":
            documents.approve(document, admin)


def last_ended(months: int, today: dt.date) -> Period:
    """The latest calendar quarter (3), half-year (6) or year (12) that has ended by the
    end of today: on 31 December the year itself, on 30 December the year before."""
    tomorrow = today + days(1)
    ends_before = month_index(tomorrow) - (tomorrow.month - 1) % months
    return Period(first_of_month(ends_before - months), first_of_month(ends_before) - days(1))


def month_index(day: dt.date) -> int:
    """Months since the start of year 0, so months can be counted across years."""
    return day.year * 12 + day.month - 1


def first_of_month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


# --- small helpers -----------------------------------------------------------------------


def record_samhallsnytta(forbund: Forbund, insatser: Mapping[str, Insats],
                         today: dt.date) -> None:
    """Each insats' cost per calendar year from its start up to this year (utfall for the
    years that are over), and an example price list for each of those years."""
    first_year = today.year - max(plan.years_before for plan in INSATSER)
    for year in range(first_year, today.year + 1):
        factor = (1 - PRICE_RISE_A_YEAR) ** (today.year - year)
        save_price_list(forbund, year, example_price_entries(factor), None, example=True)
    for plan in INSATSER:
        if plan.granted_kronor is None:
            continue
        for year in range(today.year - plan.years_before, today.year + 1):
            over = dt.date(year, 12, 31) < today
            spent = int(round(plan.granted_kronor * SPENT_SHARE, -3)) if over else None
            set_insats_cost(insatser[plan.slug], dt.date(year, 1, 1), dt.date(year, 12, 31),
                            plan.granted_kronor, spent, by=None)


def example_price_entries(factor: float) -> list[PriceEntry]:
    return [PriceEntry(source, not_priced=True) if price is None
            else PriceEntry(source, str(int(round(price[0] * factor, -2))), price[1])
            for source, price in EXAMPLE_PRICES.items()]


def filled_in(rng: random.Random, share: float, due_on: dt.date, today: dt.date) -> bool:
    """Whether a form due on `due_on` is in by today: a `share` of them in time, and
    every one once personal have caught up."""
    return rng.random() < share or today - due_on > CATCH_UP


def pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def clamp(value: N, low: N, high: N) -> N:
    return max(low, min(high, value))


def days(count: int) -> dt.timedelta:
    return dt.timedelta(days=count)
