"""What a respondent request may cost the database: at most `BUDGET` SQL statements for
every request of a deltagare's journey (issue 18), through a personal link, an utskick's
link and the kiosk, counted on the real app's engine as `enkat.profiling` counts them
(the transaction's frame left out), on SQLite and PostgreSQL. A request over budget fails
with the statements it ran."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from enkat.extensions import db
from enkat.models import Role
from enkat.profiling import counts_as_statement

from ..services.mailed import STYRELSE_ITEMS, mail_campaign
from .conftest import PIN
from .test_kiosk import ORS_ITEMS
from .test_respond import NNS_AVSLUT, make_link

BUDGET = 4
#: The request types of a link's journey.
LINK_KINDS = {"start", "step", "save", "next", "review", "send", "thanks"}
#: The request types of a kiosk journey, choosing a survey and resuming it with the PIN
#: among them.
KIOSK_KINDS = {"home", "code", "due", "choose", "start", "step", "save", "next", "review",
               "send", "thanks", "leave", "resume", "pin"}


class Ledger:
    """A browser whose every request is entered with the statements it ran, by kind."""

    def __init__(self, client) -> None:
        self.client = client
        self.running: list[str] = []
        self.by_kind: dict[str, list[list[str]]] = {}

    def count(self, connection, cursor, statement, *arguments) -> None:
        if counts_as_statement(statement):
            self.running.append(statement)

    def request(self, kind: str, method: str, path: str, **options):
        before = len(self.running)
        response = getattr(self.client, method)(path, **options)
        self.by_kind.setdefault(kind, []).append(self.running[before:])
        return response

    def over_budget(self, kinds) -> dict[str, list[str]]:
        """The costliest request of each of `kinds` that ran more than `BUDGET` statements."""
        return {kind: max(runs, key=len) for kind, runs in self.by_kind.items()
                if kind in kinds and max(map(len, runs)) > BUDGET}

    def assert_within_budget(self, kinds) -> None:
        over = self.over_budget(kinds)
        assert not over, "\n\n".join(
            f"{kind}: {len(statements)} statements\n" + "\n".join(statements)
            for kind, statements in over.items())


@pytest.fixture
def ledger(client):
    """Each request runs in a context of its own, so statements are counted on the engine."""
    counting = Ledger(client)
    event.listen(db.engine, "before_cursor_execute", counting.count)
    yield counting
    event.remove(db.engine, "before_cursor_execute", counting.count)


def answer_steps(ledger: Ledger, pages: str, answers: dict[str, str]) -> None:
    """Each question under `pages` shown, saved by the page's script and saved again
    with "Nästa"."""
    for key, value in answers.items():
        page = f"{pages}/fraga/{key}"
        assert ledger.request("step", "get", page).status_code == 200
        for go_to, status in (("save", 204), ("next", 303)):
            posted = ledger.request(go_to, "post", page,
                                    data={f"answer-{key}": value, "go_to": go_to})
            assert posted.status_code == status


def walk(ledger: Ledger, link: str, answers: dict[str, str]) -> None:
    """A deltagare's whole way through a link: the start page, each question, the
    review, "Skicka", the thanks."""
    assert ledger.request("start", "get", link).status_code == 200
    answer_steps(ledger, link, answers)
    assert ledger.request("review", "get", f"{link}/granska").status_code == 200
    sent = ledger.request("send", "post", f"{link}/granska")
    assert sent.headers["Location"] == f"{link}/tack"
    assert ledger.request("thanks", "get", f"{link}/tack").status_code == 200


def test_every_request_of_a_link_runs_at_most_four_statements(ledger, insats):
    link, _ = make_link(insats)
    walk(ledger, link, {key: "kvinna" if key == "kon" else "3" for key in NNS_AVSLUT})
    assert set(ledger.by_kind) == LINK_KINDS
    ledger.assert_within_budget(LINK_KINDS)


def test_every_request_of_an_utskick_link_runs_at_most_four_statements(
        ledger, forbund, make_user, mailbox, jobs):
    """An utskick's link also forgets whom it was mailed to when it is sent."""
    _, [token] = mail_campaign(mailbox, forbund, make_user(Role.ADMIN), ["ledamot@example.se"])
    walk(ledger, f"/s/{token}", dict.fromkeys(STYRELSE_ITEMS, "3"))
    assert set(ledger.by_kind) == LINK_KINDS
    ledger.assert_within_budget(LINK_KINDS)


def test_every_request_of_a_kiosk_journey_runs_at_most_four_statements(ledger, kiosk, enrolled):
    """Two deltagare at the tablet: the first answers ORS whole; the second begins, is
    called away ("Avbryt") and resumes with the staff member's PIN."""
    first, second = enrolled
    assert ledger.request("home", "get", "/kiosk/").status_code == 200
    assert ledger.request("code", "post", "/kiosk/kod", data={"code": first}).status_code == 302
    assert ledger.request("due", "get", "/kiosk/att-svara").status_code == 200
    chosen = ledger.request("choose", "post", "/kiosk/borja", data={"survey": "ors:session-1"})
    assert chosen.headers["Location"] == "/kiosk/enkat"
    assert ledger.request("start", "get", "/kiosk/enkat").status_code == 200
    answer_steps(ledger, "/kiosk", dict.fromkeys(ORS_ITEMS, "5.5"))
    assert ledger.request("review", "get", "/kiosk/granska").status_code == 200
    assert ledger.request("send", "post", "/kiosk/granska").headers["Location"] == "/kiosk/tack"
    assert ledger.request("thanks", "get", "/kiosk/tack").status_code == 200

    ledger.request("code", "post", "/kiosk/kod", data={"code": second})
    ledger.request("choose", "post", "/kiosk/borja", data={"survey": "ors:session-1"})
    answer_steps(ledger, "/kiosk", {ORS_ITEMS[0]: "4.5"})
    assert ledger.request("leave", "post", "/kiosk/avbryt").headers["Location"] == "/kiosk/"
    ledger.request("code", "post", "/kiosk/kod", data={"code": second})
    resuming = ledger.request("choose", "post", "/kiosk/borja", data={"survey": "ors:session-1"})
    assert resuming.headers["Location"] == "/kiosk/fortsatt"
    assert ledger.request("resume", "get", "/kiosk/fortsatt").status_code == 200
    pinned = ledger.request("pin", "post", "/kiosk/fortsatt", data={"pin": PIN})
    assert pinned.headers["Location"] == "/kiosk/enkat"
    assert ledger.request("start", "get", "/kiosk/enkat").status_code == 200
    assert set(ledger.by_kind) == KIOSK_KINDS
    ledger.assert_within_budget(KIOSK_KINDS)
