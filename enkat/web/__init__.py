"""The web layer: one blueprint per audience, wired by create_app only."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from .admin import bp as admin
    from .auth import bp as auth
    from .common import init_common
    from .respond import kiosk_bp, links_bp
    from .staff import bp as staff

    init_common(app)
    app.register_blueprint(auth)
    app.register_blueprint(staff)
    app.register_blueprint(admin)
    app.register_blueprint(links_bp)
    app.register_blueprint(kiosk_bp)
