"""A short-lived reference to one mother's page, so her number never appears in an address.

Addresses end up in browser history and server logs; a reference made for a
search result or a follow-up stands for her number for a few hours and is
then gone.
"""

import secrets

KEEP_SECONDS = 4 * 3600  # a working morning or afternoon


def key(ref):
    return f"console:ref:{ref}"


def make(db, phone):
    ref = secrets.token_urlsafe(12)
    db.set(key(ref), phone, ex=KEEP_SECONDS)
    return ref


def phone(db, ref):
    """The number a reference stands for, or None when it is unknown or has ended."""
    if not ref or len(ref) > 40:
        return None
    return db.get(key(ref))
