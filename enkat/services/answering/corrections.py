"""Submitted responses read, corrected and removed, as REDCap keeps records (GDPR art. 16).

A response is seen by whoever sees its insats (`visible_insatser`: personal their own,
administrators and analysts all of their förbund's); a response about no insats (an
utskick to the styrelse) by the förbund's administrators and analysts. It is changed by
whoever works in its insats (`works_in`: its personal and the förbund's administrators);
analysts only read.

A correction replaces one answer, checked by the instrument's rules as when it was
given; a removal takes the response and its answers out of the data. Both need a reason
and are written to the append-only audit log with every value they replaced or took
away, who and when: the log is the response's history and all that is left of a removed
one. Reports read the answers, so they follow at once; a filed document shows its
snapshot, taken when it was sent, and stays as it was (`documents.content`).

Removing a registration form keeps the enrolment it moved consistent: an avslut reopens
the enrolment it ended, an inskrivning takes away the enrolment it started. What cannot
be undone safely (an inskrivning with answers in its enrolment, an avslut followed by
answers or a new inskrivning) is refused with what to do first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from enkat.config import local_zone
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.answers import answers_asked, check_answers, is_asked
from enkat.instruments.model import EnrolmentRole, Item
from enkat.models import (
    AuditEvent,
    Enrolment,
    Participant,
    Response,
    Role,
    User,
)
from enkat.reports.numbers import format_decimal
from enkat.services import FieldProblem, Refused, refuse_if
from enkat.services.answering.drafts import instrument_of
from enkat.services.answering.responses import answer_rows, answers_of
from enkat.services.audit.events import Action, record_event
from enkat.services.instruments.versions import UnknownInstrument, resolve_instrument
from enkat.services.organisation.overview import visible_insatser, works_in
from enkat.services.people.users import role_in

#: The longest reason a correction or removal takes.
MAX_REASON_LENGTH = 500
#: The fields of the correction and removal forms a refusal names.
ANSWER_FIELD, REASON_FIELD = "answer", "reason"


# --- who sees and who changes ----------------------------------------------------------


def visible_response(user: User, response_id: int) -> Response | None:
    """The submitted response `response_id` if the user may see it; None otherwise, so
    no address tells another insats' responses from ones that do not exist."""
    response = db.session.get(Response, response_id)
    if response is None or response.submitted_at is None:
        return None
    if response.insats_id is None:
        return response if role_in(response.forbund, user) in (Role.ADMIN, Role.ANALYST) \
            else None
    visible = {insats.id for insats in visible_insatser(user)}
    return response if response.insats_id in visible else None


def may_change(user: User, response: Response) -> bool:
    """Whether the user may correct or remove the response: who works in its insats, or
    for a response about no insats the förbund's administrators."""
    if response.insats is None:
        return role_in(response.forbund, user) is Role.ADMIN
    return works_in(user, response.insats)


# --- the answers in words ----------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    """One question of the response with its answer (codes as stored)."""

    item: Item
    values: tuple[str, ...]


def answer_lines(response: Response) -> list[AnswerLine]:
    """Every question the respondent was asked, in the instrument's order, with the
    answer given (an empty tuple for none)."""
    answers = answers_of(response)
    given: dict[str, frozenset[str]] = {}
    lines = []
    for item in instrument_of(response).items:
        if not is_asked(item, given, response.timepoint):
            continue
        if item.id in answers:
            given[item.id] = frozenset(answers[item.id])
        if item.answerable:
            lines.append(AnswerLine(item, answers.get(item.id, ())))
    return lines


def answer_words(item: Item, values: Sequence[str]) -> str:
    """An answer in words: the labels of its codes, a number in Swedish, the text as
    written; "Inget svar" for none."""
    if not values:
        return "Inget svar"
    if item.is_coded:
        return ", ".join(_label(item, code) for code in values)
    if item.type in ("number", "vas"):
        return ", ".join(format_decimal(float(value)) for value in values)
    return ", ".join(values)


def _label(item: Item, code: str) -> str:
    try:
        return item.code_label(code)
    except KeyError:
        return code


# --- correcting an answer ----------------------------------------------------------------


def correctable_item(response: Response, item_id: str) -> Item | None:
    """The question of the response that may be corrected by this id: one the respondent
    was asked. None for any other id."""
    return next((line.item for line in answer_lines(response) if line.item.id == item_id),
                None)


