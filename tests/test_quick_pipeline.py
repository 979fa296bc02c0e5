"""The USSD path's one-round-trip pipelines answer exactly as redis-py's own would."""

import os

import pytest
from redis.exceptions import ConnectionError, ResponseError

from bot.store import quick
from tests.redis_server import RedisServer


def _queue(db, transaction):
    pipe = db.pipeline(transaction=transaction)
    pipe.hset("q:contact", mapping={"language": "sw", "clinic": "Kisumu"})
    pipe.hgetall("q:contact")
    pipe.set("q:session", "{}", ex=300)
    pipe.get("q:session")
    pipe.hgetall("q:missing")
    pipe.ttl("q:session")
    return pipe


@pytest.mark.parametrize("transaction", [False, True])
def test_same_replies_as_redis_py(db, transaction):
    db.delete("q:contact", "q:session")
    expected = _queue(db, transaction).execute()
    db.delete("q:contact", "q:session")
    assert quick.execute(_queue(db, transaction)) == expected
    assert expected[1] == {"language": "sw", "clinic": "Kisumu"} and expected[4] == {}


def test_an_error_reply_is_raised_and_the_next_call_still_works(db):
    db.set("q:text", "words")
    pipe = db.pipeline(transaction=False)
    pipe.hgetall("q:text")  # a string read as a hash: Redis answers WRONGTYPE
    pipe.get("q:text")
    with pytest.raises(ResponseError):
        quick.execute(pipe)
    pipe = db.pipeline(transaction=False)
    pipe.get("q:text")
    assert quick.execute(pipe) == ["words"]  # no stray reply was left on the connection


def test_an_error_inside_a_transaction_is_raised(db):
    db.set("q:text", "words")
    pipe = db.pipeline(transaction=True)
    pipe.set("q:other", "1")
    pipe.hset("q:text", "field", "x")
    with pytest.raises(ResponseError):
        quick.execute(pipe)
    assert db.get("q:other") == "1"  # as with redis-py: the rest of the transaction ran


def test_an_empty_pipeline_answers_nothing(db):
    assert quick.execute(db.pipeline(transaction=True)) == []


def test_a_restarted_redis_is_reached_again_on_the_next_call(tmp_path):
    import redis

    server = RedisServer(tmp_path).start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True, socket_timeout=0.5)
        pipe = client.pipeline(transaction=False)
        pipe.set("k", "before")
        quick.execute(pipe)
        server.stop()
        pipe = client.pipeline(transaction=False)
        pipe.get("k")
        with pytest.raises((ConnectionError, OSError)):
            quick.execute(pipe)
        server.start()
        pipe = client.pipeline(transaction=False)
        pipe.get("k")
        assert quick.execute(pipe) == ["before"]  # kept in the append-only file
    finally:
        server.stop()


def test_a_forked_process_opens_its_own_connection(db):
    pipe = db.pipeline(transaction=False)
    pipe.set("q:fork", "parent")
    quick.execute(pipe)
    parent_connection = quick._connection(db.pipeline())
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child answers through the pipe and leaves at once
        try:
            pipe = db.pipeline(transaction=False)
            pipe.get("q:fork")
            same = quick._connection(pipe) is parent_connection
            os.write(write, f"{quick.execute(pipe)[0]} {same}".encode())
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 100).decode()
    os.waitpid(child, 0)
    assert answer == "parent False"
    pipe = db.pipeline(transaction=False)
    pipe.get("q:fork")
    assert quick.execute(pipe) == ["parent"]  # the parent's connection was not disturbed
