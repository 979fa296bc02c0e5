"""The tests' fake Africa's Talking server as a process of its own, so benchmarks do not
share a Python interpreter (and its lock) with it. Prints its URL, serves until killed.

With `--tally` it also keeps, for every number, when each SMS to it arrived and its text,
and answers a POST to /version1/tally (bench/national_send.py): how many requests and
recipients so far, the arrivals for the numbers asked about, and on request the numbers
that got the same text twice.
"""

import json
import sys
import threading
import time
from collections import Counter, defaultdict

from tests.fake_at import FakeAT


class TallyingAT(FakeAT):
    """The fake AT that remembers who got which text when, to count duplicates and time replies."""

    def __init__(self):
        super().__init__()
        self.first = {}  # number -> (arrival, text): most numbers get one SMS in a send
        self.more = defaultdict(list)  # number -> [(arrival, text)] of every later SMS
        self.texts = Counter()  # text -> recipients
        self.last_at = {}  # text -> arrival of the latest request with it
        self.tally_lock = threading.Lock()

    def answer(self, form, headers):
        arrived = time.time()  # the wall clock, which the benchmark shares
        found = super().answer(form, headers)
        if found and found[0] == 201:
            self._keep(form["to"].split(","), form["message"], arrived)
        return found

    def _keep(self, numbers, text, arrived):
        with self.tally_lock:
            for number in numbers:
                if number in self.first:
                    self.more[number].append((arrived, text))
                else:
                    self.first[number] = (arrived, text)
            self.texts[text] += len(numbers)
            self.last_at[text] = arrived

    def elsewhere(self, path, form):
        if path != "/version1/tally":
            return super().elsewhere(path, form)
        with self.tally_lock:
            answer = {"requests": self.count(), "texts": dict(self.texts),
                      "last_at": self.last_at,
                      "phones": {p: self._arrivals(p) for p in form.get("phones", "").split(",")
                                 if p}}
            if form.get("duplicates"):
                answer["duplicates"] = self._duplicates()
        return 200, "application/json", json.dumps(answer)

    def _arrivals(self, number):
        found = [self.first[number]] if number in self.first else []
        return found + self.more.get(number, [])

    def _duplicates(self):
        """[number, text, times] for every number that got the same text more than once."""
        found = []
        for number, later in self.more.items():
            times = Counter(text for _, text in [self.first[number], *later])
            found += [[number, text, n] for text, n in times.items() if n > 1]
        return found


if __name__ == "__main__":
    server = (TallyingAT() if "--tally" in sys.argv[1:] else FakeAT()).start()
    print(server.url, flush=True)
    while True:
        time.sleep(3600)
