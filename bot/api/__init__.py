"""The JSON API for clinic systems, under /api, described by /api/openapi.json.

Clinic systems (an EMR, a booking system) enrol mothers, book and move their
visits, read delivery reports, and list and close follow-ups. Each system has its
own token (`flask --app wsgi api-tokens create NAME --scope ...`), allowed only the
operations of its scopes; every answer is JSON.
"""

from pathlib import Path

from flask import Blueprint, current_app, request

from . import appointments, contacts, errors, followups, messages, tokens

DOCUMENT = Path(__file__).with_name("openapi.json")


def init_app(app):
    """Register /api on the app: the views, token checks and JSON errors."""
    api = Blueprint("api", __name__, url_prefix="/api")
    api.add_url_rule("/openapi.json", "openapi", _document_view(DOCUMENT.read_text(encoding="utf-8")))
    api.before_request(tokens.require_token)
    api.after_request(_private)
    errors.register(api)
    for part in (contacts, appointments, messages, followups):
        api.register_blueprint(part.blueprint)
    app.register_blueprint(api)
    app.before_request(errors.routing_errors)


def _private(response):
    """Keep answers about mothers out of caches, and have browsers take them only as JSON."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint not in tokens.PUBLIC:
        response.headers["Cache-Control"] = "no-store"
    return response


def _document_view(document):
    """Serve the OpenAPI document (read once, at start: a missing file stops the app early)."""

    def openapi():
        return current_app.response_class(document, mimetype="application/json")

    return openapi
