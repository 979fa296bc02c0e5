"""The API keeps its OpenAPI document: schemathesis sends it generated requests, in process.

Every operation gets valid and invalid requests (bounded: the suite stays fast)
with a valid token; answers must never be server errors, and their status
codes, content types, headers and bodies must be the ones the document gives.
"""

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from referencing import Registry, Resource
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from bot import store
from bot.api import tokens
from bot.sms import log
from bot.store import contacts, followups, visits

DOCUMENT = Path(__file__).resolve().parent.parent / "bot" / "api" / "openapi.json"
PHONE = "+254712345678"  # the document's example, so the examples reach a known mother
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection,
          ignored_auth, unsupported_method]


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module (see conftest)."""
    return module_app


@pytest.fixture(scope="module")
def token(app):
    """A valid token, and the document's example mother, appointment, message and follow-up."""
    db = store.redis(app)
    db.flushdb()
    # Hundreds of generated requests a minute: the per-token limit has its own test (test_api).
    app.config["API_REQUESTS_PER_MINUTE"] = 0
    db.hset(contacts.key(PHONE), mapping={"enrolled": "yes", "enrolled_by": "api", "consent_sms": "clinic",
                                          "language": "sw", "stage": "pregnancy", "due_date": "2027-04-20"})
    pipe = db.pipeline()
    visits.add(pipe, PHONE, date(2027, 1, 15), "anc", "09:30", "Mathare North", source="api")
    followups.add(pipe, PHONE, "missed_visit", "anc", "reminder")
    followups.add(pipe, PHONE, "danger_sign", "newborn", "sms", priority="urgent")
    pipe.hset(followups.key("5f2c9a1b7e3d"), mapping={  # the document's example follow-up
        "id": "5f2c9a1b7e3d", "phone": PHONE, "reason": "missed_visit", "topic": "anc",
        "channel": "reminder", "created_at": "1800000000", "status": "open", "message": ""})
    pipe.zadd(followups.OPEN, {"5f2c9a1b7e3d": 1800000000})
    pipe.hset(log.message_key("ATXid_3b1c6f0e8f2d4a5b"), mapping={
        "phone": PHONE, "kind": "visit_day_before", "status": "Success", "cost": "KES 0.8000",
        "sent_at": "1800000000"})
    pipe.execute()
    return tokens.create(db, "schemathesis")


# Loaded from the file, not through a fixture: schemathesis's lazy fixture loader does not work
# with pytest 9. The requests still go to the app in process (the test sets `schema.app`).
schema = schemathesis.openapi.from_path(DOCUMENT)


def filter_query(ctx, query):
    """Skip generated queries with a parameter that is never sent: an HTTP client drops one whose
    value is an empty list (or a list of empty lists and objects), so the request the app gets is
    a valid one, and answering it 200 would be reported as accepting invalid data."""
    return all(_sent(value) for value in (query or {}).values())


def _sent(value):
    items = value if isinstance(value, list) else [value]
    return any(item is not None and not isinstance(item, list | dict) for item in items)


@schema.hooks.apply(filter_query)
@schema.parametrize()
@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_answer_matches_the_document(case, app, token):
    case.operation.schema.app = app  # checks that send a request again (without the token) reach it too
    case.call_and_validate(base_url="http://localhost", app=app, checks=CHECKS,
                           headers={"Authorization": f"Bearer {token}"})


def test_the_served_document_is_valid_openapi_3_1(app):
    served = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    served.validate()  # against the OpenAPI 3.1 meta-schema
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert served.raw_schema == document
    for schema_part in [*document["components"]["schemas"].values(), *_inline_schemas(document)]:
        jsonschema.Draft202012Validator.check_schema(schema_part)  # the meta-schema leaves them open


def test_every_example_in_the_document_fits_its_schema():
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    registry = Registry().with_resource("urn:api", Resource.from_contents(
        {**document, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    found = list(_examples(document, document))
    assert len(found) >= 20
    for where, schema_part, example in found:
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"urn:api#{where}"} if schema_part is None else _rooted(schema_part),
            registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, f"{where}: {errors}"


def _inline_schemas(node):
    """Every `schema` object in paths and components (parameters, bodies, responses)."""
    if isinstance(node, list):
        for item in node:
            yield from _inline_schemas(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                yield value
            elif key != "schemas":
                yield from _inline_schemas(value)


def _rooted(part):
    """A schema from the document with its #/components/... references made absolute."""
    return json.loads(json.dumps(part).replace('"#/components/', '"urn:api#/components/'))


def _pointer(document, ref):
    found = document
    for step in ref[2:].split("/"):
        found = found[step]
    return found


def _examples(document, node, path=""):
    """Yield (where, schema, example) for every example: in schemas, media types and parameters."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _examples(document, item, f"{path}/{index}")
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("schema"), dict):
        for name, example in (node.get("examples") or {}).items():
            if "$ref" in example:
                example = _pointer(document, example["$ref"])
            yield f"{path}/examples/{name}", node["schema"], example["value"]
        if "example" in node:
            yield f"{path}/example", node["schema"], node["example"]
    if path.startswith("/components/schemas/") and path.count("/") == 3:
        for example in node.get("examples", []):
            yield path, None, example
    for key, value in node.items():
        if key not in ("examples", "example"):
            yield from _examples(document, value, f"{path}/{key}")
