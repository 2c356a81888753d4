"""How fast the förbund's overview is at real size: 2,000 deltagare in 15 insatser with
the standard measurement schedule, some ended, some followed up, some data to fix.
Prints the time and the number of SQL statements of the overview's figures and of the
whole page (GET /forbund/ as the administrator); never asserts.

    .venv/bin/python bench/forbund_overview.py [--deltagare 2000] [--insatser 15] [--runs 5]

The data are made with the services a förbund's staff use (`record_response`), in a
temporary SQLite file, from one seeded random generator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, update

from enkat import create_app
from enkat.extensions import db
from enkat.models import Enrolment, ResponseSource, Role, User
from enkat.services.answering import responses
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare.forbund_overview import forbund_overview
from enkat.services.deltagare.participants import get_or_create_participant
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.organisation.schedules import replace_schedule, standard_schedule
from enkat.services.people.users import create_user, grant_role

ADMIN = ("admin@bench.example", "bench-losenord-123")
ORS = {"individuellt": "5.5", "nara-relationer": "6.0", "socialt": "7.0", "allmant": "6.5"}


def record(forbund, insats, participant, instrument_id: str, timepoint: str,
           answered_on: dt.date, answers: dict) -> None:
    context = responses.ResponseContext(
        forbund=forbund, instrument=resolve_instrument(instrument_id), insats=insats,
        participant=participant, timepoint=timepoint, answered_on=answered_on)
    responses.record_response(context, {key: [value] for key, value in answers.items()},
                              source=ResponseSource.STAFF)


def build(deltagare: int, insatser: int, seed: int) -> None:
    """The förbund: each deltagare enrolled up to three years ago; of those enrolled
    over a year ago about half ended, most with their avslut and some followed up; a
    few ended without avslut and a few answered without an inskrivning."""
    rng = random.Random(seed)
    today = local_today()
    forbund = create_forbund("bench", "Samordningsförbundet Bench")
    user = create_user(ADMIN[0], ADMIN[1], "Bench Administratör")
    grant_role(user, forbund, Role.ADMIN)
    places = []
    for number in range(insatser):
        insats = create_insats(forbund, f"insats-{number + 1}", f"Insats {number + 1:02d}",
                               starts_on=today - dt.timedelta(days=4 * 365))
        replace_schedule(insats, standard_schedule(), by=None)
        places.append(insats)
    for number in range(deltagare):
        insats = places[number % insatser]
        participant = get_or_create_participant(forbund, f"B{number:05d}")
        started = today - dt.timedelta(days=rng.randrange(3 * 365))
        record(forbund, insats, participant, "finsam-inskrivning", "start", started,
               {"kon": rng.choice(["man", "kvinna"])})
        if (today - started).days > 365 and rng.random() < 0.5:
            ended = started + dt.timedelta(days=rng.randrange(60, 365))
            if rng.random() < 0.03:  # ended by hand, as older data were
                db.session.execute(update(Enrolment).where(
                    Enrolment.participant_id == participant.id).values(ended_on=ended))
                continue
            record(forbund, insats, participant, "finsam-avslut", "avslut", ended,
                   {"avslutsanledning": "arbete"})
            follow_up = ended + dt.timedelta(days=180)
            if follow_up < today and rng.random() < 0.6:
                record(forbund, insats, participant, "finsam-uppfoljning", "uppfoljning-6m",
                       follow_up, {"lage": "arbete-studier-arbetssokande"})
    for number in range(deltagare // 100):
        participant = get_or_create_participant(forbund, f"U{number:05d}")
        record(forbund, places[number % insatser], participant, "ors", "session-1",
               today - dt.timedelta(days=rng.randrange(365)), ORS)
    db.session.commit()


class Statements:
    """Counts the SQL statements the engine runs."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args) -> None:
        self.count += 1


def measured(runs: int, statements: Statements, work: Callable[[], object]) -> tuple[float, int]:
    """The median seconds of `runs` runs and the statements of one."""
    seconds, counts = [], []
    for _ in range(runs):
        db.session.expire_all()
        before = statements.count
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
        counts.append(statements.count - before)
    return statistics.median(seconds), max(counts)


def page(client) -> Callable[[], object]:
    def get() -> object:
        response = client.get("/forbund/")
        assert response.status_code == 200, response.status_code
        return response

    return get


def signed_in(app):
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/login", data={"csrf_token": token, "email": ADMIN[0], "password": ADMIN[1]})
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltagare", type=int, default=2000)
    parser.add_argument("--insatser", type=int, default=15)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="enkat-bench-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'overview.sqlite'}",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            build(arguments.deltagare, arguments.insatser, arguments.seed)
            print(f"built {arguments.deltagare} deltagare in {arguments.insatser} insatser "
                  f"in {time.perf_counter() - start:.1f} s")
            statements = Statements(db.engine)
            user = db.session.scalar(db.select(User).where(User.email == ADMIN[0]))
            forbund = user.memberships[0].forbund
            found = forbund_overview(forbund, user, local_today())
            print("warnings: " + ", ".join(f"{warning.kind} {warning.count}"
                                           for warning in found.warnings))
            seconds, count = measured(arguments.runs, statements,
                                      lambda: forbund_overview(forbund, user, local_today()))
            print(f"overview figures: {seconds * 1000:.0f} ms, {count} SQL statements")
        client = signed_in(app)
        with app.app_context():
            statements = Statements(db.engine)
            seconds, count = measured(arguments.runs, statements, page(client))
            size = len(client.get("/forbund/").data)
            print(f"GET /forbund/: {seconds * 1000:.0f} ms, {count} SQL statements, "
                  f"{size / 1024:.0f} KB of HTML")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
