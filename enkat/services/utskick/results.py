"""The results of utskick: the answers given through an utskick's links, counted, and how
many of the addresses mailed have answered.

Responses name their utskick (`Response.campaign_id`, copied from the link), never an
address, so everything here counts groups: the answers of one utskick, the addresses of
the utskick of a period. Counting is done in SQL, as for the reports
(`services.results.report_data`); the tables are built by `enkat.reports`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, func, or_, select

from enkat.extensions import db
from enkat.models import Answer, Campaign, InstrumentVersion, Response
from enkat.reports.indicators import indicator_table, tally
from enkat.reports.inputs import AnswerCount
from enkat.reports.model import Table
from enkat.scoring.suppression import Suppression
from enkat.services.instruments.versions import stored_instrument
from enkat.services.utskick.campaigns import closes_on


@dataclass(frozen=True)
class CampaignResults:
    """What an utskick's page shows of its answers.

    `answered`: responses sent in through its links. `table`: the indicator table, or
    None while there are fewer than the förbund's threshold (or none at all).
    `previous`: the utskick the table compares with, if any.
    """

    answered: int
    threshold: int
    table: Table | None
    previous: Campaign | None = None

    @property
    def too_few(self) -> bool:
        """Answers have come in, but fewer than may be shown."""
        return 0 < self.answered < self.threshold


# --- one utskick -------------------------------------------------------------------------


def campaign_answer_counts(campaign: Campaign) -> list[AnswerCount]:
    """Counts of each answer per item of the utskick's submitted responses (no kön: the
    utskick surveys do not ask it, and would not be split by it)."""
    query = (
        select(InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
               Answer.value, func.count())
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign.id, Response.submitted_at.is_not(None))
        .group_by(InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
                  Answer.value)
    )
    return [AnswerCount(instrument_id, timepoint, item_id, value, None, count)
            for instrument_id, timepoint, item_id, value, count
            in db.session.execute(query).tuples()]


def answered_responses(campaign: Campaign) -> int:
    """Responses sent in through the utskick's links."""
    return db.session.scalar(select(func.count()).select_from(Response).where(
        Response.campaign_id == campaign.id, Response.submitted_at.is_not(None))) or 0


def campaign_results(campaign: Campaign) -> CampaignResults:
    """The utskick's indicator table, suppressed with the förbund's threshold, beside the
    previous utskick of the same survey to the same group (`previous_campaign`).

    Nothing is shown below the threshold: with fewer than k answers even the per-item
    counts would say too much about the few who answered, so the page says only that
    the answers are too few (every share of the table would be held back anyway).
    """
    threshold = campaign.forbund.suppression_threshold
    answered = answered_responses(campaign)
    if answered < threshold:
        return CampaignResults(answered, threshold, None)
    instrument = stored_instrument(campaign.instrument_version)
    instruments = {instrument.id: instrument}
    previous = previous_campaign(campaign)
    table = indicator_table(
        instrument, tally(campaign_answer_counts(campaign), instruments),
        tally(campaign_answer_counts(previous), instruments) if previous else {},
        Suppression(threshold))
    return CampaignResults(answered, threshold, _compared(table, previous), previous)


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
    """The table's "föregående period" is the previous utskick: its notes say which."""
    said = (f"Föregående period: utskicket ”{previous.title}” med sista svarsdag "
            f"{closes_on(previous).isoformat()}." if previous else
            "Det finns inget tidigare utskick av enkäten med svar att jämföra med.")
    return replace(table, notes=(said, *table.notes))
