"""One personal link as the pages see it: its draft, its steps and where to go next."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, current_app, make_response, render_template, session
from flask_babel import get_locale, refresh

from enkat.instruments import Instrument
from enkat.models import Invitation
from enkat.models import Response as Draft
from enkat.services.drafts import instrument_of, open_draft
from enkat.services.invitations import LinkStatus, find_invitation
from enkat.services.responses import answers_of
from enkat.web.common.forms import Step, first_unanswered, steps_of

#: What a link that opens nothing answers with. "Used" and "expired" are 410 Gone: the
#: link existed and will not work again; only a token that never existed is 404.
CLOSED_LINK_STATUS = {LinkStatus.UNKNOWN: 404, LinkStatus.EXPIRED: 410, LinkStatus.USED: 410}


@dataclass(frozen=True)
class Survey:
    """A valid link during one request. The token is kept only to build this link's own
    addresses; it is never written to a log."""

    token: str
    invitation: Invitation
    draft: Draft

    @property
    def instrument(self) -> Instrument:
        return instrument_of(self.draft)

    @property
    def answers(self) -> dict[str, tuple[str, ...]]:
        return answers_of(self.draft)

    @property
    def steps(self) -> tuple[Step, ...]:
        """Recomputed on every use: a saved answer may add or remove later steps."""
        return steps_of(self.instrument, self.answers, self.draft.timepoint)

    @property
    def languages(self) -> list[str]:
        """The instrument's languages the interface also speaks."""
        offered = current_app.config["LANGUAGES"]
        return [language for language in self.instrument.languages if language in offered]

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)

    def step_beside(self, step: Step, offset: int) -> Step | None:
        """The step `offset` places after `step` (before it when negative), None past the
        ends; found by key, as the steps are worked out again from the saved answers."""
        steps = self.steps
        position = [candidate.key for candidate in steps].index(step.key) + offset
        return steps[position] if 0 <= position < len(steps) else None

    def resume_step(self) -> Step | None:
        """Where the person left off: the first asked question without an answer."""
        return first_unanswered(self.steps, self.answers)

    def question_steps(self) -> list[Step]:
        return [step for step in self.steps if step.question]


def open_survey(token: str) -> Survey:
    """The survey behind a valid link, with its draft; any other link ends the request
    with the page that says why."""
    state = find_invitation(token)
    if state.status is not LinkStatus.VALID:
        abort(closed_link_page(state.status))
    draft = open_draft(state.invitation, get_locale().language)
    _remember_language(draft.language)
    return Survey(token, state.invitation, draft)


def closed_link_page(status: LinkStatus) -> Response:
    """Says plainly that the link is unknown, expired or used, and nothing else."""
    page = render_template("respond/closed.html", status=status.value)
    return make_response(page, CLOSED_LINK_STATUS[status])


def _remember_language(language: str) -> None:
    """A link opened again in a new browser continues in the language it was begun in."""
    if "language" not in session and language in current_app.config["LANGUAGES"]:
        session["language"] = language
        refresh()
