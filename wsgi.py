"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from enkat import create_app

app = create_app()
