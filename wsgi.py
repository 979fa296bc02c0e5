"""The web app for gunicorn: `gunicorn wsgi:app`."""

from bot import create_app

app = create_app()
