"""What a respondent request may cost the database: at most `BUDGET` SQL statements for
every request of a personal link's journey (issue 18), counted on the real app's engine
as `enkat.profiling` counts them (the transaction's frame left out), on SQLite and
PostgreSQL. A request over budget fails with the statements it ran."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from enkat.extensions import db
from enkat.profiling import counts_as_statement

from .test_respond import NNS_AVSLUT, make_link

BUDGET = 4


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

    def over_budget(self) -> dict[str, list[str]]:
        """The costliest request of each kind that ran more than `BUDGET` statements."""
        return {kind: max(runs, key=len) for kind, runs in self.by_kind.items()
                if max(map(len, runs)) > BUDGET}


@pytest.fixture
def ledger(client):
    """Each request runs in a context of its own, so statements are counted on the engine."""
    counting = Ledger(client)
    event.listen(db.engine, "before_cursor_execute", counting.count)
    yield counting
    event.remove(db.engine, "before_cursor_execute", counting.count)


def walk(ledger: Ledger, link: str) -> None:
    """A deltagare's whole way: the start page, then each question shown, saved by the
    page's script and saved again with "Nästa", the review, "Skicka", the thanks."""
    assert ledger.request("start", "get", link).status_code == 200
    for key in NNS_AVSLUT:
        page, value = f"{link}/fraga/{key}", "kvinna" if key == "kon" else "3"
        assert ledger.request("step", "get", page).status_code == 200
        for go_to, status in (("save", 204), ("next", 303)):
            posted = ledger.request(go_to, "post", page,
                                    data={f"answer-{key}": value, "go_to": go_to})
            assert posted.status_code == status
    assert ledger.request("review", "get", f"{link}/granska").status_code == 200
    sent = ledger.request("send", "post", f"{link}/granska")
    assert sent.headers["Location"] == f"{link}/tack"
    assert ledger.request("thanks", "get", f"{link}/tack").status_code == 200


def test_every_request_of_a_link_runs_at_most_four_statements(ledger, insats):
    link, _ = make_link(insats)
    walk(ledger, link)
    assert set(ledger.by_kind) == {"start", "step", "save", "next", "review", "send", "thanks"}
    over = ledger.over_budget()
    assert not over, "\n\n".join(
        f"{kind}: {len(statements)} statements\n" + "\n".join(statements)
        for kind, statements in over.items())
