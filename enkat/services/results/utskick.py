"""The results of utskick: the answers given through one utskick's links, as its page
shows them, and the reach of a period's utskick (addresses mailed, answered) for the
reports.

Responses name their utskick (`Response.campaign_id`, copied from the link), never an
address: the id is shared by all its recipients (`enkat.models.Campaign`). So everything
here counts groups. It lives with the results, not in `services.utskick`: results and
utskick are independent layers (pyproject.toml), and results read what the utskick
wrote as they read what was answered, from the tables. Only counts are read from the
recipients (`answered`, `sent_at`, which survive closing), never an address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Select, and_, case, func, or_, select

from enkat.config import local_zone
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.models import Campaign, CampaignRecipient, InstrumentVersion, Response
from enkat.reports.indicators import indicator_tables, tally
from enkat.reports.inputs import AnswerCount, SurveyReach
from enkat.reports.model import Table
from enkat.reports.period import Period
from enkat.reports.pruning import without_empty
from enkat.scoring.suppression import Suppression
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.results.report_data import counted_answers

PREVIOUS_COLUMN = "andel-foregaende"


@dataclass(frozen=True)
class CampaignResults:
    """What an utskick's page shows of its answers.

    `answered`: responses sent in through its links. `tables`: its indicator tables
    (one, and one per item the survey's results are split by), none while there are
    fewer answers than the förbund's threshold. `previous`: the utskick they compare with.
    """

    answered: int
    threshold: int
    tables: tuple[Table, ...] = ()
    previous: Campaign | None = None

    @property
    def too_few(self) -> bool:
        """Answers have come in, but fewer than may be shown."""
        return 0 < self.answered < self.threshold

    def table(self, table_id: str) -> Table | None:
        return next((table for table in self.tables if table.id == table_id), None)


# --- one utskick -------------------------------------------------------------------------


def campaign_answer_counts(campaign: Campaign) -> list[AnswerCount]:
    """Counts of each answer per item of the utskick's submitted responses, grouped as
    the report's are (`report_data.answer_counts`)."""
    return counted_answers(_instrument_of(campaign), Response.campaign_id == campaign.id)


def _instrument_of(campaign: Campaign) -> Instrument:
    """The utskick's survey as the reports read it: the current version's declarations
    (kön, splits, table id) over the answers of every version."""
    return resolve_instrument(campaign.instrument_version.instrument_id)


def answered_responses(campaign: Campaign) -> int:
    """Responses sent in through the utskick's links."""
    return db.session.scalar(select(func.count()).select_from(Response).where(
        Response.campaign_id == campaign.id, Response.submitted_at.is_not(None))) or 0


def campaign_results(campaign: Campaign) -> CampaignResults:
    """The utskick's indicator tables, suppressed with the förbund's threshold, beside
    the previous utskick of the same survey to the same group (`previous_campaign`).

    Nothing is shown below the threshold: with fewer than k answers the page says only
    that the answers are too few (every share of the tables would be held back anyway,
    and the counts of so few would say more than the survey promised).
    """
    threshold = campaign.forbund.suppression_threshold
    answered = answered_responses(campaign)
    if answered < threshold:
        return CampaignResults(answered, threshold)
    instrument = _instrument_of(campaign)
    instruments = {instrument.id: instrument}
    previous = previous_campaign(campaign)
    tables = indicator_tables(
        instrument, tally(campaign_answer_counts(campaign), instruments),
        tally(campaign_answer_counts(previous), instruments) if previous else {},
        Suppression(threshold))
    return CampaignResults(answered, threshold,
                           without_empty(_compared(table, previous) for table in tables),
                           previous)


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The latest earlier utskick of the förbund with the same survey, about the same
    insats (or, like this one, the whole förbund), that has answers: last year's round
    to the same group. Earlier: created before it (by id at the same moment)."""
    answered = select(Response.id).where(Response.campaign_id == Campaign.id,
                                         Response.submitted_at.is_not(None))
    return db.session.scalar(
        select(Campaign)
        .join(InstrumentVersion, InstrumentVersion.id == Campaign.instrument_version_id)
        .where(Campaign.forbund_id == campaign.forbund_id,
               Campaign.insats_id.is_(None) if campaign.insats_id is None
               else Campaign.insats_id == campaign.insats_id,
               InstrumentVersion.instrument_id == campaign.instrument_version.instrument_id,
               or_(Campaign.created_at < campaign.created_at,
                   and_(Campaign.created_at == campaign.created_at, Campaign.id < campaign.id)),
               answered.exists())
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(1)
    )


def _compared(table: Table, previous: Campaign | None) -> Table:
    """A table's "föregående period" is the previous utskick: its notes say which."""
    if PREVIOUS_COLUMN not in (column.key for column in table.columns):
        return table
    said = (f"Föregående period: utskicket ”{previous.title}” från "
            f"{_local_date(previous.created_at).isoformat()}." if previous else
            "Det finns inget tidigare utskick av enkäten med svar att jämföra med.")
    return replace(table, notes=(said, *table.notes))


# --- the utskick of a period, for the reports ------------------------------------------


def survey_reach(forbund_id: int, insats_ids: Sequence[int] | None,
                 period: Period) -> list[SurveyReach]:
    """Per instrument, the utskick first mailed in the period: how many, how many
    addresses were sent a link, how many of those answered.

    An utskick belongs to the day its first link was mailed (the earliest `sent_at` of
    its recipients) where the förbund is, not to the day it was created: a list prepared
    in December and mailed in January is January's round, and an utskick never mailed
    reached no one. `insats_ids` None: every utskick of the förbund (the förbund
    report); else the utskick about those insatser (an insats report).
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



def _moments(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as moments: from its first day's midnight to the midnight after its
    last day, where the förbund is."""
    zone = local_zone()
    return (dt.datetime.combine(period.start, dt.time(), zone),
            dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), zone))


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_zone()).date()
