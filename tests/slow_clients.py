"""Clients that hold a web server's connections open, and a USSD caller timed beside them.

Three kinds of client, each the way a careless or hostile one behaves:
- "slow headers": starts a POST and sends one more header line every `every` seconds;
- "idle keep-alive": sends one whole HTTP/1.1 request, then sits on the open connection;
- "silent": connects and never sends a byte.
A client the server drops is opened again at the next tick, so `count` stay open.
"""

import selectors
import socket
import threading
import time
import urllib.parse
import urllib.request

KINDS = ("slow headers", "idle keep-alive", "silent")
_OPENING = {"slow headers": b"POST /ussd HTTP/1.1\r\nHost: bot\r\n",
            "idle keep-alive": b"GET /robots.txt HTTP/1.1\r\nHost: bot\r\n\r\n",
            "silent": b""}


class SlowClients:
    """`count` connections to 127.0.0.1:`port`, kept open as `kind` says until `close()`."""

    def __init__(self, port, count, kind, every=2.0):
        self.port, self.count, self.kind, self.every = port, count, kind, every
        self.sockets, self.dropped = [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, daemon=True, name="slow clients")

    def __enter__(self):
        self.sockets = [self._open() for _ in range(self.count)]
        if self.kind == "idle keep-alive":
            self._wait_for_answers()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        for conn in self.sockets:
            conn.close()

    def _open(self):
        conn = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        conn.sendall(_OPENING[self.kind])
        conn.setblocking(False)
        return conn

    def _wait_for_answers(self, timeout=10):
        """Read each client's answer (up to `timeout` seconds), so that from now on they are idle."""
        waiting, deadline = selectors.DefaultSelector(), time.monotonic() + timeout
        for conn in self.sockets:
            waiting.register(conn, selectors.EVENT_READ)
        while waiting.get_map() and time.monotonic() < deadline:
            for key, _ in waiting.select(timeout=1):
                key.fileobj.recv(65536)
                waiting.unregister(key.fileobj)
        waiting.close()

    def _keep(self):
        """Every `every` seconds: a header line from each slow client, a new one for each dropped."""
        line = 0
        while not self._stop.wait(self.every):
            line += 1
            closed = set(self._closed_by_server())
            for place, conn in enumerate(self.sockets):
                if place not in closed and self.kind == "slow headers":
                    try:
                        conn.send(b"X-Slow-%d: %d\r\n" % (line, place))
                    except OSError:
                        closed.add(place)
                if place in closed:
                    self.dropped += 1
                    conn.close()
                    self.sockets[place] = self._open()

    def _closed_by_server(self):
        """The places of the sockets the server has closed (their answers read and dropped)."""
        with selectors.DefaultSelector() as waiting:
            for place, conn in enumerate(self.sockets):
                waiting.register(conn, selectors.EVENT_READ, place)
            for key, _ in waiting.select(timeout=0):
                try:
                    if not key.fileobj.recv(65536):
                        yield key.data
                except BlockingIOError:
                    pass
                except OSError:
                    yield key.data


def ussd_screen(port, token, session_id, phone="+254712000901", text="", timeout=5.0):
    """POST a USSD request as Africa's Talking does; return (screen, seconds taken)."""
    body = urllib.parse.urlencode({"sessionId": session_id, "serviceCode": "*384*123#",
                                   "phoneNumber": phone, "networkCode": "63902", "text": text})
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ussd?token={token}", body.encode(),
                                timeout) as answer:
        screen = answer.read().decode()
    return screen, time.monotonic() - started
