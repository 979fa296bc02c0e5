"""The content the running app serves: the published version in Redis, the same on every node.

`content:current` in Redis names the version every web node and worker serves
(bot/content_versions). Every CONTENT_RELOAD_SECONDS a request looks at it (one
cheap GET) and, when it changed, loads that version and swaps it in; a version
is only ever published after the whole checker passed, so a broken edit never
reaches a caller. The checkout's flows/ and locales/ are what a deployment
starts from: with no version in Redis they are published as version 1. In
development, an edit to those files is published by itself, so editing flows
with `serve` running works as before.

A USSD session keeps the version it started on (`at`), so no caller is served
a mix of two versions; the last few versions stay loaded for that.
"""

import logging
import shutil
import threading
import time
from collections import OrderedDict
from pathlib import Path

import click
from flask import current_app

from . import store
from .content import load_content
from .content.loader import read_content
from .content_versions import files, loaded, versions
from .errors import InvalidContent

log = logging.getLogger(__name__)
KEEP = 4  # versions kept loaded per process for sessions that started on them
NEVER = float("-inf")
AWAY_SECONDS = 30  # after Redis did not answer, the wait before looking again


def init_app(app):
    """Load the checkout's flows and texts; a broken flow stops the app with the list of problems."""
    # "served" is (number, content) set in one step, so a request never reads a number
    # with another version's content while a new version is swapped in.
    state = {"content": None, "number": None, "digest": None, "served": (None, None),
             "checked": NEVER, "lock": threading.RLock(), "kept": OrderedDict()}
    app.extensions["content_state"] = state
    try:
        state["content"], state["digest"] = _load_checkout(app)
        state["served"] = (None, state["content"])
    except InvalidContent:
        if click.get_current_context(silent=True) is None:
            raise  # a web server or worker must not start on broken content
        # A staff command (such as `flows check`) must still run to show the problems.
        log.error("The flows have problems; run: flask --app wsgi flows check")


def current(app=None):
    """Return the content to serve now, switching first to a newly published version."""
    app = app or current_app._get_current_object()
    state = app.extensions["content_state"]
    every = app.config["CONTENT_RELOAD_SECONDS"]
    if _due(state, every):
        with state["lock"]:
            if _due(state, every):
                state["checked"] = time.monotonic()
                _sync(app, state)
    if state["content"] is None:
        raise InvalidContent([])
    return state["content"]


def serving(app=None):
    """Return (number, content) of the version to serve now; number None before the first."""
    app = app or current_app._get_current_object()
    current(app)
    number, content = app.extensions["content_state"]["served"]
    if content is None:
        raise InvalidContent([])
    return number, content


def at(app, wanted):
    """Return the content of version `wanted`, or None when it can no longer be had."""
    state = app.extensions["content_state"]
    with state["lock"]:
        if wanted == state["number"]:
            return state["content"]
        if wanted in state["kept"]:
            return state["kept"][wanted]
        try:
            fingerprint = (versions.info(store.redis(app), wanted) or {}).get("digest")
            content = _version_content(app, wanted, fingerprint) if fingerprint else None
        except (InvalidContent, *store.Errors):
            return None
        if content is not None:
            _keep(state, wanted, content)
        return content


def version(app=None):
    """A short fingerprint of the flows and texts served: the same files give the same one on
    every node (their words, not their file times), so operators see which content runs where."""
    app = app or current_app._get_current_object()
    state = app.extensions["content_state"]
    return state["digest"][:12] if state["content"] is not None and state["digest"] else "none"


def number(app=None):
    """The number of the version served now, None before the first look at Redis."""
    app = app or current_app._get_current_object()
    return app.extensions["content_state"]["number"]


def reload(app):
    """Load the version served again now (after a settings change); return the problems."""
    state = app.extensions["content_state"]
    with state["lock"]:
        state["kept"].clear()
        state["number"] = None
        try:
            state["content"], state["digest"] = _load_checkout(app)
            state["served"] = (None, state["content"])
            _sync(app, state, strict=True)
        except InvalidContent as err:
            return err.problems
        state["checked"] = time.monotonic()
    return []


def look_again(app):
    """Make the next request look at Redis at once (after publishing, or a cleared database)."""
    app.extensions["content_state"]["checked"] = NEVER


def _due(state, every):
    return state["checked"] == NEVER or (every > 0 and time.monotonic() - state["checked"] >= every)


