"""Upkeep the worker does on its own: the nightly purge (what `enkat purge` does by hand)."""

from __future__ import annotations

import logging

from huey import crontab

from enkat.jobs.queue import periodic
from enkat.services.privacy.purge import purge

log = logging.getLogger(__name__)


@periodic(crontab(minute="30", hour="2"))  # UTC: 03:30 or 04:30 in Sweden, when nobody works
def nightly_purge() -> None:
    """Delete what has served its purpose and close the utskick past their last day."""
    purged = purge()
    log.info("nattlig rensning: %s", purged)
