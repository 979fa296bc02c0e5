"""Errors under /api: always JSON, `{"error": "plain words", "field": name or null}`.

A clinic system's developer reads these, so each says what was wrong and, when
one field is at fault, which. Nothing under /api answers with an HTML page or a
traceback: routing errors (unknown path, wrong method) are caught before they
reach the app's plain-text handlers, and anything unexpected is logged and
answered with a short JSON message.
"""

import logging

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .. import store
from ..errors import BotError

log = logging.getLogger(__name__)
PREFIX = "/api/"
PLAIN = {  # werkzeug's descriptions speak of servers and browsers; these speak to the caller
    400: "the request could not be read",
    404: "there is nothing at this address; see /api/openapi.json",
    405: "this address does not take this method",
    413: "the request is too large",
    415: "send the body as JSON with Content-Type: application/json",
}


class ApiError(BotError):
    """A request the API refuses; carries the HTTP status and the field at fault."""

    def __init__(self, status, message, field=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


def answer(status, message, field=None, headers=None):
    response = jsonify(error=message, field=field)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register(blueprint):
    """Answer every error raised inside the blueprint's views with JSON."""
    blueprint.register_error_handler(ApiError, _api_error)
    blueprint.register_error_handler(HTTPException, _http_error)
    for error in store.Errors:
        blueprint.register_error_handler(error, _store_error)
    blueprint.register_error_handler(Exception, _unexpected)


def routing_errors():
    """Answer an unknown /api address or a wrong method with JSON (runs before routing is raised)."""
    failure = request.routing_exception
    if (request.path + "/").startswith(PREFIX) and isinstance(failure, HTTPException) \
            and (failure.code or 0) >= 400:
        return _http_error(failure)
    return None


def _api_error(err):
    headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else {}
    return answer(err.status, err.message, err.field, {**headers, **err.headers})


def _http_error(err):
    status = 400 if err.code == 413 else err.code  # as the rest of the app answers
    headers = {"Allow": ", ".join(err.valid_methods)} \
        if isinstance(err, MethodNotAllowed) and err.valid_methods else None
    return answer(status, PLAIN.get(err.code, str(err.description)), None, headers)


def _store_error(err):
    log.warning("API: the store did not answer (%s)", type(err).__name__)
    return answer(503, "the service is busy; try again in a minute", None, {"Retry-After": "60"})


def _unexpected(err):
    current_app.logger.exception("Unexpected error in the API")
    return answer(500, "internal error: the problem was logged", None)