def _sync(app, state, strict=False):
    """Publish the checkout if it must be, then switch to the version Redis names."""
    db = store.redis(app)
    try:
        _publish_checkout_if_needed(app, db, state)
        state["checked"] = time.monotonic()  # publishing asked for a look, which is this one
        found, fingerprint = versions.current(db)
        if found is None or (found, fingerprint) == (state["number"], state["digest"]):
            return
        content = _version_content(app, found, fingerprint)
        if state["number"] is not None:
            _keep(state, state["number"], state["content"])
            log.info("Now serving content version %s", found)
        state.update(content=content, number=found, digest=fingerprint, served=(found, content))
        _keep(state, found, content)
    except store.Errors as err:
        # Each look costs a request the Redis timeout while it is away: look less often.
        state["checked"] = time.monotonic() + AWAY_SECONDS
        log.warning("Content: Redis unavailable (%s); serving the content loaded before",
                    type(err).__name__)
    except (InvalidContent, versions.Refused) as err:
        if strict:
            raise InvalidContent(err.problems) from err
        log.error("Content version not loaded (%d problems); still serving the previous one. "
                  "Run: flask --app wsgi content history", len(err.problems))


def _publish_checkout_if_needed(app, db, state):
    """Version 1 from the checkout on a first start; in development, edited files as a new version."""
    development = app.config["BOT_ENV"] == "development"
    if not development:
        if db.exists(versions.CURRENT):
            return
        publish_files(app, loaded.checkout_files(app), "system", "The deployment's files", first=True)
        return
    found = loaded.checkout_files(app)
    fingerprint = loaded.checkout_digest(app)
    if db.get(versions.CHECKOUT) == fingerprint:
        return  # these files were published already; console edits since then stay
    first = not db.exists(versions.CURRENT)
    try:
        publish_files(app, found, "system" if first else "files",
                      "The deployment's files" if first else "Edited files in flows/ or locales/")
    except versions.Refused as err:
        log.error("Edited flows not published (%d problems); still serving the previous ones. "
                  "Run: flask --app wsgi flows check", len(err.problems))
    db.set(versions.CHECKOUT, fingerprint)


def publish_files(app, new_files, who, note, first=False, based_on=None):
    """Check and publish `new_files` as the next version; return its info (raises Refused)."""
    db = store.redis(app)
    published = versions.publish(db, new_files, who, note, lambda f: check_files(app, f),
                                 first=first, based_on=based_on)
    look_again(app)
    return published


def check_files(app, new_files):
    """Run the whole checker on `new_files`; raise versions.Refused listing the errors."""
    fingerprint = files.digest(new_files)
    if loaded.cached(app, fingerprint) is not None:
        return  # checked already in this process
    folder = _folder(app, fingerprint)
    files.write_folder(new_files, folder)
    content, problems = read_content(folder / "flows", folder / "locales", **loaded.settings_of(app))
    errors = [p for p in problems if not p.warning]
    if errors:
        shutil.rmtree(folder, ignore_errors=True)
        raise versions.Refused(errors)
    loaded.remember(app, fingerprint, content)


def folder_of(app, fingerprint=None):
    """The folder holding the served version's flows/ and locales/ (written when needed)."""
    state = app.extensions["content_state"]
    fingerprint = fingerprint or state["digest"]
    folder = _folder(app, fingerprint)
    if not (folder / ".complete").is_file():
        found = versions.files(store.redis(app), state["number"]) if state["number"] else None
        files.write_folder(found if found is not None else loaded.checkout_files(app), folder)
    return folder


def _load_checkout(app):
    """Return (content, fingerprint) of the checkout's files; raise InvalidContent."""
    fingerprint = loaded.checkout_digest(app)
    content = loaded.cached(app, fingerprint)
    if content is None:
        content = load_content(app.config["FLOWS_DIR"], app.config["LOCALES_DIR"], **loaded.settings_of(app))
        loaded.remember(app, fingerprint, content)
    return content, fingerprint


def _version_content(app, wanted, fingerprint):
    """Load version `wanted` from Redis (or from this process' cache); raise InvalidContent."""
    content = loaded.cached(app, fingerprint)
    if content is not None:
        return content
    found = versions.files(store.redis(app), wanted)
    if found is None:
        raise InvalidContent([])
    folder = files.write_folder(found, _folder(app, fingerprint))
    content = load_content(folder / "flows", folder / "locales", **loaded.settings_of(app))
    loaded.remember(app, fingerprint, content)
    return content


def _keep(state, wanted, content):
    state["kept"][wanted] = content
    state["kept"].move_to_end(wanted)
    while len(state["kept"]) > KEEP:
        state["kept"].popitem(last=False)


def _folder(app, fingerprint):
    return Path(app.instance_path) / "content" / fingerprint[:16]


# Where the checkout's files are read, for the console and the staff commands.
checkout_files = loaded.checkout_files
checkout_digest = loaded.checkout_digest
settings_of = loaded.settings_of
