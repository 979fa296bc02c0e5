"""Redis behind Sentinel: the bot finds the master, and after a failover the new one."""

import time

import pytest

from bot import config, create_app
from bot.errors import InvalidSetting
from bot.store import contacts

from .redis_sentinel import SentinelSetup

PHONE = "+254712000001"


def ussd(client, session, answer=""):
    return client.post("/ussd", data={"sessionId": session, "phoneNumber": PHONE, "text": answer,
                                      "serviceCode": "*384*123#"}).get_data(as_text=True)


def test_after_the_master_dies_callers_are_served_by_the_new_one(tmp_path):
    setup = SentinelSetup(tmp_path).start()
    try:
        app = create_app({"TESTING": True, "REDIS_URL": "", "REDIS_SENTINELS": setup.sentinels,
                          "WEBHOOK_TOKEN": "", "REDIS_TIMEOUT": 1.0})
        app.instance_path = str(tmp_path / "instance")
        client = app.test_client()
        assert "English" in ussd(client, "s1")
        ussd(client, "s1", "2")  # Kiswahili: written to the master
        from bot import store
        with app.app_context():
            assert store.redis().hget(contacts.key(PHONE), "language") == "sw"
        setup.kill_master()
        deadline, screen = time.monotonic() + 15, ""
        while time.monotonic() < deadline:
            screen = ussd(client, f"s2-{time.monotonic()}")
            if screen.startswith("CON"):
                break
            time.sleep(0.2)  # the first try may meet the dead master's connection
        assert screen.startswith("CON ") and "English" not in screen, screen  # she is known
        with app.app_context():
            assert store.redis().connection_pool.get_master_address()[1] == setup.ports["replica"]
    finally:
        setup.stop()


def test_sentinels_written_wrong_are_refused():
    with pytest.raises(InvalidSetting, match="REDIS_SENTINELS"):
        create_app({"TESTING": True, **config.from_environment({"REDIS_SENTINELS": "10.0.0.1:abc"})})


def test_production_takes_sentinels_instead_of_a_redis_url():
    app = create_app({"BOT_ENV": "production", "WEBHOOK_TOKEN": "t", "SECRET_KEY": "k" * 64,
                      "REDIS_URL": "", "REDIS_SENTINELS": "127.0.0.1:26379"})
    assert app.config["REDIS_SENTINELS"] == "127.0.0.1:26379"


def test_a_write_to_a_demoted_master_fails_as_unreachable_and_reconnects(tmp_path):
    """A master turned replica answers READONLY: that must drop the connection (so the next
    request asks the Sentinels again), not fail every request on the old server."""
    import redis

    from bot import store
    from bot.store import quick

    setup = SentinelSetup(tmp_path).start()
    try:
        replica = redis.Redis(port=setup.ports["replica"], decode_responses=True)
        batch = quick.Batch(replica)
        batch.set("probe", "1")
        with pytest.raises(store.Errors):
            batch.execute()
        assert quick._connection(replica.connection_pool)._sock is None  # dropped
        batch.get("probe")
        assert batch.execute() == [None]  # reads still work, on a fresh connection
    finally:
        setup.stop()
