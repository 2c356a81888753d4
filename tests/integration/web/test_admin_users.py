"""The förbund's users: adding, changing role and insatser, deactivating; refusals in
Swedish with nothing written; an administrator keeps their own role; who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsStaff, Membership, Role, User
from enkat.services.audit.events import Action
from enkat.services.organisation.insatser import find_insats
from enkat.services.people.users import create_user, find_user, grant_role

from .test_auth import sign_in
from .test_respond import html

#: Every test here works in the test förbund's insats.
pytestmark = pytest.mark.usefixtures("insats")


def snapshot() -> dict:
    db.session.expire_all()
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
              for model in (User, Membership, InsatsStaff)}
    # refusals are audited (test_admin_audit.py); any other event is a change
    counts["audit_events"] = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                               .where(AuditEvent.action != Action.ACCESS_DENIED))
    counts["users"] = sorted((u.email, u.display_name, u.active)
                             for u in db.session.scalars(select(User)))
    counts["roles"] = sorted((m.user_id, m.role) for m in db.session.scalars(select(Membership)))
    return counts


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def new_user_data(**fields) -> dict:
    return {"email": "Ny.Person@Forbund.se", "display_name": "Ny Person", "role": "staff",
            "password": "ett-langt-losenord", **fields}


@pytest.fixture
def colleague(make_user, insats):
    user = make_user(Role.STAFF, email="kollega@forbund.se")
    db.session.add(InsatsStaff(insats_id=insats.id, user_id=user.id))
    db.session.commit()
    return user


def test_the_list_shows_each_user_with_role_and_insatser(as_admin, colleague, admin):
    page = html(as_admin.get("/forbund/anvandare"))
    assert "kollega@forbund.se" in page and "Personal" in page and "Steget vidare" in page
    assert admin.email in page and "Administratör" in page
    assert f'href="/forbund/anvandare/{colleague.id}"' in page


def test_an_administrator_adds_a_user_who_can_sign_in(as_admin, app, insats, forbund, admin):
    assert as_admin.get("/forbund/anvandare/ny").status_code == 200
    response = as_admin.post("/forbund/anvandare/ny",
                             data=new_user_data(insatser=[str(insats.id)]))
    assert response.status_code == 303
    user = find_user("ny.person@forbund.se")
    assert user.display_name == "Ny Person"
    assert [(m.forbund_id, m.role) for m in user.memberships] == [(forbund.id, Role.STAFF)]
    assert insats.staff == [user]
    [event] = events("user-created")
    assert (event.user_id, event.subject, event.detail["insatser"]) == (
        admin.id, "ny.person@forbund.se", ["steget"])
    other = app.test_client()
    assert sign_in(other, "ny.person@forbund.se", "ett-langt-losenord").status_code == 302
    assert other.get("/").status_code == 200


@pytest.mark.parametrize(("fields", "message"), [
    ({"email": "kollega@forbund.se"},
     "Det finns redan en användare med e-postadressen kollega@forbund.se."),
    ({"email": "KOLLEGA@forbund.se "},
     "Det finns redan en användare med e-postadressen kollega@forbund.se."),
    ({"email": "inte en adress"}, "Skriv en e-postadress, till exempel anna@forbund.se."),
    ({"password": "kort-9tkn"}, "Lösenordet ska ha minst 10 tecken."),
    ({"password": "ny.person@forbund.se"}, "Lösenordet får inte vara e-postadressen."),
    ({"password": "0000000000"}, "Lösenordet är för lätt att gissa: upprepade tecken"),
    ({"password": "aaaaaaaaaa"}, "Lösenordet är för lätt att gissa: upprepade tecken"),
    ({"password": "qwertyuiop"}, "Lösenordet är för lätt att gissa"),
    ({"password": "abcdefghijk"}, "Lösenordet är för lätt att gissa: följder"),
    ({"password": "nypersonny"}, "Lösenordet är för lätt att gissa"),  # of the name
    ({"display_name": "  "}, "Skriv användarens namn."),
])
def test_a_new_user_with_bad_input_is_refused_and_nothing_is_written(as_admin, colleague,
                                                                    fields, message):
    before = snapshot()
    response = as_admin.post("/forbund/anvandare/ny", data=new_user_data(**fields))
    page = html(response)
    assert response.status_code == 422, page
    assert message in page and "Användaren kunde inte sparas" in page
    assert snapshot() == before


def test_an_administrator_changes_name_role_and_insatser(as_admin, colleague, insats,
                                                        make_insats, admin):
    second = make_insats("halsa", name="Hälsolotsen")
    db.session.commit()
    page = html(as_admin.get(f"/forbund/anvandare/{colleague.id}"))
    assert f'value="{insats.id}" checked' in page and f'value="{second.id}">' in page
    response = as_admin.post(f"/forbund/anvandare/{colleague.id}", data={
        "display_name": "Kollega Andersson", "role": "analyst", "insatser": [str(second.id)]})
    assert response.status_code == 303
    db.session.expire_all()
    assert colleague.display_name == "Kollega Andersson"
    assert [m.role for m in colleague.memberships] == [Role.ANALYST]
    assert find_insats(insats.forbund, "halsa").staff == [colleague]
    assert insats.staff == []
    [event] = events("user-changed")
    assert event.user_id == admin.id
    assert event.detail["changed"]["role"] == ["staff", "analyst"]
    assert event.detail["changed"]["insatser"] == [["steget"], ["halsa"]]


def test_an_administrator_cannot_remove_their_own_admin_role(as_admin, admin):
    before = snapshot()
    response = as_admin.post(f"/forbund/anvandare/{admin.id}", data={
        "display_name": "Jag", "role": "analyst"})
    assert response.status_code == 422
    assert "Du kan inte ta bort din egen roll som administratör." in html(response)
    assert snapshot() == before


def test_a_deactivated_user_cannot_sign_in_and_is_kept(as_admin, app, colleague, admin):
    signed_in = app.test_client()
    assert sign_in(signed_in, colleague.email).status_code == 302
    db.session.commit()
    response = as_admin.post(f"/forbund/anvandare/{colleague.id}/inaktivera")
    assert response.status_code == 303
    db.session.expire_all()
    assert colleague.active is False and db.session.get(User, colleague.id) is not None
    [event] = events("user-deactivated")
    assert (event.user_id, event.subject) == (admin.id, colleague.email)
    assert "Inaktiverad" in html(as_admin.get("/forbund/anvandare"))
    assert sign_in(app.test_client(), colleague.email).status_code == 200
    assert signed_in.get("/").status_code == 302  # an open session ends as well
    reactivated = as_admin.post(f"/forbund/anvandare/{colleague.id}/aktivera")
    assert reactivated.status_code == 303
    db.session.expire_all()
    assert colleague.active is True
    assert events("user-changed")[-1].detail["changed"] == {"active": [False, True]}


def test_deactivation_ends_the_users_sessions_for_good(as_admin, app, colleague):
    """Ended on the server, not merely refused while inactive: reactivating the user
    does not bring a session back."""
    laptop = app.test_client()
    assert sign_in(laptop, colleague.email).status_code == 302
    db.session.commit()
    as_admin.post(f"/forbund/anvandare/{colleague.id}/inaktivera")
    as_admin.post(f"/forbund/anvandare/{colleague.id}/aktivera")
    db.session.expire_all()
    assert colleague.active is True
    assert laptop.get("/").headers["Location"].startswith("/login")
    assert sign_in(laptop, colleague.email).status_code == 302  # anew: fine
    assert laptop.get("/").status_code == 200


def test_an_administrator_cannot_deactivate_themself(as_admin, admin):
    before = snapshot()
    response = as_admin.post(f"/forbund/anvandare/{admin.id}/inaktivera")
    assert response.status_code == 422
    assert "Du kan inte inaktivera dig själv." in html(response)
    assert snapshot() == before
    assert "Inaktivera" not in html(as_admin.get(f"/forbund/anvandare/{admin.id}"))


def test_an_analyst_sees_the_list_and_may_change_nothing(client, make_user, colleague):
    analyst = make_user(Role.ANALYST)
    sign_in(client, analyst.email)
    db.session.commit()
    page = html(client.get("/forbund/anvandare"))
    assert "kollega@forbund.se" in page and "/forbund/anvandare/ny" not in page
    before = snapshot()
    assert client.get("/forbund/anvandare/ny").status_code == 403
    assert client.get(f"/forbund/anvandare/{colleague.id}").status_code == 403
    for path, data in (("/forbund/anvandare/ny", new_user_data()),
                       (f"/forbund/anvandare/{colleague.id}", {"display_name": "X",
                                                               "role": "admin"}),
                       (f"/forbund/anvandare/{colleague.id}/inaktivera", {}),
                       (f"/forbund/anvandare/{colleague.id}/aktivera", {})):
        assert client.post(path, data=data).status_code == 403, path
    assert snapshot() == before


def test_personal_are_forbidden_and_visitors_sent_to_sign_in(app, client, colleague):
    assert client.get("/forbund/anvandare").headers["Location"].startswith("/login")
    sign_in(client, colleague.email)
    assert client.get("/forbund/anvandare").status_code == 403
    assert client.post(f"/forbund/anvandare/{colleague.id}/inaktivera").status_code == 403


def test_a_user_of_another_forbund_is_not_found(as_admin, make_forbund):
    stranger = create_user("annan@annat.se", "lösenord-123", "Annan")
    grant_role(stranger, make_forbund(), Role.STAFF)
    db.session.commit()
    assert as_admin.get(f"/forbund/anvandare/{stranger.id}").status_code == 404
    assert as_admin.post(f"/forbund/anvandare/{stranger.id}", data={
        "display_name": "X", "role": "staff"}).status_code == 404
    assert as_admin.post(f"/forbund/anvandare/{stranger.id}/inaktivera").status_code == 404
    db.session.expire_all()
    assert stranger.active and stranger.display_name == "Annan"
    assert "annan@annat.se" not in html(as_admin.get("/forbund/anvandare"))


def test_an_address_of_another_forbund_is_refused_without_saying_it_exists(as_admin,
                                                                            make_forbund):
    """Two förbund: the administrator of one learns nothing of the other's users."""
    norr = make_forbund("norr", "Samordningsförbundet Norr")
    stranger = create_user("kim@norr.example", "lösenord-123", "Kim Norrman")
    grant_role(stranger, norr, Role.STAFF)
    db.session.commit()
    before = snapshot()
    taken = as_admin.post("/forbund/anvandare/ny", data=new_user_data(email="Kim@Norr.example"))
    page = html(taken)
    assert taken.status_code == 422
    assert "Den här e-postadressen kan inte användas för en ny användare." in page
    for hint in ("finns redan", "Kim Norrman", "Norr", "norr.example"):
        assert hint not in page.replace('value="Kim@Norr.example"', ""), hint
    assert snapshot() == before
    db.session.expire_all()
    assert stranger.display_name == "Kim Norrman" and stranger.memberships[0].forbund == norr
