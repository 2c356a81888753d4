"""The kiosk: started by personal with a PIN, a code or an anonymous survey, the same steps
as a link, back to the start screen after sending or when idle, and nothing of one person
left for the next."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    AuditEvent,
    InsatsStaff,
    InstrumentVersion,
    Kiosk,
    Response,
    ResponseSource,
    ScheduleEntry,
    ScheduleTrigger,
)
from enkat.services.answering.responses import answers_of
from enkat.services.deltagare import participants

from .browser_form import choice_groups
from .conftest import PIN
from .test_auth import sign_in
from .test_respond import elements, html
from .test_respond_items import PAGE_WEIGHT_LIMIT, weight

ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")


def enter_code(client, code):
    return client.post("/kiosk/kod", data={"code": code})


def choose(client, survey):
    return client.post("/kiosk/borja", data={"survey": survey})


def answer_ors(client, values):
    for item_id, value in zip(ORS_ITEMS, values, strict=False):
        saved = client.post(f"/kiosk/fraga/{item_id}", data={f"answer-{item_id}": value,
                                                              "go_to": "next"})
        assert saved.status_code == 303, html(saved)


def kiosk_responses():
    db.session.expire_all()
    return db.session.scalars(
        select(Response).where(Response.source == ResponseSource.KIOSK).order_by(Response.id)
    ).all()


# --- starting and leaving ---------------------------------------------------------------


def test_starting_the_kiosk_signs_the_staff_member_out(kiosk, kiosk_insats):
    home = kiosk.get("/kiosk/")
    assert home.status_code == 200
    assert kiosk_insats.name in html(home) and "Skriv din kod" in html(home)
    for staff_page in ("/", "/login", "/s/some-token"):
        assert kiosk.get(staff_page).headers["Location"] == "/kiosk/"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "kiosk-started")) == "kiosk-started"


def registered_versions() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(InstrumentVersion.instrument_id)))


def test_starting_the_kiosk_registers_the_versions_of_what_deltagare_answer_there(kiosk):
    """So that a deltagare's choice writes nothing but the draft; forms personal fill in
    are registered where they are used."""
    assert registered_versions() == {"ors", "srs", "nns-deltagare-pagaende"}


def test_a_kiosk_is_started_only_by_someone_signed_in(client):
    assert client.get("/kiosk/starta").headers["Location"].startswith("/login")
    assert client.get("/kiosk/").headers["Location"] == "/kiosk/starta"


@pytest.mark.parametrize(("pin", "again", "message"), [
    ("", "", "Välj en PIN-kod."),
    ("12", "12", "PIN-koden ska vara 4 till 8 siffror."),
    ("abcd", "abcd", "PIN-koden ska vara 4 till 8 siffror."),
    ("123456789", "123456789", "PIN-koden ska vara 4 till 8 siffror."),
    ("2468", "1357", "PIN-koderna är inte lika."),
])
def test_a_bad_pin_is_refused_and_no_kiosk_starts(client, staff_member, kiosk_insats, pin,
                                                   again, message):
    sign_in(client, staff_member.email)
    refused = client.post("/kiosk/starta", data={"insats": kiosk_insats.id, "pin": pin,
                                                 "pin_again": again})
    assert refused.status_code == 422 and message in html(refused)
    assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_personal_cannot_start_a_kiosk_for_an_insats_they_do_not_work_in(
        client, staff_member, make_insats):
    other = make_insats("annan", name="Annan insats")
    sign_in(client, staff_member.email)
    assert "Annan insats" not in html(client.get("/kiosk/starta"))
    refused = client.post("/kiosk/starta", data={"insats": other.id, "pin": PIN,
                                                 "pin_again": PIN})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_leaving_takes_the_pin_and_ends_the_kiosk(kiosk):
    wrong = kiosk.post("/kiosk/personal", data={"pin": "0000", "action": "leave"})
    assert wrong.status_code == 422 and "Fel PIN-kod." in html(wrong)
    assert kiosk.get("/").headers["Location"] == "/kiosk/"
    left = kiosk.post("/kiosk/personal", data={"pin": PIN, "action": "leave"})
    assert left.headers["Location"] == "/login"
    assert "Kioskläget är avslutat" in html(kiosk.get("/login"))
    assert db.session.scalar(select(Kiosk.ended_at)) is not None
    assert kiosk.get("/").headers["Location"].startswith("/login")


def test_too_many_wrong_pins_refuse_even_the_right_one_for_a_while(kiosk, clock):
    for _ in range(5):
        kiosk.post("/kiosk/personal", data={"pin": "0000", "action": "leave"})
    locked = kiosk.post("/kiosk/personal", data={"pin": PIN, "action": "leave"})
    assert locked.status_code == 422 and "Vänta några minuter" in html(locked)
    assert db.session.scalar(select(Kiosk.ended_at)) is None
    clock.advance(5)
    assert kiosk.post("/kiosk/personal", data={"pin": PIN, "action": "leave"}).status_code == 302


# --- a code, what is due, and answering --------------------------------------------------


def test_a_code_shows_what_the_deltagare_answers_themself(kiosk, enrolled):
    assert enter_code(kiosk, enrolled[0].lower()).headers["Location"] == "/kiosk/att-svara"
    due = html(kiosk.get("/kiosk/att-svara"))
    assert 'value="ors:session-1"' in due and 'value="srs:session-1"' in due
    assert "finsam-inskrivning" not in due  # personal fill it in
    assert "nns-deltagare-pagaende" not in due  # anonymous: chosen without a code


def test_a_whole_ors_at_the_kiosk_is_stored_once_and_the_kiosk_returns_to_start(kiosk, enrolled):
    enter_code(kiosk, enrolled[0])
    assert choose(kiosk, "ors:session-1").headers["Location"] == "/kiosk/enkat"
    assert "personalen hjälpa dig att fortsätta en annan gång" in html(kiosk.get("/kiosk/enkat"))
    answer_ors(kiosk, ["7.5", "3", "5.2", "9.9"])
    sent = kiosk.post("/kiosk/granska")
    assert sent.status_code == 303 and sent.headers["Location"] == "/kiosk/tack"
    assert kiosk.post("/kiosk/granska").headers["Location"] in ("/kiosk/tack", "/kiosk/")
    thanks = kiosk.get("/kiosk/tack")
    assert 'data-kiosk-return="15"' in html(thanks) and 'href="/kiosk/"' in html(thanks)
    [response] = kiosk_responses()
    assert response.participant.code == enrolled[0] and response.timepoint == "session-1"
    assert response.submitted_at is not None
    assert answers_of(response)["individuellt"] == ("7.5",)
    assert kiosk.get("/kiosk/fraga/individuellt").headers["Location"] == "/kiosk/"
    enter_code(kiosk, enrolled[0])
    assert 'value="ors:session-2"' in html(kiosk.get("/kiosk/att-svara"))


def test_an_unknown_code_says_so_and_reveals_nothing(kiosk, make_insats, make_participant):
    elsewhere = make_participant("ANNAN-1")
    participants.start_enrolment(elsewhere, make_insats("annan"), dt.date.today())
    for code in ("NOPE-1", "ANNAN-1", "<script>", ""):
        refused = enter_code(kiosk, code)
        assert refused.status_code == 422
        assert "Vi hittar ingen deltagare" in html(refused) or "Skriv din kod." in html(refused)
        assert "<script>" not in html(refused)
    assert kiosk.get("/kiosk/att-svara").headers["Location"] == "/kiosk/"


def test_too_many_wrong_codes_wait_for_the_staff_members_pin(kiosk, enrolled):
    for number in range(5):
        enter_code(kiosk, f"FEL-{number}")
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/personal"
    assert "Be personalen om hjälp" in html(kiosk.get("/kiosk/personal"))
    assert kiosk.post("/kiosk/personal", data={"pin": PIN, "action": "unlock"}
                      ).headers["Location"] == "/kiosk/"
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/att-svara"


def guess_between_right_codes(kiosk, right: str, guesses: int) -> list[str]:
    """An attacker who knows one code tries others, the known one after every four."""
    answers = []
    for number in range(guesses):
        answers.append(enter_code(kiosk, f"GISSA-{number}").headers.get("Location", ""))
        if number % 4 == 3:
            answers.append(enter_code(kiosk, right).headers.get("Location", ""))
    return answers


def test_a_right_code_between_wrong_ones_does_not_reset_the_count(kiosk, enrolled, clock):
    answers = guess_between_right_codes(kiosk, enrolled[0], 4)
    assert answers[-1] == "/kiosk/att-svara"  # four wrong, then the known code works
    clock.advance(1)
    assert enter_code(kiosk, "GISSA-5").headers["Location"] == "/kiosk/personal"  # the fifth
    for code in (enrolled[0], enrolled[1], "GISSA-6"):
        assert enter_code(kiosk, code).headers["Location"] == "/kiosk/personal"
    waiting = html(kiosk.get("/kiosk/personal"))
    assert "Koden har skrivits fel för många gånger" in waiting
    assert "Du kan också försöka igen efter kl." in waiting
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("kiosk-%")).order_by(AuditEvent.id)))
    assert actions.count("kiosk-code-wrong") == 5 and actions[-1] == "kiosk-locked"


def test_the_lock_lifts_after_the_window_without_the_pin(kiosk, enrolled, clock):
    guess_between_right_codes(kiosk, enrolled[0], 5)
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/personal"
    clock.advance(14)
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/personal"
    clock.advance(1)
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/att-svara"
    refused = enter_code(kiosk, "GISSA-X")  # the five before are a window ago: one wrong code
    assert refused.status_code == 422 and "Vi hittar ingen deltagare" in html(refused)


def test_wrong_codes_spread_wider_than_the_window_do_not_lock(kiosk, enrolled, clock):
    for number in range(8):
        assert enter_code(kiosk, f"GISSA-{number}").status_code == 422
        clock.advance(4)
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/att-svara"


def test_staff_can_still_end_a_locked_kiosk_and_start_it_anew(kiosk, enrolled, staff_member,
                                                            kiosk_insats):
    guess_between_right_codes(kiosk, enrolled[0], 5)
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/personal"
    left = kiosk.post("/kiosk/personal", data={"pin": PIN, "action": "leave"})
    assert left.headers["Location"] == "/login"
    sign_in(kiosk, staff_member.email)
    kiosk.post("/kiosk/starta", data={"insats": kiosk_insats.id, "pin": PIN, "pin_again": PIN})
    assert enter_code(kiosk, enrolled[0]).headers["Location"] == "/kiosk/att-svara"


def test_only_what_is_offered_can_be_started(kiosk, enrolled):
    enter_code(kiosk, enrolled[0])
    for survey in ("finsam-inskrivning:start", "ors:session-9", "nns-chefer:pagaende", "x"):
        assert choose(kiosk, survey).headers["Location"] == "/kiosk/"
    assert kiosk_responses() == []


def test_an_anonymous_survey_needs_no_code(kiosk):
    home = html(kiosk.get("/kiosk/"))
    assert 'value="nns-deltagare-pagaende:pagaende"' in home
    assert choose(kiosk, "nns-deltagare-pagaende:pagaende").headers["Location"] == "/kiosk/enkat"
    [draft] = kiosk_responses()
    assert draft.participant_id is None and draft.submitted_at is None


# --- one person after another ------------------------------------------------------------


def test_the_next_person_sees_nothing_of_the_last_and_the_first_resumes_with_the_pin(
        kiosk, enrolled):
    first, second = enrolled
    enter_code(kiosk, first)
    choose(kiosk, "ors:session-1")
    answer_ors(kiosk, ["6.4"])
    assert kiosk.post("/kiosk/avbryt").headers["Location"] == "/kiosk/"
    assert kiosk.get("/kiosk/fraga/nara-relationer").headers["Location"] == "/kiosk/"

    enter_code(kiosk, second)
    choose(kiosk, "ors:session-1")
    page = html(kiosk.get("/kiosk/fraga/individuellt"))
    assert "6.4" not in page and first not in page
    kiosk.post("/kiosk/avbryt")

    enter_code(kiosk, first)
    assert choose(kiosk, "ors:session-1").headers["Location"] == "/kiosk/fortsatt"
    asked = html(kiosk.get("/kiosk/fortsatt"))
    assert "Du har börjat på den här enkäten förut" in asked and "6.4" not in asked
    assert kiosk.get("/kiosk/enkat").headers["Location"] == "/kiosk/"  # nothing open yet
    wrong = kiosk.post("/kiosk/fortsatt", data={"pin": "0000"})
    assert wrong.status_code == 422 and "Fel PIN-kod." in html(wrong)
    assert kiosk.post("/kiosk/fortsatt", data={"pin": PIN}).headers["Location"] == "/kiosk/enkat"
    assert "Du fortsätter där du slutade" in html(kiosk.get("/kiosk/enkat"))
    assert 'value="6.4"' in html(kiosk.get("/kiosk/fraga/individuellt"))
    assert len(kiosk_responses()) == 2  # one draft each


def test_a_code_alone_never_shows_a_saved_draft(kiosk, enrolled):
    """Someone who knows or guessed a code cannot read what its deltagare saved: without
    the staff member's PIN the survey begins anew, in a new draft."""
    enter_code(kiosk, enrolled[0])
    choose(kiosk, "ors:session-1")
    answer_ors(kiosk, ["6.4", "2.2"])
    kiosk.post("/kiosk/avbryt")

    enter_code(kiosk, enrolled[0])
    choose(kiosk, "ors:session-1")
    for address in ("/kiosk/enkat", "/kiosk/fraga/individuellt", "/kiosk/granska"):
        assert kiosk.get(address).headers["Location"] == "/kiosk/", address
    restarted = kiosk.post("/kiosk/fortsatt/borja-om")
    assert restarted.headers["Location"] == "/kiosk/enkat"
    assert "Du fortsätter där du slutade" not in html(kiosk.get("/kiosk/enkat"))
    for address in ("/kiosk/fraga/individuellt", "/kiosk/granska"):
        page = html(kiosk.get(address))
        assert "6.4" not in page and "2.2" not in page, address
    old, new = kiosk_responses()
    assert answers_of(old) == {"individuellt": ("6.4",), "nara-relationer": ("2.2",)}
    assert answers_of(new) == {}


