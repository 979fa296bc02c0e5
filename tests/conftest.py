"""Shared fixtures: a real Redis server, the app, its test client and CLI runner.

Tests use the Redis at REDIS_URL when it is set (it is flushed: point it at a
throwaway server), otherwise an embedded server started for this run.
"""

import os

import pytest

from bot import create_app
from bot.store import embedded


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    folder = tmp_path_factory.mktemp("redis")
    url = embedded.ensure_server(folder)
    yield url
    embedded.stop_server(folder)


@pytest.fixture
def app(redis_url, tmp_path):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "WEBHOOK_TOKEN": ""})
    app.instance_path = str(tmp_path / "instance")
    from bot import store

    store.redis(app).flushdb()
    yield app
    store.redis(app).close()


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
