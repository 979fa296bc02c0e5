"""GET /healthz and /readyz: for load balancers and process managers.

/healthz answers as long as the process can answer at all. /readyz answers 200
only when this node can serve callers (Redis answers, the content is loaded)
and 503 otherwise, so a balancer sends callers to another node meanwhile.
"""

from flask import Blueprint, jsonify

from .. import content_service, store
from ..errors import InvalidContent

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    checks = {"redis": _redis(), "content": _content()}
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not ready", **checks,
            "content_version": content_service.version(),
            "content_number": content_service.number()}  # the published version, the same everywhere
    return jsonify(body), 200 if ready else 503


def _redis():
    try:
        store.redis().ping()
    except store.Errors as err:
        return f"unreachable ({type(err).__name__})"
    return "ok"


def _content():
    try:
        content_service.current()
    except InvalidContent:
        return "not loaded (run: flask --app wsgi flows check)"
    return "ok"
