"""Mailing utskick: the send of one utskick (first mails, "Skicka igen" and reminders),
and every minute (and when a worker starts) the scheduled reminders and the sends no
worker is doing any more (`services.utskick.mailing` says how a send survives a worker
that dies mid-batch)."""

from __future__ import annotations

import logging

from huey import crontab

from enkat.extensions import db
from enkat.jobs.queue import JobWaits, job, periodic
from enkat.services.mail import public_address
from enkat.services.utskick import mailing

log = logging.getLogger(__name__)


@job(retries=mailing.RETRIES, retry_delay=mailing.RETRY_SECONDS, retry_backoff=2)
def send_utskick(campaign_id: int, base_url: str) -> None:
    """Mail what is queued for the utskick, committing as each mail is recorded; look
    again once another worker's open claims have passed their lease. A send the server
    asks to wait is one line in the log, and retried with back-off."""
    try:
        look_again = mailing.mail_queued(campaign_id, base_url, checkpoint=db.session.commit)
    except mailing.MailingDeferred as deferred:  # the page says it too (`mailing_problem`)
        log.warning("utskick %s väntar på e-postservern: %s Försöker igen senare.",
                    campaign_id, deferred)
        raise JobWaits(str(deferred)) from None
    if look_again is not None:
        send_utskick.enqueue(campaign_id, base_url, delay=look_again)


@periodic(crontab(), at_start=True)  # every minute
def resume_mailing() -> None:
    """Queue the reminders whose day has come, and send what waits with nobody sending."""
    reminded = [campaign.id for campaign in mailing.queue_scheduled_reminders()]
    resumed = mailing.campaigns_to_resume()
    db.session.commit()  # the job must find what was queued
    for campaign_id in reminded + resumed:
        log.info("skickar utskick %s (%s)", campaign_id,
                 "schemalagd påminnelse" if campaign_id in reminded else "tas upp igen")
        send_utskick.enqueue(campaign_id, public_address())
