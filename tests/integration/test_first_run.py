"""The README's "first run": an empty database, the first förbund and its first
administrator through the installed `enkat` command, then signing in on the web."""

from __future__ import annotations

from sqlalchemy import select

from enkat import create_app
from enkat.extensions import db
from enkat.models import Forbund, Role
from enkat.services.people.users import find_user

from .command_line import enkat, succeeded

PASSWORD = "första-lösenordet"


def test_the_first_administrator_signs_in_on_a_new_database(own_database_url, tmp_path):
    succeeded(enkat(own_database_url, tmp_path, "db", "upgrade"))
    typed_twice = f"{PASSWORD}\n{PASSWORD}\n"
    too_early = enkat(own_database_url, tmp_path, "create-user", "--email", "admin@mitt.example",
                      "--role", "admin", "--forbund", "mitt-forbund", input=typed_twice)
    assert too_early.returncode == 1
    assert 'okänt förbund "mitt-forbund"' in too_early.stderr

    created = succeeded(enkat(own_database_url, tmp_path, "create-forbund",
                              "--slug", "mitt-forbund", "--name", "Samordningsförbundet Mitt"))
    assert "skapade förbundet mitt-forbund" in created
    admin = succeeded(enkat(own_database_url, tmp_path, "create-user",
                            "--email", "admin@mitt.example", "--role", "admin",
                            "--forbund", "mitt-forbund", input=typed_twice))
    assert "skapade admin@mitt.example (admin i mitt-forbund)" in admin

    again = enkat(own_database_url, tmp_path, "create-user", "--email", "ADMIN@mitt.example",
                  "--role", "admin", "--forbund", "mitt-forbund", input=typed_twice)
    assert again.returncode == 1
    assert "det finns redan en användare med e-postadressen admin@mitt.example" in again.stderr

    app = create_app({"SQLALCHEMY_DATABASE_URI": own_database_url, "SECRET_KEY": "first-run",
                      "WTF_CSRF_ENABLED": False})
    app.instance_path = str(tmp_path)
    try:
        with app.app_context():
            user = find_user("admin@mitt.example")
            assert [(m.forbund.slug, m.role) for m in user.memberships] == [
                ("mitt-forbund", Role.ADMIN)]
        client = app.test_client()
        response = client.post("/login", data={"email": "admin@mitt.example",
                                               "password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/forbund/"
        assert client.get("/forbund/").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


def test_an_unmigrated_database_says_to_migrate(tmp_path):
    refused = enkat(f"sqlite:///{tmp_path / 'new.sqlite'}", tmp_path, "create-forbund",
                    "--slug", "mitt-forbund", "--name", "Mitt")
    assert refused.returncode == 1
    assert "kör `enkat db upgrade`" in refused.stderr


def test_a_new_forbund_starts_with_the_installations_threshold(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'threshold.sqlite'}"
    monkeypatch.setenv("ENKAT_SUPPRESSION_THRESHOLD", "7")
    succeeded(enkat(database_url, tmp_path, "db", "upgrade"))
    succeeded(enkat(database_url, tmp_path, "create-forbund", "--slug", "sju", "--name", "Sju"))
    monkeypatch.delenv("ENKAT_SUPPRESSION_THRESHOLD")
    succeeded(enkat(database_url, tmp_path, "create-forbund", "--slug", "fem", "--name", "Fem"))

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "first-run"})
    app.instance_path = str(tmp_path)
    try:
        with app.app_context():
            thresholds = {forbund.slug: forbund.suppression_threshold
                          for forbund in db.session.scalars(select(Forbund))}
        assert thresholds == {"sju": 7, "fem": 5}
    finally:
        with app.app_context():
            db.engine.dispose()
