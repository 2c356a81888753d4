"""Deltagare as pseudonymous codes, and their enrolment in insatser."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Enrolment, Forbund, Insats, Participant
from enkat.services import ServiceError

#: Characters of generated codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B that are read wrongly.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
GENERATED_CODE_LENGTH = 6
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,31}$")
#: A Swedish personnummer or samordningsnummer, with or without century and separator.
PERSONNUMMER_PATTERN = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")


class InvalidCode(ServiceError):
    pass


class EnrolmentError(ServiceError):
    pass


def check_code(code: str) -> str:
    """Return the code if it is a usable pseudonym; refuse anything like a personnummer."""
    if PERSONNUMMER_PATTERN.match(code):
        raise InvalidCode(
            f'"{code}" ser ut som ett personnummer; deltagare registreras bara med kod'
        )
    if not CODE_PATTERN.match(code):
        raise InvalidCode(
            f'"{code}" är ingen giltig deltagarkod (2–32 bokstäver, siffror och bindestreck)'
        )
    return code.upper()


def generate_code(forbund: Forbund) -> str:
    """A new random code, unique in the förbund, never derived from the person."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(GENERATED_CODE_LENGTH))
        if find_participant(forbund, code) is None:
            return code


def find_participant(forbund: Forbund, code: str) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(
            Participant.forbund_id == forbund.id, Participant.code == code.upper()
        )
    )


def get_or_create_participant(forbund: Forbund, code: str) -> Participant:
    code = check_code(code)
    participant = find_participant(forbund, code)
    if participant is None:
        participant = Participant(forbund_id=forbund.id, code=code)
        db.session.add(participant)
        db.session.flush()
    return participant


def open_enrolment(participant: Participant, insats: Insats) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.participant_id == participant.id,
            Enrolment.insats_id == insats.id,
            Enrolment.ended_on.is_(None),
        )
    )


def check_start(code: str, insats_slug: str, open_since: dt.date | None) -> None:
    """Refuse to start an enrolment while one is open (`open_since`: its start, or None).

    The rules of moving an enrolment have this one home, for the forms and for an
    import, which moves enrolments in memory before writing them in bulk."""
    if open_since is not None:
        raise EnrolmentError(f"{code} är redan inskriven i {insats_slug} sedan {open_since}")


def check_end(code: str, insats_slug: str, open_since: dt.date | None, on: dt.date) -> None:
    """Refuse to end an enrolment that is not open, or on a day before its start."""
    if open_since is None:
        raise EnrolmentError(f"{code} har ingen pågående inskrivning i {insats_slug}")
    if on < open_since:
        raise EnrolmentError(f"{code} kan inte skrivas ut {on}, före inskrivningen {open_since}")


def start_enrolment(participant: Participant, insats: Insats, on: dt.date) -> Enrolment:
    current = open_enrolment(participant, insats)
    check_start(participant.code, insats.slug, current.started_on if current else None)
    enrolment = Enrolment(participant_id=participant.id, insats_id=insats.id, started_on=on)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def end_enrolment(participant: Participant, insats: Insats, on: dt.date) -> Enrolment:
    current = open_enrolment(participant, insats)
    check_end(participant.code, insats.slug, current.started_on if current else None, on)
    assert current is not None  # check_end refuses otherwise
    current.ended_on = on
    db.session.flush()
    return current
