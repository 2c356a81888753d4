"""Factory fixtures for förbund, insatser, users (and the förbund's administrator),
deltagare and responses; the `enkat` command on the test's database, and an empty
database of a test's own for the installed console script."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from enkat.models import ResponseSource, Role
from enkat.services.answering import responses
from enkat.services.deltagare import participants
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.people.users import create_user, grant_role
from tests.databases import empty_database

_sequence = itertools.count(1)


@pytest.fixture
def make_forbund(db_session):
    def make(slug: str | None = None, name: str = "Samordningsförbundet Test"):
        return create_forbund(slug or f"forbund-{next(_sequence)}", name)

    return make


@pytest.fixture
def forbund(make_forbund):
    return make_forbund("test")


@pytest.fixture
def make_insats(forbund):
    def make(slug: str | None = None, name: str = "Steget vidare", of=None, **fields):
        return create_insats(
            of or forbund, slug or f"insats-{next(_sequence)}", name, **fields
        )

    return make


@pytest.fixture
def insats(make_insats):
    return make_insats("steget", starts_on=dt.date(2025, 1, 1))


@pytest.fixture
def make_user(forbund):
    def make(role: Role = Role.STAFF, email: str | None = None, password: str = "lösenord-123"):
        user = create_user(
            email or f"user{next(_sequence)}@example.org", password, "Test Användare"
        )
        grant_role(user, forbund, role)
        return user

    return make


@pytest.fixture
def admin(make_user):
    """An administrator of the test förbund (signed in by the web tests that need it:
    `signed_in_admin`)."""
    return make_user(Role.ADMIN)


@pytest.fixture
def make_participant(forbund):
    def make(code: str | None = None, of=None):
        owner = of or forbund
        return participants.get_or_create_participant(
            owner, code or participants.generate_code(owner)
        )

    return make


@pytest.fixture
def make_response(forbund, insats):
    """Record a response through the real service, as any channel would."""

    def make(instrument_id: str, answers: dict, *, participant=None, timepoint: str,
             answered_on: dt.date = dt.date(2025, 3, 1), of_insats=None,
             source: ResponseSource = ResponseSource.STAFF, external_id: str | None = None,
             about_the_forbund: bool = False):
        """`about_the_forbund`: a response about no insats (an utskick to the styrelse)."""
        context = responses.ResponseContext(
            forbund=forbund,
            instrument=resolve_instrument(instrument_id),
            insats=None if about_the_forbund else of_insats or insats,
            participant=participant,
            timepoint=timepoint,
            answered_on=answered_on,
        )
        values = {key: value if isinstance(value, list | tuple) else [value]
                  for key, value in answers.items()}
        return responses.record_response(context, values, source=source, external_id=external_id)

    return make


@pytest.fixture
def enkat(app, db_session):
    """Run the `enkat` command against the test app's database (tests/integration/test_cli*.py)."""
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from enkat.cli import cli

    def run(*args: str, input: str | None = None):
        db_session.commit()  # what the test set up stays when the command rolls back
        return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app),
                                  input=input)

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database_url(request, tmp_path) -> str:
    """An empty database of the test's own, on SQLite and on PostgreSQL, for the installed
    console script (`command_line.enkat`): a new process sees nothing the test's session
    has not committed, and the test session commits nothing."""
    return empty_database(request, tmp_path, "enkat_own")
