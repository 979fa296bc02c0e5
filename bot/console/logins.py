"""Console logins kept in Redis: the cookie holds only a random login id.

A login is `console:login:<id>`, a hash of who, since when and the form token,
that Redis itself deletes after CONSOLE_SESSION_HOURS. Because the server holds
it, logging out or removing the account ends it at once: a copy of the cookie
taken before is refused at its next request. `console:logins:<name>` lists an
account's login ids, so that `users remove` can end every one of them.
"""

import secrets
import time


def key(login_id):
    return f"console:login:{login_id}"


def by_user_key(name):
    return f"console:logins:{name}"


def start(db, account, hours):
    """Record a new login for `account`; return its id (for the cookie)."""
    login_id = secrets.token_urlsafe(32)
    seconds = max(int(hours * 3600), 1)
    record = {"user": account["name"], "stamp": account.get("stamp", ""),
              "since": str(int(time.time())), "csrf": secrets.token_urlsafe(32)}
    pipe = db.pipeline(transaction=True)
    pipe.hset(key(login_id), mapping=record)
    pipe.expire(key(login_id), seconds)
    pipe.sadd(by_user_key(account["name"]), login_id)
    pipe.expire(by_user_key(account["name"]), seconds)  # as long as its newest login
    pipe.execute()
    return login_id


def get(db, login_id, hours):
    """Return the login record, or None when it ended, expired or never was."""
    if not login_id or len(login_id) > 64:
        return None
    found = db.hgetall(key(login_id))
    if not found.get("user"):
        return None
    # Redis expires it; this also ends logins made before CONSOLE_SESSION_HOURS was shortened.
    if time.time() - int(found.get("since") or 0) > hours * 3600:
        end(db, login_id)
        return None
    return found


def end(db, login_id):
    """End one login (logout)."""
    found = db.hget(key(login_id), "user")
    pipe = db.pipeline(transaction=True)
    pipe.delete(key(login_id))
    if found:
        pipe.srem(by_user_key(found), login_id)
    pipe.execute()


def end_all(pipe, db, name):
    """Queue the end of every login of account `name` on `pipe` (its removal)."""
    ids = db.smembers(by_user_key(name))
    if ids:
        pipe.delete(*(key(login_id) for login_id in ids))
    pipe.delete(by_user_key(name))