def correct_answer(response: Response, item_id: str, values: Sequence[str], reason: str,
                   by: User) -> AuditEvent:
    """Replace the answer to `item_id` with `values` (none: no answer), for `reason`.

    Checked by the instrument as a submitted response is (`check_answers`): a value it
    refuses, a required question left empty, the same answer again or no reason is
    refused (Refused, naming the field) and nothing is written. Answers that the new
    answer no longer asks for (a follow-up question behind a condition) go with it, as
    they do when a respondent changes an answer; the event keeps them too.
    """
    instrument = instrument_of(response)
    item = correctable_item(response, item_id)
    if item is None:
        raise Refused([FieldProblem(ANSWER_FIELD, "Frågan finns inte i svaret.")])
    before = answers_of(response)
    wanted = {**before, item_id: tuple(value for value in values if value.strip())}
    normalized, problems = check_answers(instrument, _asked_only(instrument, wanted,
                                                                 response.timepoint),
                                         timepoint=response.timepoint)
    refuse_if([*reason_problems(reason),
               *_answer_problems(instrument, item, problems, before, normalized)])
    hidden = {other: list(old) for other, old in before.items()
              if other != item_id and other not in normalized}
    _store(response, normalized)
    return record_event(
        Action.RESPONSE_CORRECTED, user=by, forbund_id=response.forbund_id,
        subject=_subject(response),
        detail={"response": response.id, "instrument": instrument.id,
                "version": instrument.version, "item": item_id,
                "before": list(before.get(item_id, ())),
                "after": list(normalized.get(item_id, ())),
                **({"hidden": hidden} if hidden else {}), "reason": reason.strip()},
    )


def _asked_only(instrument: Instrument, answers: dict[str, tuple[str, ...]],
                timepoint: str) -> dict[str, tuple[str, ...]]:
    """The answers still asked for once the corrected answer is in (normalised first, so
    that a condition reads the canonical code)."""
    normalized, _ = check_answers(instrument, answers, timepoint=timepoint, complete=False)
    asked = answers_asked(instrument, normalized, timepoint)
    return {item_id: answers[item_id] for item_id in asked}


#: What is done to the response, as the refusal of a missing reason says it.
CORRECTING, REMOVING = "ändras", "tas bort"


def check_reason(reason: str, doing: str = CORRECTING) -> None:
    """Refuse (Refused) a reason that is missing or too long."""
    refuse_if(reason_problems(reason, doing))


def reason_problems(reason: str, doing: str = CORRECTING) -> list[FieldProblem]:
    if not reason.strip():
        return [FieldProblem(REASON_FIELD, f"Skriv varför svaret {doing}.")]
    if len(reason.strip()) > MAX_REASON_LENGTH:
        return [FieldProblem(REASON_FIELD, f"Skriv högst {MAX_REASON_LENGTH} tecken.")]
    return []


def _answer_problems(instrument: Instrument, item: Item, problems, before, normalized
                     ) -> list[FieldProblem]:
    """The instrument's refusals said at the answer field, in Swedish; and a correction
    that changes nothing."""
    said = []
    for problem in problems:
        if problem.item_id == item.id and problem.value is None and item.required:
            said.append("Frågan måste besvaras.")
        elif problem.item_id == item.id:
            said.append(f"Svaret går inte att spara: {_rule_of(item)}")
        else:  # a question the new answer asks for that has no answer
            question = instrument.item(problem.item_id).text.get("sv")
            said.append(f"Med det svaret ställs också frågan ”{question}”, som måste "
                        "besvaras. Ta bort svaret och för in formuläret på nytt i stället.")
    if not said and tuple(before.get(item.id, ())) == tuple(normalized.get(item.id, ())):
        said.append("Det nya svaret är detsamma som det gamla.")
    return [FieldProblem(ANSWER_FIELD, message) for message in dict.fromkeys(said)]


