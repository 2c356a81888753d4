"""Deltagare answer through a personal link: /s/<token>.

Views stay thin: they find the link, open its draft and save or submit through the
services, and render the shared step renderer (`templates/respond/step.html`). Every
POST answers with a redirect (Post/Redirect/Get) or, when something must be corrected,
the same page with 422. Once the answers are sent, every page of the link says so.
"""

from __future__ import annotations

from babel import Locale
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext, refresh
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from enkat.services.drafts import AlreadySubmitted, LinkClosed, save_page, submit
from enkat.services.invitations import LinkStatus, find_invitation
from enkat.services.responses import ResponseRefused
from enkat.web.common.forms import AnswerForm, Step, answer_form, progress_of

from .survey import Survey, closed_link_page, open_survey

bp = Blueprint("respond", __name__, url_prefix="/s")

#: The buttons of a step: `go_to` says where to go once the page is saved. "save" is
#: what the page's script sends while the person answers: saved, nowhere to go.
NEXT, BACK, SAVE = "next", "back", "save"

#: Headers of every respondent page: the token in the address must not leak through the
#: Referer header, a shared tablet's cache or a search engine; answers are never cached.
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


class SendForm(FlaskForm):
    """"Skicka" has no fields; the form carries the CSRF token."""


@bp.before_request
def choose_language():
    """?lang=ar on any page switches the language and keeps it for the session.

    The locale is then worked out afresh: Flask-Babel caches it on the application
    context, which may outlive one request (the tests hold one around many)."""
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        session["language"] = chosen
    refresh()


@bp.after_request
def keep_private(response):
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.context_processor
def page_language():
    locale = get_locale()
    return {"lang": locale.language, "text_direction": locale.text_direction,
            "languages": current_app.config["LANGUAGES"], "locale_of": Locale.parse}


@bp.get("/<token>")
def start(token: str):
    survey = open_survey(token)
    resume = survey.resume_step() if survey.answers else next(iter(survey.steps), None)
    target = url_for(".step", token=token, key=resume.key) if resume else _review_url(survey)
    return render_template("respond/start.html", survey=survey, target=target,
                           resuming=bool(survey.answers), languages=survey.languages)


@bp.get("/<token>/fraga/<key>")
def step(token: str, key: str):
    survey = open_survey(token)
    current = survey.step(key)
    if current is None:
        return redirect(url_for(".start", token=token))
    return _render_step(survey, current, answer_form(current.items, survey.answers))


@bp.post("/<token>/fraga/<key>")
def save_step(token: str, key: str):
    survey = open_survey(token)
    current = survey.step(key)
    if current is None:  # an earlier answer, changed in another tab, hid this question
        return redirect(url_for(".start", token=token), 303)
    form = answer_form(current.items)
    go_to = request.form.get("go_to")
    go_to = go_to if go_to in (BACK, SAVE) else NEXT
    saved = form.check(require_answers=go_to == NEXT) and _save(survey, current, form)
    if go_to == SAVE:
        return "", 204 if saved else 422
    if not saved:
        return _render_step(survey, current, form), 422
    return redirect(_after(survey, current, go_to), 303)


@bp.get("/<token>/granska")
def review(token: str):
    return _render_review(open_survey(token), problem_ids=set())


@bp.post("/<token>/granska")
def send(token: str):
    """Submitting again (a double tap, a reload, the back button) lands on the same
    thank-you page: the draft is submitted once, and a used link sends nothing."""
    if find_invitation(token).status is LinkStatus.USED:
        return redirect(url_for(".thanks", token=token), 303)
    survey = open_survey(token)
    try:
        submit(survey.draft)
    except ResponseRefused as refused:
        return _render_review(survey, {problem.item_id for problem in refused.problems}), 422
    return redirect(url_for(".thanks", token=token), 303)


@bp.get("/<token>/tack")
def thanks(token: str):
    status = find_invitation(token).status
    if status is LinkStatus.VALID:
        return redirect(url_for(".start", token=token))
    if status is not LinkStatus.USED:
        return closed_link_page(status)
    return render_template("respond/thanks.html")


@bp.errorhandler(LinkClosed)
@bp.errorhandler(AlreadySubmitted)
def link_closed_meanwhile(error):
    """The link was used or expired between finding it and saving: say what it is now."""
    return closed_link_page(find_invitation(request.view_args["token"]).status)


@bp.errorhandler(CSRFError)
def page_too_old(error):
    """A page kept open across a closed browser lost its session; what was saved is kept."""
    token = (request.view_args or {}).get("token")
    restart = url_for(".start", token=token) if token else None
    return render_template("respond/expired_page.html", restart=restart), 400


def _save(survey: Survey, current: Step, form: AnswerForm) -> bool:
    problems = save_page(survey.draft, form.answers(), current.question_ids)
    form.show_problems(problems)
    return not problems


def _after(survey: Survey, current: Step, go_to: str) -> str:
    if go_to == BACK:
        previous = survey.step_beside(current, -1)
        return _step_url(survey, previous) if previous else url_for(".start", token=survey.token)
    following = survey.step_beside(current, 1)
    if request.form.get("from_review") or following is None:
        return _review_url(survey)
    return _step_url(survey, following)


def _step_url(survey: Survey, target: Step) -> str:
    return url_for(".step", token=survey.token, key=target.key)


def _review_url(survey: Survey) -> str:
    return url_for(".review", token=survey.token)


def _render_step(survey: Survey, current: Step, form: AnswerForm) -> str:
    return render_template(
        "respond/step.html", survey=survey, step=current, form=form,
        progress=progress_of(survey.steps, current),
        action=_step_url(survey, current),
        from_review=bool(request.args.get("granska") or request.form.get("from_review")),
        languages=survey.languages,
    )


def _render_review(survey: Survey, problem_ids: set[str]) -> str:
    steps = survey.question_steps()
    answers = survey.answers
    return render_template(
        "respond/review.html", survey=survey, steps=steps, answers=answers,
        problems=problem_ids, form=SendForm(), languages=survey.languages,
        error_links=[_refusal_link(survey, step, answers) for step in steps
                     if step.question.id in problem_ids],
        back=_step_url(survey, steps[-1]) if steps else url_for(".start", token=survey.token),
    )


def _refusal_link(survey: Survey, step: Step, answers) -> tuple[str, str]:
    """Why "Skicka" was refused for one question, linking to it (an unanswered required
    question, in practice: every value was checked when its page was saved)."""
    if step.question.id in answers:
        reason = gettext("Ändra det här svaret innan du skickar:")
    else:
        reason = gettext("Svara på den här frågan innan du skickar:")
    href = url_for(".step", token=survey.token, key=step.key, granska=1)
    return href, f"{reason} {step.question.text.get(get_locale().language)}"
