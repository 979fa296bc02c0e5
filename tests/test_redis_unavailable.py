"""When Redis is down or hung, /ussd still answers END politely within a second."""

import time

import pytest

from bot import create_app

from .redis_server import RedisServer
from .ussd_caller import Caller


@pytest.fixture
def server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def own_client(server):
    return create_app({"TESTING": True, "REDIS_URL": server.url}).test_client()


def timed_post(client, caller_inputs="1"):
    started = time.monotonic()
    answer = client.post("/ussd", data={"sessionId": "s1", "phoneNumber": "+254712000001",
                                        "serviceCode": "*384*123#", "text": caller_inputs})
    return answer, time.monotonic() - started


def test_redis_stopped_mid_session_gets_a_polite_end_then_recovers(server, own_client):
    caller = Caller(own_client)
    assert "Choose language" in caller.dial()
    server.stop()
    answer, took = timed_post(own_client)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and body.startswith("END Sorry, the service is busy.")
    assert "Samahani" in body and len(body) - 4 <= 182
    assert took < 1.0
    server.start()  # same port and data folder: the session kept in the append-only file is back
    assert "Would you like free SMS" in caller.send("1")


def test_a_hung_redis_is_given_up_on_within_a_second(server, own_client):
    Caller(own_client).dial()
    server.freeze()
    try:
        answer, took = timed_post(own_client)
    finally:
        server.thaw()
    assert answer.get_data(as_text=True).startswith("END Sorry, the service is busy.")
    assert took < 1.0


def test_events_ask_at_to_retry_when_redis_is_down(server, own_client):
    server.stop()
    answer = own_client.post("/ussd/events", data={"status": "Success"})
    assert answer.status_code == 503