def _rule_of(item: Item) -> str:
    """The instrument's rule for a value of the item, in Swedish (the correction page's
    field says it first, as the form does; this is for every other caller)."""
    if item.is_coded:
        return "välj ett av svaren."
    if item.type == "vas":
        return "skriv ett tal från 0 till 10 med högst en decimal."
    if item.type == "number" and item.min is not None and item.max is not None:
        return f"skriv ett tal från {format_decimal(item.min)} till {format_decimal(item.max)}."
    if item.type == "number":
        return "skriv ett tal."
    if item.type == "date":
        return "skriv datumet som år-månad-dag, till exempel 2025-03-14."
    return f"skriv högst {item.max_length} tecken."


def _store(response: Response, answers: dict[str, tuple[str, ...]]) -> None:
    """The old rows go first: an answer is unique by (response, item, position)."""
    response.answers = []
    db.session.flush()
    response.answers = answer_rows(answers)
    db.session.flush()


# --- removing a response -----------------------------------------------------------------


def removal_effect(response: Response) -> str:
    """What removing the response does, in Swedish, for the confirmation; raises Refused
    (at the reason field) when it cannot be undone safely."""
    base = ("Svaret och alla dess svar tas bort ur data och räknas inte längre i "
            "rapporterna. Loggen behåller vad som togs bort, av vem, när och varför.")
    enrolment = _enrolment_moved(response)
    if enrolment is None:
        return base
    role = instrument_of(response).results.enrolment
    _refuse_unsafe(response, enrolment, role)
    insats = response.insats.name
    if role is EnrolmentRole.STARTS:
        return f"{base} Inskrivningen i {insats} från {enrolment.started_on} tas också bort."
    return (f"{base} Inskrivningen i {insats} blir pågående igen: avslutet "
            f"{enrolment.ended_on} tas bort.")


def remove_response(response: Response, reason: str, by: User) -> AuditEvent:
    """Take the response and its answers out of the data for `reason`, keeping what was
    removed in the audit log; undo the enrolment step a registration form made."""
    check_reason(reason, REMOVING)
    removal_effect(response)  # refuses what cannot be undone safely
    instrument = instrument_of(response)
    enrolment = _enrolment_moved(response)
    event = record_event(
        Action.RESPONSE_REMOVED, user=by, forbund_id=response.forbund_id,
        subject=_subject(response),
        detail={"response": response.id, "instrument": instrument.id,
                "version": instrument.version, "timepoint": response.timepoint,
                "answered_on": response.answered_on.isoformat(),
                "source": response.source.value, "insats": response.insats_id,
                "answers": {item_id: list(values)
                            for item_id, values in answers_of(response).items()},
                "reason": reason.strip()},
    )
    if enrolment is not None:
        _undo_enrolment_step(enrolment, instrument.results.enrolment)
    db.session.delete(response)
    db.session.flush()
    return event


def _enrolment_moved(response: Response) -> Enrolment | None:
    """The enrolment a registration form started or ended, or None."""
    role = instrument_of(response).results.enrolment
    if role is None or response.participant_id is None or response.insats_id is None:
        return None
    dated = (Enrolment.started_on if role is EnrolmentRole.STARTS else Enrolment.ended_on)
    return db.session.scalars(
        select(Enrolment).where(Enrolment.participant_id == response.participant_id,
                                Enrolment.insats_id == response.insats_id,
                                dated == response.answered_on)
        .order_by(Enrolment.id.desc())
    ).first()


def _refuse_unsafe(response: Response, enrolment: Enrolment, role: EnrolmentRole) -> None:
    others = _others_of_participant(response)
    later = _later_enrolment(enrolment)
    if role is EnrolmentRole.STARTS:
        within = [other for other in others if other.answered_on >= enrolment.started_on
                  and (later is None or other.answered_on < later.started_on)]
        if within:
            raise Refused([FieldProblem(REASON_FIELD, (
                f"Inskrivningen kan inte tas bort: deltagaren har {_count(len(within))} "
                "under inskrivningen. Ta bort dem först, eller rätta inskrivningens svar "
                "i stället."))])
        return
    if later is not None:
        raise Refused([FieldProblem(REASON_FIELD, (
            f"Avslutet kan inte tas bort: deltagaren skrevs in igen {later.started_on}. "
            "Ta bort den nya inskrivningen först, eller rätta avslutets svar i stället."))])
    after = [other for other in others if other.answered_on > enrolment.ended_on]
    if after:
        raise Refused([FieldProblem(REASON_FIELD, (
            f"Avslutet kan inte tas bort: deltagaren har {_count(len(after))} efter "
            "avslutet, till exempel uppföljningar. Ta bort dem först, eller rätta "
            "avslutets svar i stället."))])