def test_the_pin_resumes_the_latest_of_two_saved_drafts(kiosk, enrolled):
    """Begun anew without the PIN, then left again: the PIN opens the newer draft."""
    enter_code(kiosk, enrolled[0])
    choose(kiosk, "ors:session-1")
    answer_ors(kiosk, ["6.4"])
    kiosk.post("/kiosk/avbryt")
    enter_code(kiosk, enrolled[0])
    choose(kiosk, "ors:session-1")
    kiosk.post("/kiosk/fortsatt/borja-om")
    answer_ors(kiosk, ["1.9"])
    kiosk.post("/kiosk/avbryt")

    enter_code(kiosk, enrolled[0])
    assert choose(kiosk, "ors:session-1").headers["Location"] == "/kiosk/fortsatt"
    kiosk.post("/kiosk/fortsatt", data={"pin": PIN})
    assert 'value="1.9"' in html(kiosk.get("/kiosk/fraga/individuellt"))
    assert len(kiosk_responses()) == 2


def test_a_survey_scheduled_while_the_kiosk_runs_is_registered_when_first_chosen(
        kiosk, kiosk_insats, enrolled):
    kiosk_insats.schedule.append(ScheduleEntry(instrument_id="skapa", timepoint="start",
                                               trigger=ScheduleTrigger.AT_START))
    db.session.commit()
    assert "skapa" not in registered_versions()
    enter_code(kiosk, enrolled[0])
    assert choose(kiosk, "skapa:start").headers["Location"] == "/kiosk/enkat"
    [draft] = kiosk_responses()
    assert draft.instrument_version.instrument_id == "skapa" and draft.timepoint == "start"
    assert "skapa" in registered_versions()


