"""Flows and texts loaded in this process, and the checkout's files, read again only after an edit.

Apps made in one process (the web workers' preload, staff commands, the test
suite's many apps) share what was loaded, by the files' fingerprint and the
settings that fill texts, instead of reading and checking every file again.
"""

from collections import OrderedDict
from pathlib import Path

from . import files

LOADED_AT_MOST = 8
_loaded = OrderedDict()  # (fingerprint, settings) -> Content
_checkouts = {}  # (flows dir, locales dir) -> (signature, files, fingerprint)


def settings_of(app):
    """The settings that shape loaded content (the programme's name and USSD code fill texts)."""
    config = app.config
    return {"default_language": config["DEFAULT_LANGUAGE"],
            "programme_name": config["PROGRAMME_NAME_IN_SMS"], "ussd_code": config["USSD_CODE"]}


def cached(app, fingerprint):
    """The content of these files with this app's settings, if this process loaded it."""
    return _loaded.get((fingerprint, tuple(settings_of(app).values())))


def remember(app, fingerprint, content):
    """Keep checked content for other apps of this process; the oldest go first."""
    _loaded[(fingerprint, tuple(settings_of(app).values()))] = content
    while len(_loaded) > LOADED_AT_MOST:
        _loaded.popitem(last=False)


def forget(fingerprint):
    """Drop what was loaded from these files (as if this process had never seen them)."""
    for key in [key for key in _loaded if key[0] == fingerprint]:
        del _loaded[key]


def checkout_files(app):
    """The checkout's flows/ and locales/ as a version's files (read again only after an edit)."""
    return _checkout(app)[1]


def checkout_digest(app):
    """The fingerprint of the checkout's files."""
    return _checkout(app)[2]


def _checkout(app):
    where = (str(app.config["FLOWS_DIR"]), str(app.config["LOCALES_DIR"]))
    signature = _signature(*where)
    found = _checkouts.get(where)
    if found is None or found[0] != signature:
        read = files.read_checkout(*where)
        found = (signature, read, files.digest(read))
        _checkouts[where] = found
    return found


def _signature(*folders):
    """Name, time and size of every checkout file: changes when any file is edited."""
    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in files.SUFFIXES:
                info = path.stat()
                found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)
