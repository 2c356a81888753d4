"""Who may use a route. Every view of the workspace declares it with one of these, and
tests/integration/web/test_access.py walks every route for every role.

- `roles_required(Role.ADMIN)`: signed in and administrator of a förbund; the view
  finds that förbund in `g.forbund`. Signed out: to the sign-in page; another role: 403.
- `insats_or_404(slug)`: an insats the signed-in user may see (`visible_insatser`);
  any other is 404, so an address never tells whether another insats exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from enkat.models import Insats, Role
from enkat.services.accounts import membership_with_role
from enkat.services.overview import visible_insatser

#: Who reads a förbund's results: administrators and analysts.
READERS = (Role.ADMIN, Role.ANALYST)


def roles_required(*roles: Role) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            membership = membership_with_role(current_user, roles)
            if membership is None:
                abort(403)
            g.forbund = membership.forbund
            return view(*args, **kwargs)

        return checked

    return decorator


def insats_or_404(slug: str) -> Insats:
    found = next((insats for insats in visible_insatser(current_user) if insats.slug == slug),
                 None)
    if found is None:
        abort(404)
    return found


def workspace_menu() -> dict:
    """The menu of the staff and förbund pages: the parts this user may open."""
    if not current_user.is_authenticated:
        return {"menu": []}
    menu = [("staff.overview", "Mina insatser", "staff.")]
    if membership_with_role(current_user, READERS) is not None:
        menu.append(("admin.home", "Förbundet", "admin."))
    return {"menu": menu}
