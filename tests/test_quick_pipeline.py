"""The one-round-trip batches of the USSD step and the dispatch answer exactly as redis-py would."""

import os

import pytest
from redis.exceptions import ConnectionError, ResponseError

from bot.store import quick
from tests.redis_server import RedisServer

SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])"


def _queue(pipe):
    """Every command a Batch takes, as the store's helpers call them."""
    pipe.hset("q:contact", mapping={"language": "sw", "clinic": "Kisumu"})
    pipe.hset("q:contact", "stage", "baby")
    pipe.hgetall("q:contact")
    pipe.hget("q:contact", "language")
    pipe.hexists("q:contact", "stage")
    pipe.hexists("q:contact", "nothing")
    pipe.hdel("q:contact", "clinic")
    pipe.hincrby("q:daily", "sent", 3)
    pipe.set("q:session", "{}", ex=300)
    pipe.get("q:session")
    pipe.expire("q:session", 600)
    pipe.hget("q:contact", "stage")
    pipe.hgetall("q:missing")
    pipe.zadd("q:next", {"+254700000001": 1795000000.25, "+254700000002": 1795000100})
    pipe.zrem("q:next", "+254700000002")
    pipe.sadd("q:set", "a", "b")
    pipe.echo("0")
    pipe.delete("q:set", "q:none")
    return pipe


def _clean(db):
    db.delete("q:contact", "q:daily", "q:session", "q:next", "q:set")


@pytest.mark.parametrize("transaction", [False, True])
def test_same_replies_as_redis_py(db, transaction):
    _clean(db)
    expected = _queue(db.pipeline(transaction=transaction)).execute()
    state = {"contact": db.hgetall("q:contact"), "next": db.zrange("q:next", 0, -1, withscores=True),
             "daily": db.hgetall("q:daily")}
    _clean(db)
    assert _queue(quick.Batch(db, transaction=transaction)).execute() == expected
    assert {"contact": db.hgetall("q:contact"), "next": db.zrange("q:next", 0, -1, withscores=True),
            "daily": db.hgetall("q:daily")} == state
    assert expected[2] == {"language": "sw", "clinic": "Kisumu", "stage": "baby"}
    assert expected[4:6] == [True, False] and expected[12] == {}
    assert state["next"] == [("+254700000001", 1795000000.25)]


def test_a_script_runs_and_is_found_again_after_redis_forgot_it(db):
    pipe = quick.Batch(db)
    pipe.script(SCRIPT, ["q:script"], ["one"])
    assert pipe.execute() == ["one"]
    db.script_flush()  # what a restarted Redis looks like to a script
    pipe.script(SCRIPT, ["q:script"], ["two"])
    pipe.get("q:script")
    assert pipe.execute() == ["two", "two"]


def test_an_error_reply_is_raised_and_the_next_call_still_works(db):
    db.set("q:text", "words")
    pipe = quick.Batch(db)
    pipe.hgetall("q:text")  # a string read as a hash: Redis answers WRONGTYPE
    pipe.get("q:text")
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        pipe.execute()
    assert len(pipe) == 0  # nothing stays queued after a failure
    pipe.get("q:text")
    assert pipe.execute() == ["words"]  # no stray reply was left on the connection


def test_an_error_inside_a_transaction_is_raised(db):
    db.set("q:text", "words")
    pipe = quick.Batch(db, transaction=True)
    pipe.set("q:other", "1")
    pipe.hset("q:text", "field", "x")
    with pytest.raises(ResponseError):
        pipe.execute()
    assert db.get("q:other") == "1"  # as with redis-py: the rest of the transaction ran


def test_a_batch_read_in_many_socket_reads_is_whole(db):
    big = "x" * 200
    pipe = quick.Batch(db)
    for n in range(3000):
        pipe.set(f"q:big:{n}", big, ex=60)
    pipe.execute()
    for n in range(3000):
        pipe.get(f"q:big:{n}")
    assert pipe.execute() == [big] * 3000  # 600 kB of replies: many reads of 32 kB
    db.delete(*[f"q:big:{n}" for n in range(3000)])


def test_an_empty_batch_answers_nothing(db):
    assert quick.Batch(db, transaction=True).execute() == []


def test_a_restarted_redis_is_reached_again_on_the_next_call(tmp_path):
    import redis

    server = RedisServer(tmp_path).start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True, socket_timeout=0.5)
        quick.Batch(client).set("k", "before").execute()
        server.stop()
        with pytest.raises((ConnectionError, OSError)):
            quick.Batch(client).get("k").execute()
        server.start()
        assert quick.Batch(client).get("k").execute() == ["before"]  # kept in the append-only file
    finally:
        server.stop()


def test_a_forked_process_opens_its_own_connection(db):
    quick.Batch(db).set("q:fork", "parent").execute()
    parent_connection = quick._connection(db.connection_pool)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child answers through the pipe and leaves at once
        try:
            same = quick._connection(db.connection_pool) is parent_connection
            os.write(write, f"{quick.Batch(db).get('q:fork').execute()[0]} {same}".encode())
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 100).decode()
    os.waitpid(child, 0)
    assert answer == "parent False"
    assert quick.Batch(db).get("q:fork").execute() == ["parent"]  # the parent's was not disturbed


def test_batches_at_once_never_share_a_connection_and_give_it_back(db):
    """Threads and the web's greenlets alike: one connection per batch in flight, reused after."""
    quick.close(db)
    in_flight = [quick._connection(db.connection_pool) for _ in range(2)]
    assert in_flight[0] is not in_flight[1]
    for number in range(10):
        quick.Batch(db).set(f"q:reuse:{number}", "x").execute()
    assert len(quick._spare(db.connection_pool)) == 1
