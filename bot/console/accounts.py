"""Console accounts: one Redis hash per person, `console:user:<name>`, password hashed with scrypt.

A wrong password and an unknown name look the same from outside: both take
one scrypt check, both count against the name, and after FAILS_ALLOWED wrong
tries a name is refused for FAIL_WINDOW whether or not it exists, so nobody
can guess passwords by the thousand or learn who has an account.
"""

import re
import secrets
import time
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from . import logins

# staff: read and follow-ups; supervisor: also Mentor Mothers and who calls whom back;
# editor: also flows, texts, full numbers. Each role may do all that the ones before it may.
ROLES = ("staff", "supervisor", "editor")
NAMES = "console:users"  # set of every account name, for `users list`
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10
FAILS_ALLOWED = 10
FAIL_WINDOW = 15 * 60  # seconds


class AccountError(ValueError):
    """A name, role or password the console cannot accept; the message says why."""


def key(name):
    return f"console:user:{name}"


def _fails_key(name):
    return f"console:login_fails:{name}"


def clean_name(raw):
    return str(raw or "").strip().lower()[:40]


def create(db, name, password, role):
    """Add an account; raise AccountError when the name, role or password will not do."""
    name = clean_name(name)
    if not NAME.match(name):
        raise AccountError("A name is 2 to 40 lower-case letters, digits, '.', '_' or '-'.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must be at least {MIN_PASSWORD} characters.")
    record = {"name": name, "role": role, "created_at": str(int(time.time())),
              "password": generate_password_hash(password, method="scrypt"),
              # changes when the account is made again, so logins of the old one end
              "stamp": secrets.token_hex(8)}
    if db.exists(key(name)):
        raise AccountError(f"There is already an account '{name}'; remove it first.")
    pipe = db.pipeline(transaction=True)
    pipe.hset(key(name), mapping=record)
    pipe.sadd(NAMES, name)
    pipe.execute()
    return name


def get(db, name):
    """Return the account as a dict, or None."""
    found = db.hgetall(key(clean_name(name)))
    return found if found.get("password") else None


def remove(db, name):
    """Delete an account and every login of it; return whether it existed."""
    name = clean_name(name)
    pipe = db.pipeline(transaction=True)
    pipe.delete(key(name))
    pipe.srem(NAMES, name)
    logins.end_all(pipe, db, name)
    return bool(pipe.execute()[0])


def everyone(db):
    """Return every account, sorted by name, without the password hashes."""
    names = sorted(db.smembers(NAMES))
    pipe = db.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(key(name))
    return [{k: v for k, v in found.items() if k != "password"} for found in pipe.execute() if found]


def log_in(db, name, password):
    """Return (account, None) when the password is right, else (None, 'wrong' or 'locked')."""
    name = clean_name(name)
    fails = int(db.get(_fails_key(name)) or 0)
    if fails >= FAILS_ALLOWED:
        return None, "locked"
    account = get(db, name) if NAME.match(name) else None
    stored = account["password"] if account else _decoy_hash()
    if check_password_hash(stored, password) and account:
        db.delete(_fails_key(name))
        return account, None
    pipe = db.pipeline(transaction=True)
    pipe.incr(_fails_key(name))
    pipe.expire(_fails_key(name), FAIL_WINDOW)  # counted from the last wrong try
    pipe.execute()
    return None, "wrong"


@cache
def _decoy_hash():
    """A hash to check unknown names against, so they take as long as known ones."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")