def _count(n: int) -> str:
    return "ett annat svar" if n == 1 else f"{n} andra svar"


def _others_of_participant(response: Response) -> list[Response]:
    """The deltagare's other responses in the insats, sent or not."""
    return list(db.session.scalars(
        select(Response).where(Response.participant_id == response.participant_id,
                               Response.insats_id == response.insats_id,
                               Response.id != response.id)))


def _later_enrolment(enrolment: Enrolment) -> Enrolment | None:
    return db.session.scalars(
        select(Enrolment).where(Enrolment.participant_id == enrolment.participant_id,
                                Enrolment.insats_id == enrolment.insats_id,
                                Enrolment.id != enrolment.id,
                                Enrolment.started_on >= enrolment.started_on)
        .order_by(Enrolment.started_on, Enrolment.id)
    ).first()


def _undo_enrolment_step(enrolment: Enrolment, role: EnrolmentRole) -> None:
    if role is EnrolmentRole.STARTS:
        db.session.delete(enrolment)
    else:
        enrolment.ended_on = None
    db.session.flush()


def _subject(response: Response) -> str:
    """The event's subject: the deltagare's code, as the other events about a deltagare."""
    return response.participant.code if response.participant else ""


# --- the history -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One correction or removal, as the response and deltagare pages show it."""

    at: dt.datetime  # in the förbund's time
    by: str
    reason: str
    question: str
    before: str
    after: str


def history_of(response: Response) -> list[Change]:
    """The corrections of the response, the oldest first."""
    instrument = instrument_of(response)
    return [_correction(event, instrument)
            for event in _events(Action.RESPONSE_CORRECTED, response.forbund_id,
                                 _subject(response))
            if (event.detail or {}).get("response") == response.id]


def _correction(event: AuditEvent, instrument: Instrument) -> Change:
    detail = event.detail
    item = instrument.item(detail["item"])
    hidden = detail.get("hidden", {})
    after = answer_words(item, detail["after"])
    if hidden:
        after += " (svaren på " + ", ".join(
            f"”{instrument.item(other).text.get('sv')}”" for other in hidden) + " togs bort)"
    return Change(_local(event.occurred_at), user_name(event.user_id), detail.get("reason", ""),
                  item.text.get("sv"), answer_words(item, detail["before"]), after)


@dataclass(frozen=True)
class Removal:
    """A removed response as its audit event keeps it."""

    at: dt.datetime
    by: str
    reason: str
    title: str
    timepoint: str
    answered_on: str
    answers: tuple[tuple[str, str], ...]  # (question, answer in words)


def removed_responses(participant: Participant, insats_ids: Sequence[int]) -> list[Removal]:
    """The deltagare's removed responses in these insatser, the latest removal first."""
    removals = []
    for event in reversed(_events(Action.RESPONSE_REMOVED, participant.forbund_id,
                                  participant.code)):
        detail = event.detail or {}
        if detail.get("insats") not in insats_ids:
            continue
        try:
            instrument = resolve_instrument(detail["instrument"], detail["version"])
        except UnknownInstrument:
            instrument = None
        removals.append(Removal(
            _local(event.occurred_at), user_name(event.user_id), detail.get("reason", ""),
            instrument.title.get("sv") if instrument else detail["instrument"],
            detail["timepoint"], detail["answered_on"],
            _removed_answers(instrument, detail.get("answers", {}))))
    return removals


def _removed_answers(instrument: Instrument | None, answers: dict[str, list[str]]
                     ) -> tuple[tuple[str, str], ...]:
    """The removed answers as (question, answer in words), in the instrument's order."""
    if instrument is None:
        return tuple((item_id, ", ".join(values)) for item_id, values in answers.items())
    return tuple((item.text.get("sv"), answer_words(item, answers[item.id]))
                 for item in instrument.items if item.id in answers)


def _events(action: Action, forbund_id: int, subject: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action,
                                 AuditEvent.forbund_id == forbund_id,
                                 AuditEvent.subject == subject)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)))


def _local(moment: dt.datetime) -> dt.datetime:
    """A moment in the förbund's time, as the log shows it."""
    return moment.astimezone(local_zone())


def user_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.display_name if user else "–"
