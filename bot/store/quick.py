"""Redis commands written as Redis spells them, sent in one round trip.

A USSD screen is two round trips to Redis (load, save) and a national reminder
dispatch is millions of commands. Through redis-py's pipeline every command
first walks the client's bookkeeping (about 4 us of CPU each on the standard
machine) and every reply its reader (about as much again), which was most of
a USSD step's budget and a third of the dispatch's (BENCHMARKS.md). A `Batch`
keeps the commands as plain tuples, has hiredis pack them in C, sends them on
a connection built from the client's settings (address, database, password,
timeouts, decoding) and reads the replies straight from that connection's
hiredis reader. A batch borrows its connection for the round trip and gives it
back: the web processes run each request in a greenlet of its own (gevent), and
a connection kept per thread was, there, a new connection for every request.

It takes only the commands the store's helpers use, under redis-py's names and
arguments, so a helper can be handed a `Batch` or a redis-py pipeline alike.
"""

import hashlib
import os

import hiredis
from redis.exceptions import ConnectionError, ResponseError, TimeoutError
from redis.sentinel import SentinelManagedConnection

try:  # what the reader of redis-py's hiredis parser answers while a reply is incomplete
    from redis._parsers.hiredis import NOT_ENOUGH_DATA
except ImportError:  # older redis-py: hiredis's own default
    NOT_ENOUGH_DATA = False


class Batch:
    """Commands queued here run in order, in one round trip, when `execute()` is called.

    `transaction=True` wraps them in MULTI/EXEC, as a redis-py pipeline does.
    Replies come back as redis-py gives them (a hash as a dict, EXPIRE and
    HEXISTS as booleans, SET as True); an error reply is raised once every reply
    has been read, so the connection stays usable.
    """

    def __init__(self, db, transaction=False):
        self._pool, self.transaction = db.connection_pool, transaction
        self._commands, self._shapes, self._scripts = [], [], {}

    def __len__(self):
        return len(self._commands)

    def _add(self, shape, *args):
        self._commands.append(args)
        self._shapes.append(shape)
        return self

    def get(self, name):
        return self._add(None, "GET", name)

    def set(self, name, value, ex=None, nx=False):
        return self._add(_is_ok, "SET", name, value, *(("EX", int(ex)) if ex else ()),
                         *(("NX",) if nx else ()))

    def delete(self, *names):
        return self._add(None, "DEL", *names)

    def expire(self, name, seconds):
        return self._add(bool, "EXPIRE", name, int(seconds))

    def persist(self, name):
        return self._add(bool, "PERSIST", name)

    def hgetall(self, name):
        return self._add(_as_dict, "HGETALL", name)

    def hget(self, name, key):
        return self._add(None, "HGET", name, key)

    def hmget(self, name, *keys):
        return self._add(None, "HMGET", name, *keys)

    def hexists(self, name, key):
        return self._add(bool, "HEXISTS", name, key)

    def hset(self, name, key=None, value=None, mapping=None):
        pairs = [] if key is None else [key, value]
        for field, field_value in (mapping or {}).items():
            pairs += [field, field_value]
        return self._add(None, "HSET", name, *pairs)

    def hdel(self, name, *keys):
        return self._add(None, "HDEL", name, *keys)

    def hincrby(self, name, key, amount=1):
        return self._add(None, "HINCRBY", name, key, amount)

    def zadd(self, name, mapping):
        return self._add(None, "ZADD", name, *[part for member, score in mapping.items()
                                              for part in (score, member)])

    def zrangebyscore(self, name, min, max, start=None, num=None):  # noqa: A002 (redis-py's names)
        limit = ("LIMIT", start, num) if start is not None and num is not None else ()
        return self._add(None, "ZRANGEBYSCORE", name, min, max, *limit)

    def zcard(self, name):
        return self._add(None, "ZCARD", name)

    def zrem(self, name, *members):
        return self._add(None, "ZREM", name, *members)

    def sadd(self, name, *members):
        return self._add(None, "SADD", name, *members)

    def pfadd(self, name, *members):
        return self._add(None, "PFADD", name, *members)

    def echo(self, value):
        return self._add(None, "ECHO", value)

    def script(self, source, keys, args):
        """Run a Lua script. It is loaded at the head of the batch, so a restarted Redis,
        which has forgotten every script, still finds it."""
        sha = _sha(source)
        self._scripts[sha] = source
        return self._add(None, "EVALSHA", sha, len(keys), *keys, *args)

    def execute(self):
        """Send everything queued; return one reply per command and start afresh."""
        commands, shapes, scripts = self._commands, self._shapes, list(self._scripts.values())
        self._commands, self._shapes, self._scripts = [], [], {}
        if not commands:
            return []
        wire = [("SCRIPT", "LOAD", source) for source in scripts]
        wire += [("MULTI",), *commands, ("EXEC",)] if self.transaction else commands
        connection = _connection(self._pool)
        replies = _round_trip(connection, wire)[len(scripts):]
        _spare(self._pool).append(connection)  # not after a failure: it was dropped then
        if self.transaction:
            _raise_first_error(replies)  # a command Redis refused to queue
            replies = replies[-1]  # MULTI and each command answer OK/QUEUED; EXEC holds the results
            if replies is None or len(replies) != len(commands):
                raise ResponseError("The transaction was not carried out.")
        _raise_first_error(replies)
        return [reply if shape is None else shape(reply)
                for reply, shape in zip(replies, shapes, strict=True)]


