"""enkat: survey and indicator-questionnaire engine for samordningsförbund."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import configure
from .database import configure_engine
from .extensions import csrf, db, login, migrate
from .profiling import ProfiledApp, count_statements


def create_app(config: dict | None = None) -> Flask:
    """Build the application: the only place that wires Flask together."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config)
    if app.config["PROXY_COUNT"]:  # the client's address and https, as the proxy saw them
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config)
        if app.config["PROFILE"]:  # off by default: see enkat/profiling.py
            count_statements(db.engine)
            app.wsgi_app = ProfiledApp(app.wsgi_app)
    migrate.init_app(app, db, directory=str(resource_directory("migrations")))
    csrf.init_app(app)
    login.init_app(app)

    from .web import register_web

    register_web(app)
    return app


def resource_directory(name: str) -> Path:
    """A top-level data folder (migrations, instruments) of a checkout or an installed wheel.

    The wheel carries them inside the package (pyproject force-include); a checkout has
    them at the top level, where DESIGN.md puts them.
    """
    packaged = Path(__file__).resolve().parent / name
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / name
