"""Run a pipeline's commands in one round trip, without redis-py's per-call machinery.

A USSD screen is two round trips to Redis (load, save). Through redis-py's
client each one also takes a connection from the pool, wraps the call in its
retry helper, and walks the pipeline's bookkeeping: measured on the standard
machine that costs 55-90 us of CPU per call against 15-35 us for the same
commands written on a connection directly (BENCHMARKS.md), which is most of a
USSD step's budget. So the hot path keeps its own connection per thread, built
from the client's own settings (address, database, password, timeouts,
decoding), and still uses redis-py to build the commands and to read and
convert the replies: only the round trip itself is ours.
"""

import os
import threading

import hiredis
from redis.client import EMPTY_RESPONSE
from redis.exceptions import ConnectionError, ResponseError, TimeoutError


def execute(pipe):
    """Return what `pipe.execute()` would, in one round trip on this thread's connection.

    Like the app's client it tries once more on a broken connection (a restarted
    Redis leaves stale ones behind); anything else, including an error reply,
    is raised and the connection dropped so no reply is left unread on it.
    """
    commands = pipe.command_stack
    if not commands or any(EMPTY_RESPONSE in options for _, options in commands):
        return pipe.execute()  # nothing to send, or a command redis-py answers itself
    if pipe.scripts:
        pipe.load_scripts()  # as redis-py does: a restarted Redis has forgotten them
    wire = [args for args, _ in commands]
    if pipe.transaction:
        wire = [("MULTI",), *wire, ("EXEC",)]
    try:
        replies = _round_trip(_connection(pipe), wire)
    finally:
        pipe.reset()
    if pipe.transaction:
        replies = replies[-1]  # MULTI and each command answer OK/QUEUED; EXEC holds the results
        if replies is None or len(replies) != len(commands):
            raise ResponseError("The transaction was not carried out.")
    return [_converted(pipe, reply, args, options)
            for reply, (args, options) in zip(replies, commands, strict=True)]


def _packed(connection, wire):
    """The commands in Redis's wire format, packed by hiredis in C.

    redis-py's packer checks and re-encodes every argument in Python first, which
    costs more than the round trip itself for a dispatch's thousands of commands.
    """
    try:
        return [b"".join([hiredis.pack_command(args) for args in wire])]
    except TypeError:  # an argument hiredis does not take (a memoryview): let redis-py pack
        return connection.pack_commands(wire)


def _round_trip(connection, wire):
    for attempt in (1, 2):
        try:
            connection.send_packed_command(_packed(connection, wire), check_health=False)
            return [connection.read_response() for _ in wire]
        except (ConnectionError, TimeoutError):
            connection.disconnect()  # the next attempt connects afresh
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()
            raise


def _converted(pipe, reply, args, options):
    if isinstance(reply, ResponseError):
        raise reply
    callback = pipe.response_callbacks.get(args[0])
    if callback is None:
        return reply
    options = {k: v for k, v in options.items() if k != "keys"}
    return callback(reply, **options)


def _connection(pipe):
    """This thread's own connection to the pipeline's server (a new one after a fork)."""
    pool = pipe.connection_pool
    mine = pool.__dict__.get("_quick_connections")
    if mine is None:
        mine = pool.__dict__.setdefault("_quick_connections", threading.local())
    if getattr(mine, "pid", None) != os.getpid():
        mine.pid = os.getpid()  # a forked worker must not share its parent's socket
        mine.connection = pool.connection_class(**pool.connection_kwargs)
    return mine.connection