def test_an_anonymous_draft_is_never_resumed_by_the_next_person(kiosk):
    choose(kiosk, "nns-deltagare-pagaende:pagaende")
    kiosk.post("/kiosk/fraga/q1", data={"answer-q1": "4", "go_to": "next"})
    kiosk.post("/kiosk/avbryt")
    choose(kiosk, "nns-deltagare-pagaende:pagaende")
    assert 'checked' not in html(kiosk.get("/kiosk/fraga/q1"))
    assert len(kiosk_responses()) == 2


def test_an_idle_person_is_forgotten_but_their_saved_pages_are_kept(kiosk, enrolled, app,
                                                                    monkeypatch):
    enter_code(kiosk, enrolled[0])
    choose(kiosk, "ors:session-1")
    answer_ors(kiosk, ["2.5"])
    monkeypatch.setitem(app.config, "KIOSK_TIMEOUT_SECONDS", -1)
    monkeypatch.setitem(app.config, "KIOSK_WARNING_SECONDS", 0)
    assert kiosk.get("/kiosk/fraga/nara-relationer").headers["Location"] == "/kiosk/"
    [draft] = kiosk_responses()
    assert answers_of(draft) == {"individuellt": ("2.5",)}


def test_the_start_screen_forgets_the_last_persons_language(kiosk):
    assert 'dir="rtl"' in html(kiosk.get("/kiosk/?lang=ar"))
    assert 'lang="sv"' in html(kiosk.get("/kiosk/"))


