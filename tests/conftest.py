"""Shared fixtures: a real Redis server, the app, its test client and CLI runner.

Tests use the Redis at REDIS_URL when it is set (it is flushed: point it at a
throwaway server), otherwise an embedded server started for this run. The suite runs in three
processes (pytest-xdist, `addopts` in pyproject.toml): each has its own embedded server, or its
own database number on the REDIS_URL server.
"""

import logging
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot import create_app, jobs
from bot.store import embedded, quick

from .fake_at import API_KEY, USERNAME, FakeAT


def _own_database(url, worker):
    """REDIS_URL with database number (its own, or 0) + the xdist worker's number: gw2 -> /2."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + int(worker.removeprefix('gw'))}"))


if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    # Before any test reads it, so processes the tests start inherit this process's database.
    os.environ["REDIS_URL"] = _own_database(os.environ["REDIS_URL"],
                                            os.environ["PYTEST_XDIST_WORKER"])


def pytest_collection_modifyitems(items):
    """Long scenarios (`@pytest.mark.long`) first, so the other processes share out the rest
    while they run instead of the suite waiting on them at its end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    folder = tmp_path_factory.mktemp("redis")
    url = embedded.ensure_server(folder)
    yield url
    embedded.stop_server(folder)


# The suite's own Redis serves three test processes at once, on a machine they keep busy: a
# stall of a few hundred milliseconds is no fault of the code under test. Tests of a slow or
# hung Redis make their own app with the production default (0.3 s).
SHARED_REDIS_APP = {"TESTING": True, "WEBHOOK_TOKEN": "", "REDIS_TIMEOUT": 2.0}


@pytest.fixture
def app(redis_url, tmp_path):
    app = create_app(SHARED_REDIS_APP | {"REDIS_URL": redis_url})
    app.instance_path = str(tmp_path / "instance")
    from bot import store

    store.redis(app).flushdb()
    yield app
    quick.close(store.redis(app))
    store.redis(app).close()


@pytest.fixture(scope="module")
def module_app(redis_url, tmp_path_factory):
    """One app for a whole test module: building one loads and checks every flow (a third of a
    second), too slow to repeat for each of a module's many quick tests."""
    app = create_app(SHARED_REDIS_APP | {"REDIS_URL": redis_url})
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    yield app
    from bot import store

    quick.close(store.redis(app))
    store.redis(app).close()


@pytest.fixture
def clean_module_app(module_app):
    """The module's app with an empty database, its settings put back after the test."""
    from bot import content_service, store

    settings = dict(module_app.config)
    store.redis(module_app).flushdb()
    content_service.look_again(module_app)  # serve the checkout again, not a version of the last test
    yield module_app
    module_app.config.clear()
    module_app.config.update(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    from bot import store

    return store.redis(app)


@pytest.fixture
def at():
    """A local fake of Africa's Talking's SMS API."""
    server = FakeAT().start()
    yield server
    server.stop()


@pytest.fixture
def sms_app(app, at):
    """The app sending SMS through the fake AT, with retries that do not wait."""
    app.config.update(AT_USERNAME=USERNAME, AT_API_KEY=API_KEY, AT_API_URL=at.url,
                      SMS_RETRY_SECONDS=[0, 0, 0])
    jobs.use_app(app)
    yield app
    jobs.use_app(None)


_PHONE = re.compile(r"(?<![\w*])(?:\+?254|0)[17]\d{8}(?!\w)")  # not inside an id (hex)
_TEXTS = None


def _known_texts():
    """Every text of some length the bot can show or send: none may reach a log."""
    global _TEXTS
    if _TEXTS is None:
        from bot.content.texts import Texts

        texts, _ = Texts.load(Path(__file__).resolve().parent.parent / "locales")
        _TEXTS = {t for strings in texts.strings.values() for t in strings.values() if len(t) > 24}
    return _TEXTS


@pytest.fixture(autouse=True)
def logs_hold_no_numbers_or_texts(caplog):
    """Every test, whatever it does: its log lines hold no full phone number and no message text."""
    caplog.set_level(logging.INFO)
    yield
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        line = record.getMessage() + (record.exc_text or "")
        assert not _PHONE.search(line), f"a phone number was logged: {line}"
        leaked = [t for t in _known_texts() if t in line]
        assert not leaked, f"a message text was logged: {line}"
