"""Her PIN, kept only as a salted hash: made and checked here, without storage.

A 4-digit PIN has only 10,000 values, so no hash makes it safe from someone who holds the
database; what the hash and its salt prevent is reading the PIN off a screen, a log or a
backup at a glance, and one table cracking every mother's PIN at once. The real guard is
the lock after MAX_TRIES wrong tries (see the settings flow).
"""

import hashlib
import hmac
import secrets

MAX_TRIES = 3  # wrong tries in a row before the PIN questions are locked for a while
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # about 50 ms: a USSD step must answer within 1 s


def make(pin):
    """Return the stored form of `pin`: 'scrypt$<salt hex>$<hash hex>'."""
    salt = secrets.token_bytes(16)
    return f"scrypt${salt.hex()}${_hash(pin, salt).hex()}"


def matches(pin, stored):
    """Return True when `pin` is the PIN whose stored form is `stored`."""
    parts = str(stored or "").split("$")
    if pin is None or len(parts) != 3 or parts[0] != "scrypt":
        return False
    try:
        salt, expected = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except ValueError:
        return False
    return hmac.compare_digest(_hash(pin, salt), expected)


def _hash(pin, salt):
    return hashlib.scrypt(str(pin).encode(), salt=salt, **_SCRYPT, dklen=32)
