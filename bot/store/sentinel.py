"""Redis behind Sentinel: the clients find the master through the Sentinels.

REDIS_SENTINELS lists the Sentinels (host:port, comma-separated) and
REDIS_SENTINEL_MASTER the name they watch. REDIS_URL, when also set, gives the
database number and password (its host is not used). A client asks the
Sentinels again whenever the master stops answering, so after a failover the
next request reaches the new master.
"""

from urllib.parse import urlparse

from redis.sentinel import Sentinel


def addresses(value):
    """'10.0.0.1:26379, 10.0.0.2' -> [("10.0.0.1", 26379), ("10.0.0.2", 26379)]."""
    found = []
    for part in (p.strip() for p in str(value or "").split(",")):
        if part:
            host, _, port = part.rpartition(":") if ":" in part else (part, "", "26379")
            found.append((host.strip("[]"), int(port)))
    return found


def master(app, **options):
    """A client for the current master (the Sentinel object is shared by the app's clients)."""
    watcher = app.extensions.get("redis_sentinel")
    if watcher is None:
        timeout = app.config["REDIS_TIMEOUT"]
        watcher = Sentinel(addresses(app.config["REDIS_SENTINELS"]), socket_timeout=max(timeout, 0.5),
                           socket_connect_timeout=max(timeout, 0.5))
        app.extensions["redis_sentinel"] = watcher
    url = urlparse(app.config.get("REDIS_URL") or "redis://")
    if url.password:
        options.setdefault("password", url.password)
    if url.path.strip("/").isdigit():
        options.setdefault("db", int(url.path.strip("/")))
    return watcher.master_for(app.config["REDIS_SENTINEL_MASTER"], **options)
