"""The reach of utskick, for the reports: per instrument, how many addresses the utskick
of a period mailed a link to and how many of them answered.

It lives with the results, not with `services.utskick`: results and utskick are
independent layers (pyproject.toml), and the report reads what the utskick wrote as it
reads what was answered, from the tables, without using the utskick package. Only
counts are read: `CampaignRecipient.answered` and `sent_at`, which survive closing (only
the addresses are deleted), never an address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, case, func, select

from enkat.extensions import db
from enkat.models import Campaign, CampaignRecipient, InstrumentVersion
from enkat.reports.inputs import SurveyReach
from enkat.reports.period import Period


def survey_reach(forbund_id: int, insats_ids: Sequence[int] | None,
                 period: Period) -> list[SurveyReach]:
    """Per instrument, the utskick first mailed in the period: how many, how many
    addresses were sent a link, how many of those answered.

    An utskick belongs to the day its first link was mailed (the earliest `sent_at` of
    its recipients) in the förbund's time zone, not to the day it was created: a list
    prepared in December and mailed in January is January's round, and an utskick
    never mailed reached no one. `insats_ids` None: every utskick of the förbund (the
    förbund report); else the utskick about those insatser (an insats report).
    Addresses and their counts survive closing (only the e-mail is deleted).
    """
    per_campaign = _campaign_reach(forbund_id, insats_ids).subquery()
    start, end = _moments(period)
    query = (
        select(per_campaign.c.instrument_id, func.count(), func.sum(per_campaign.c.sent),
               func.sum(per_campaign.c.answered))
        .where(per_campaign.c.first_sent >= start, per_campaign.c.first_sent < end)
        .group_by(per_campaign.c.instrument_id)
        .order_by(per_campaign.c.instrument_id)
    )
    return [SurveyReach(instrument_id, int(campaigns), int(sent), int(answered))
            for instrument_id, campaigns, sent, answered in db.session.execute(query).tuples()]


def _campaign_reach(forbund_id: int, insats_ids: Sequence[int] | None) -> Select:
    def number_of(condition) -> object:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(InstrumentVersion.instrument_id.label("instrument_id"),
               func.min(CampaignRecipient.sent_at).label("first_sent"),
               number_of(CampaignRecipient.sent_at.is_not(None)).label("sent"),
               number_of(CampaignRecipient.answered.is_(True)).label("answered"))
        .select_from(Campaign)
        .join(InstrumentVersion, InstrumentVersion.id == Campaign.instrument_version_id)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(Campaign.forbund_id == forbund_id)
        .group_by(Campaign.id, InstrumentVersion.instrument_id)
    )
    if insats_ids is not None:
        query = query.where(Campaign.insats_id.in_(tuple(insats_ids)))
    return query


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _moments(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as moments: from its first day's midnight to the midnight after its
    last day, where the förbund is."""
    zone = _zone()
    return (dt.datetime.combine(period.start, dt.time(), zone),
            dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), zone))
