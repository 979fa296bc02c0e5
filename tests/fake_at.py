"""A local stand-in for Africa's Talking's SMS API, for tests (loopback only).

It checks what the official SDK posts (apiKey header, username, to, message,
bulkSMSMode) and answers as AT does: 201 with a per-recipient report, in which
some recipients can fail inside a success. `plan` queues whole-request answers
("401", "429", "500", "slow", or "lost": dropped after `delay` without being taken or
answered) for the next calls; `failing` maps a number to a
per-recipient (statusCode, status).
"""

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

API_KEY = "test-api-key"
USERNAME = "mentorbot"


class FakeAT:
    def __init__(self):
        self.requests, self.plan, self.failing = [], [], {}
        self.slow_seconds = 1.5
        self.delay = 0.0  # seconds every answer takes (to catch a sender mid-way)
        self.arrivals = 0  # requests come in so far, counted before any delay
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True  # a slow answer must not hold up stop()
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/version1"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def count(self):
        """How many requests were answered."""
        return len(self.requests)

    def recipients(self):
        """Every number AT was asked to send to, in order."""
        return [n for r in self.requests for n in r["to"].split(",")]

    def answer(self, form, headers):
        with self._lock:
            self.arrivals += 1
            step = self.plan.pop(0) if self.plan else "ok"
        if step == "slow":
            time.sleep(self.slow_seconds)
        time.sleep(self.delay)
        if step == "lost":
            return None  # never taken: the connection is closed without an answer
        if headers.get("apiKey") != API_KEY or step == "401":
            return 401, "text/plain", "The supplied authentication is invalid"
        if step in ("429", "500", "502", "503"):
            return int(step), "text/plain", "Try again later"
        if form.get("username") != USERNAME or form.get("bulkSMSMode") != "1" or not form.get("message"):
            return 400, "text/plain", "Bad request"
        with self._lock:
            self.requests.append(form)
        reports = [self._report(number) for number in form["to"].split(",")]
        sent = sum(1 for r in reports if r["statusCode"] in (100, 101, 102))
        body = {"SMSMessageData": {"Message": f"Sent to {sent}/{len(reports)} Total Cost: KES 0.8",
                                   "Recipients": reports}}
        return 201, "application/json", json.dumps(body)

    def elsewhere(self, path, form):
        """The answer to a POST anywhere but the SMS API: none here (a benchmark adds its own)."""
        return 404, "text/plain", "Not found"

    def _report(self, number):
        code, status = self.failing.get(number, (101, "Success"))
        report = {"statusCode": code, "number": number, "status": status,
                  "cost": "KES 0.8000" if code == 101 else "0", "messageId": "None"}
        if code == 101:
            # AT's ids are "ATXid_" and 32 hex digits: as long here, so that what is kept of them
            # (bench/memory_year.py) weighs what it will in production.
            report["messageId"] = f"ATXid_{next(self._ids):032x}"
        return report

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep the connection open between requests, as AT does
            disable_nagle_algorithm = True  # else headers and body, written apart, wait 40 ms

            def do_POST(self):  # noqa: N802 (http.server's name)
                size = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode()).items()}
                if self.path != "/version1/messaging":
                    status, kind, body = fake.elsewhere(self.path, form)
                else:
                    answer = fake.answer(form, self.headers)
                    if answer is None:
                        self.close_connection = True
                        return
                    status, kind, body = answer
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