def _is_ok(reply):
    return reply in ("OK", b"OK")


def _as_dict(reply):
    if isinstance(reply, dict):  # RESP3 sends a map
        return reply
    return dict(zip(reply[::2], reply[1::2], strict=True))


_SHAS = {}


def _sha(source):
    if source not in _SHAS:
        _SHAS[source] = hashlib.sha1(source.encode()).hexdigest()
    return _SHAS[source]


def _raise_first_error(replies):
    for reply in replies:
        if isinstance(reply, ResponseError):
            raise reply


def _round_trip(connection, wire):
    """Send `wire` and read one reply per command. Like the app's client it tries once
    more on a broken connection (a restarted Redis leaves stale ones behind); anything
    else drops the connection, so no reply is ever left unread on it."""
    for attempt in (1, 2):
        try:
            if isinstance(connection, SentinelManagedConnection) and connection._sock is None:
                # Through its own connect(), which asks the Sentinels which server is the master
                # (sending straight away would connect to localhost instead). Only there: its
                # retried handshake would add a wait when a plain Redis hangs.
                connection.connect()
            connection.send_packed_command(_packed(connection, wire), check_health=False)
            replies = _read(connection, len(wire))
            if any(_demoted(reply) for reply in replies):
                # The server was a master and is now a replica (a failover): connect afresh,
                # which finds the new master, rather than fail on the old one for ever.
                raise ConnectionError("The server is now a read-only replica.")
            return replies
        except (ConnectionError, TimeoutError):
            connection.disconnect()  # the next attempt connects afresh
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()
            raise


def _demoted(reply):
    return isinstance(reply, ResponseError) and str(reply).startswith(("READONLY", "You can't write"))


def _packed(connection, wire):
    """The commands in Redis's wire format, packed by hiredis in C."""
    try:
        return [b"".join([hiredis.pack_command(args) for args in wire])]
    except TypeError:  # an argument hiredis does not take: let redis-py pack
        return connection.pack_commands(wire)


def _read(connection, count):
    """Read `count` replies from the connection's hiredis reader, fed from its socket.

    The connection's own `read_response()` does the same one reply at a time
    through several layers; it is the way taken if the reader is not there.
    """
    parser = connection._parser
    reader = getattr(parser, "_reader", None)
    if reader is None or not hasattr(parser, "read_from_socket"):
        return [connection.read_response() for _ in range(count)]
    replies = []
    while len(replies) < count:
        reply = reader.gets()
        if reply is NOT_ENOUGH_DATA:
            parser.read_from_socket()  # raises ConnectionError or TimeoutError on failure
        else:
            replies.append(reply)
    return replies


def close(db):
    """Close this process's spare connections to `db`'s server (when a client is done)."""
    spare = _spare(db.connection_pool)
    while spare:
        spare.pop().disconnect()


def _connection(pool):
    """A connection to the pool's server that no other thread or greenlet is using."""
    try:
        return _spare(pool).pop()
    except IndexError:
        return pool.connection_class(**pool.connection_kwargs)


def _spare(pool):
    """The connections free for a batch: this process's own (a forked one must not share sockets)."""
    mine = pool.__dict__.get("_quick_spare")
    if mine is None or mine[0] != os.getpid():
        mine = pool.__dict__["_quick_spare"] = (os.getpid(), [])
    return mine[1]
