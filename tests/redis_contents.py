"""Read everything a Redis server keeps, for tests that prove something is nowhere in it."""

import redis


def values(db, key):
    """Every value stored under `key`, whatever its type (bytes or text, as `db` answers)."""
    kind = db.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind == "string":
        try:
            return [db.get(key)]
        except UnicodeDecodeError:  # binary, as a HyperLogLog sketch (report:active:*) is
            return [_raw(db).get(key)]
    if kind == "hash":
        return [part for pair in db.hgetall(key).items() for part in pair]
    if kind == "list":
        return db.lrange(key, 0, -1)
    if kind == "set":
        return list(db.smembers(key))
    if kind == "zset":
        return db.zrange(key, 0, -1)
    if kind == "stream":
        return [str(entry) for entry in db.xrange(key)]
    return []


def _raw(db):
    """A client on the same server that answers bytes, for values that are not text."""
    kwargs = {**db.connection_pool.connection_kwargs, "decode_responses": False}
    return redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=db.connection_pool.connection_class, **kwargs))