def test_kiosk_pages_carry_the_timer_and_are_never_stored(kiosk, enrolled, app):
    enter_code(kiosk, enrolled[0])
    due = kiosk.get("/kiosk/att-svara")
    timeout = app.config["KIOSK_TIMEOUT_SECONDS"]
    assert f'data-kiosk-timeout="{timeout}"' in html(due)
    assert 'role="alertdialog"' in html(due)
    assert due.headers["Cache-Control"] == "no-store"
    assert due.headers["Referrer-Policy"] == "no-referrer"


def test_kiosk_pages_weigh_at_most_60_kb_and_have_no_inline_script(kiosk, enrolled):
    pages = {"start screen": kiosk.get("/kiosk/")}
    enter_code(kiosk, enrolled[0])
    pages["due"] = kiosk.get("/kiosk/att-svara")
    choose(kiosk, "ors:session-1")
    pages["survey start"] = kiosk.get("/kiosk/enkat")
    pages["step"] = kiosk.get("/kiosk/fraga/individuellt")
    answer_ors(kiosk, ["1", "2", "3", "4"])
    pages["review"] = kiosk.get("/kiosk/granska")
    kiosk.post("/kiosk/granska")
    pages["thanks"] = kiosk.get("/kiosk/tack")
    pages["staff"] = kiosk.get("/kiosk/personal")
    for kind, response in pages.items():
        assert response.status_code == 200, kind
        assert weight(kiosk, response) <= PAGE_WEIGHT_LIMIT, kind
        for element in elements(html(response)):
            assert not [name for name in element.attrs
                        if name == "style" or name.startswith("on")], (kind, element)
            assert element.tag != "script" or "src" in element.attrs, kind


