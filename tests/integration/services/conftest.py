"""Fixtures for the services tests."""

from __future__ import annotations

import pytest

from enkat.services.answering.tidy_import import ImportFailed, import_responses

from .mailed import mail_campaign
from .tidy import table_counts


@pytest.fixture
def refused(db_session):
    """Import a file that must be refused whole; return its problems as text.

    Checks on the way that the database is exactly as before.
    """

    def run(data: bytes, **options) -> list[str]:
        before = table_counts()
        with pytest.raises(ImportFailed) as failure:
            import_responses(data, **options)
        assert table_counts() == before
        return [str(problem) for problem in failure.value.problems]

    return run


@pytest.fixture
def sent_campaign(forbund, admin, mailbox, jobs):
    """`make(addresses, instrument_id, insats=, of=, title=, now=, today=)`: an utskick
    of the test förbund (or `of`) mailed through the loopback SMTP server; returns it
    and its tokens in address order."""

    def make(recipients, instrument_id="nns-styrelse", *, of=None, **options):
        return mail_campaign(mailbox, of or forbund, admin, recipients, instrument_id,
                             **options)

    return make
