"""API tokens: one per clinic system, shown once, kept only as a SHA-256.

`api:tokens` maps a token's SHA-256 to its name, so a request is checked with
one lookup and a copy of Redis gives nobody a usable token; `api:token_names`
maps each name to its hash and creation time, for listing and revoking.
Tokens are long random strings, so an unsalted hash is enough.

Each token has scopes, chosen when it is made: the operations it may use
(`api:token_scopes` maps its SHA-256 to them). A booking system that only
books visits then cannot read every follow-up. A token made before scopes
existed has no entry there and may use every operation, as it always could.

Each token may make API_REQUESTS_PER_MINUTE requests in a clock minute, so one
clinic system looping on an error cannot crowd out the others or the USSD
callers sharing the server. The count is kept in Redis (every web process sees
the same one) and checked in the same round trip as the token itself.
"""

import hashlib
import json
import re
import secrets
import time

from flask import current_app, g, request

from .. import store
from ..store import quick
from .errors import ApiError

BY_HASH = "api:tokens"  # sha256 -> name
BY_NAME = "api:token_names"  # name -> {"sha256": ..., "created_at": ..., "scopes": [...]}
SCOPES_BY_HASH = "api:token_scopes"  # sha256 -> "scope,scope"
# Each scope and the endpoints it opens.
SCOPES = {
    "contacts:read": {"api.contacts.get_contact", "api.appointments.read"},
    "contacts:write": {"api.contacts.put_contact", "api.appointments.book", "api.appointments.change",
                       "api.appointments.cancel"},
    "messages:read": {"api.messages.read"},
    "followups:read": {"api.followups.list_open"},
    "followups:write": {"api.followups.close"},
}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
PUBLIC = {"api.openapi"}  # endpoints anyone may read
# The token's name, and its request count this minute (only known tokens are counted).
_CHECK = """
local name = redis.call('HGET', KEYS[1], ARGV[1])
if not name then return false end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], 120) end
return {name, count, redis.call('HGET', KEYS[3], ARGV[1]) or '*'}
"""


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create(db, name, scopes=tuple(SCOPES)):
    """Make a token for `name` allowed `scopes`; return it (the only time it is seen). Raise ValueError."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"choose the token's scopes from: {', '.join(SCOPES)} (not "
                         f"{', '.join(unknown) or 'none'})")
    if not NAME.fullmatch(name or ""):
        raise ValueError("a token name is 1-40 letters, digits, dots, dashes or underscores, "
                         "starting with a letter or digit (for example: kenyaemr-mathare)")
    token = secrets.token_urlsafe(32)
    scopes = sorted(set(scopes), key=list(SCOPES).index)
    record = json.dumps({"sha256": digest(token), "created_at": int(time.time()), "scopes": scopes})
    with db.pipeline(transaction=True) as pipe:
        pipe.watch(BY_NAME)  # two staff creating the same name at once: one of them fails
        if pipe.hexists(BY_NAME, name):
            raise ValueError(f"there is already a token named {name}; revoke it first or choose "
                             "another name")
        pipe.multi()
        pipe.hset(BY_NAME, name, record)
        pipe.hset(BY_HASH, digest(token), name)
        pipe.hset(SCOPES_BY_HASH, digest(token), ",".join(scopes))
        pipe.execute()
    return token


def names(db):
    """Return [(name, created_at, scopes)] sorted by name."""
    found = []
    for name, raw in sorted(db.hgetall(BY_NAME).items()):
        try:
            record = json.loads(raw)
            found.append((name, int(record["created_at"]), record.get("scopes") or list(SCOPES)))
        except (ValueError, KeyError, TypeError, AttributeError):
            found.append((name, 0, list(SCOPES)))
    return found


def revoke(db, name):
    """Stop the token named `name` working; return False when there is none."""
    raw = db.hget(BY_NAME, name)
    if raw is None:
        return False
    pipe = db.pipeline(transaction=True)
    try:
        fingerprint = json.loads(raw)["sha256"]
        pipe.hdel(BY_HASH, fingerprint)
        pipe.hdel(SCOPES_BY_HASH, fingerprint)
    except (ValueError, KeyError, TypeError):
        pass  # unreadable record: dropping the name is all that can be done
    pipe.hdel(BY_NAME, name)
    pipe.execute()
    return True


def require_token():
    """Refuse the request unless it carries `Authorization: Bearer <a known token>`."""
    if request.endpoint in PUBLIC:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "send your API token as the header Authorization: Bearer <token>")
    fingerprint = digest(token)
    now = time.time()
    minute = int(now // 60)
    check = quick.Batch(store.redis()).script(
        _CHECK, [BY_HASH, f"api:requests:{fingerprint[:16]}:{minute}", SCOPES_BY_HASH], [fingerprint])
    [found] = check.execute()
    if not found:
        raise ApiError(401, "this API token is not known or was revoked; ask the programme for one")
    name, count, scopes = found
    limit = current_app.config["API_REQUESTS_PER_MINUTE"]
    if limit > 0 and count > limit:  # 0 (or less) turns the limit off
        wait = 60 - int(now % 60)
        raise ApiError(429, f"this token made more than {limit} requests this minute; "
                            f"try again in {wait} seconds", None, {"Retry-After": str(wait)})
    g.api_client = name
    _require_scope(name, scopes)


def _require_scope(name, scopes):
    """Refuse with 403 an operation outside the token's scopes ('*': made before scopes)."""
    needed = next((scope for scope, endpoints in SCOPES.items() if request.endpoint in endpoints), None)
    if scopes == "*" or needed is None or needed in scopes.split(","):
        return  # no scope: an address that does not exist, answered 404 as usual
    raise ApiError(403, f"the token {name} may not do this: it needs the scope {needed}, and has "
                        f"{scopes.replace(',', ', ')}; ask the programme for a token with it")
