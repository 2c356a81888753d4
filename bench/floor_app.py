"""The floor of `respond_load.py`: the least a page can cost on this machine with the
parts enkat is made of. A Flask app with Flask-SQLAlchemy that reads one row (the first
förbund's name) and answers a line of HTML, served by the same gunicorn setup as enkat
(`tests.gunicorn.serve`) and profiled the same way (`enkat.profiling`), so that each
respondent request's CPU and latency can be given as a multiple of it.

    gunicorn bench.floor_app:app   (ENKAT_DATABASE_URL: a database enkat has migrated)
"""

from __future__ import annotations

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from markupsafe import escape
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from enkat.profiling import ProfiledApp, count_statements


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Forbund(db.Model):
    __tablename__ = "forbund"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def create_floor_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["ENKAT_DATABASE_URL"]
    db.init_app(app)
    with app.app_context():
        count_statements(db.engine)
    app.wsgi_app = ProfiledApp(app.wsgi_app)

    @app.get("/")
    def one_row() -> str:
        return f"<p>{escape(db.session.get(Forbund, 1).name)}</p>"

    return app


app = create_floor_app()
