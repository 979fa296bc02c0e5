"""The content the running app serves: loaded and checked at start, reloaded on edit.

Staff edit flows while mothers are mid-session. Every few seconds (at most) a
request looks at the files' times and sizes; when they changed, the content is
loaded and checked again and swapped in only if it has no problems, so a
half-saved or broken edit never reaches a caller. A caller standing on a state
that the edit removed is taken to the main menu with a short notice.
"""

import hashlib
import logging
import threading
import time
from pathlib import Path

import click
from flask import current_app

from .content import load_content
from .errors import InvalidContent

log = logging.getLogger(__name__)


def init_app(app):
    """Load flows and texts; a broken flow stops the app with the list of problems."""
    state = {"content": None, "signature": _signature(app), "checked": time.monotonic(),
             "lock": threading.Lock()}
    app.extensions["content_state"] = state
    try:
        state["content"] = _load(app)
    except InvalidContent:
        if click.get_current_context(silent=True) is None:
            raise  # a web server or worker must not start on broken content
        # A staff command (such as `flows check`) must still run to show the problems.
        log.error("The flows have problems; run: flask --app wsgi flows check")


def current(app=None):
    """Return the content to serve now, reloading it first if the files changed."""
    app = app or current_app._get_current_object()
    state = app.extensions["content_state"]
    every = app.config["CONTENT_RELOAD_SECONDS"]
    if every > 0 and time.monotonic() - state["checked"] >= every:
        with state["lock"]:
            if time.monotonic() - state["checked"] >= every:
                state["checked"] = time.monotonic()
                _reload_if_changed(app, state)
    if state["content"] is None:
        raise InvalidContent([])
    return state["content"]


def version(app=None):
    """A short fingerprint of the flows and texts served: the same files give the same one on
    every node (their words, not their file times), so operators see which content runs where."""
    app = app or current_app._get_current_object()
    content = app.extensions["content_state"]["content"]
    return _versions.get(id(content), "none") if content is not None else "none"


def reload(app):
    """Load the files again now; return the problems (empty when the new content is in use)."""
    state = app.extensions["content_state"]
    with state["lock"]:
        state["signature"] = _signature(app)
        try:
            state["content"] = _load(app)
        except InvalidContent as err:
            return err.problems
    return []


def _reload_if_changed(app, state):
    signature = _signature(app)
    if signature == state["signature"]:
        return
    state["signature"] = signature
    try:
        state["content"] = _load(app)
        log.info("Flows and texts reloaded after an edit")
    except InvalidContent as err:
        log.error("Edited flows not loaded (%d problems); still serving the previous ones. "
                  "Run: flask --app wsgi flows check", len(err.problems))


# The content last loaded in this process, by where it was read from and with which settings.
# Apps made in one process (the web workers' preload, staff commands, the test suite's many
# apps) share it while no file changed, instead of reading and checking every file again.
_loaded = {}
_versions = {}  # id(content) -> its fingerprint


def _load(app):
    config = app.config
    where = (str(config["FLOWS_DIR"]), str(config["LOCALES_DIR"]), config["DEFAULT_LANGUAGE"],
             config["PROGRAMME_NAME_IN_SMS"], config["USSD_CODE"])
    signature = _signature(app)
    found = _loaded.get(where)
    if found is not None and found[0] == signature:
        return found[1]
    content = load_content(config["FLOWS_DIR"], config["LOCALES_DIR"],
                           default_language=config["DEFAULT_LANGUAGE"],
                           programme_name=config["PROGRAMME_NAME_IN_SMS"],
                           ussd_code=config["USSD_CODE"])
    _loaded[where] = (signature, content)  # only content without problems is kept
    _versions[id(content)] = _fingerprint(signature)
    return content


def _fingerprint(signature):
    digest = hashlib.sha256()
    for path, _, _ in signature:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _signature(app):
    """Name, time and size of every content file: changes when any file is edited."""
    found = []
    for folder in (app.config["FLOWS_DIR"], app.config["LOCALES_DIR"]):
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in (".yaml", ".yml", ".json"):
                info = path.stat()
                found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)