def test_the_insats_page_opens_the_kiosk_with_its_insats_chosen(client, staff_member,
                                                                kiosk_insats, make_insats):
    other = make_insats("annan-2", name="Annan insats")
    db.session.add(InsatsStaff(insats_id=other.id, user_id=staff_member.id))
    db.session.flush()
    sign_in(client, staff_member.email)
    page = html(client.get(f"/kiosk/starta?insats={kiosk_insats.id}"))
    assert f'<option selected value="{kiosk_insats.id}">' in page


def test_an_ors_line_left_empty_is_asked_for_and_nothing_is_sent(kiosk, enrolled):
    """The ORS total needs every line: an empty line is refused on its page and at
    "Skicka", so no ORS without a total reaches the samtalsunderlag."""
    enter_code(kiosk, enrolled[0])
    choose(kiosk, "ors:session-1")
    answer_ors(kiosk, ["7.5", "3"])
    skipped = kiosk.post("/kiosk/fraga/socialt", data={"go_to": "next"})
    assert skipped.status_code == 422
    assert "Svara på frågan för att gå vidare." in html(skipped)
    sent = kiosk.post("/kiosk/granska")
    page = html(sent)
    assert sent.status_code == 422
    assert "Svara på den här frågan innan du skickar: Socialt" in page
    assert "Svara på den här frågan innan du skickar: Allmänt" in page
    assert [response.submitted_at for response in kiosk_responses()] == [None]


def test_one_survey_due_at_two_timepoints_shows_two_buttons_told_apart(kiosk, kiosk_insats,
                                                                      enrolled):
    """SKAPA at the start and after three months: the same title, so each button also
    says when; the anonymous NNS surveys on the start screen too."""
    kiosk_insats.schedule += [
        ScheduleEntry(instrument_id="skapa", timepoint="start",
                      trigger=ScheduleTrigger.AT_START),
        ScheduleEntry(instrument_id="skapa", timepoint="uppfoljning-{n}m",
                      trigger=ScheduleTrigger.EVERY_DAYS, days=90),
        ScheduleEntry(instrument_id="nns-deltagare-avslut", timepoint="avslut",
                      trigger=ScheduleTrigger.AT_EXIT)]
    enrolment = participants.open_enrolment(
        participants.find_participant(kiosk_insats.forbund, enrolled[0]), kiosk_insats)
    enrolment.started_on = dt.date.today() - dt.timedelta(days=95)
    db.session.commit()
    enter_code(kiosk, enrolled[0])
    [buttons] = [labels for (_, kind, name), labels in
                 choice_groups(html(kiosk.get("/kiosk/att-svara"))).items()
                 if (kind, name) == ("button", "survey")]
    skapa = "SKAPA – Din väg mot arbete eller studier"
    assert f"{skapa} Vid start" in buttons
    assert f"{skapa} Uppföljning efter 3 månader" in buttons
    assert "ORS – Hur har du haft det den senaste veckan? Träff 1" in buttons
    assert len(set(buttons)) == len(buttons)
    kiosk.post("/kiosk/avbryt")
    [anonymous] = [labels for (_, kind, name), labels in
                   choice_groups(html(kiosk.get("/kiosk/"))).items()
                   if (kind, name) == ("button", "survey")]
    assert len(set(anonymous)) == len(anonymous) == 2
    assert any(label.endswith("Under insatsen") for label in anonymous)
    assert any(label.endswith("Vid avslut") for label in anonymous)
    in_english = html(kiosk.get("/kiosk/?lang=en"))
    assert "At the end" in in_english and "During the programme" in in_english
