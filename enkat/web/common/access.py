"""Who may use a route. Every view of the workspace declares it with one of these, and
tests/integration/web/test_access.py walks every route for every role.

- `roles_required(Role.ADMIN)`: signed in and administrator of a förbund; the view
  finds that förbund in `g.forbund`. Signed out: to the sign-in page; another role: 403.
- `insats_or_404(slug)`: an insats the signed-in user may see (`visible_insatser`);
  any other is 404, so an address never tells whether another insats exists.
- `insats_to_work_in(slug)`: as above, and 403 unless the user may act in it (its
  personal, or an administrator of its förbund); analysts only read.
- `refuse(status)`: how every one of these, and every view that looks up an id, a code or
  a slug the user may not reach, says no: the refusal is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import NoReturn

from flask import abort, g, request, url_for
from flask_login import current_user, login_required

from enkat.models import Insats, Role
from enkat.services.audit.log import record_denied
from enkat.services.organisation.overview import visible_insatser, works_in
from enkat.services.people.users import membership_with_role

#: Who reads a förbund's results: administrators and analysts.
READERS = (Role.ADMIN, Role.ANALYST)


def roles_required(*roles: Role) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            membership = membership_with_role(current_user, roles)
            if membership is None:
                refuse(403)
            g.forbund = membership.forbund
            return view(*args, **kwargs)

        return checked

    return decorator


def insats_or_404(slug: str) -> Insats:
    """An insats the user sees by its slug; 404 for any other, and when two förbund the
    user belongs to both have an insats with this slug."""
    found = [insats for insats in visible_insatser(current_user) if insats.slug == slug]
    if len(found) != 1:
        refuse(404)
    return found[0]


def insats_to_work_in(slug: str) -> Insats:
    """An insats the user may act in (see `require_work_in`), by its slug."""
    insats = insats_or_404(slug)
    require_work_in(insats)
    return insats


def require_work_in(insats: Insats) -> None:
    """403 unless the user works in the insats or administers its förbund: analysts see
    every insats but only read."""
    if not works_in(current_user, insats):
        refuse(403)


def refuse(status: int) -> NoReturn:
    """Refuse the signed-in user this address with `status` (403, or 404 for what they
    may not know exists) and audit it, so that someone trying the ids, codes or slugs of
    others shows in the log. The event is kept although the answer is an error, and it
    is all that is kept: what the request did before the refusal is rolled back first."""
    if current_user.is_authenticated:
        from . import keep_only_the_refusal  # this package imports this module first

        keep_only_the_refusal()
        record_denied(current_user, request.path, status)
    abort(status)


def landing_url() -> str:
    """Where a signed-in user starts: administrators and analysts at the förbund's
    overview (which links to their own insatser, if they have any), personal at "/",
    which shows them "Mina insatser"."""
    if membership_with_role(current_user, READERS) is not None:
        return url_for("admin.home")
    return url_for("staff.start")


def workspace_menu() -> dict:
    """The menu of the staff and förbund pages: the parts this user may open."""
    if not current_user.is_authenticated:
        return {"menu": []}
    menu = [("staff.overview", "Mina insatser", "staff.")]
    if membership_with_role(current_user, READERS) is not None:
        menu.append(("admin.home", "Förbundet", "admin."))
    return {"menu": menu}
