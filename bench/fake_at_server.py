"""The tests' fake Africa's Talking server as a process of its own, so benchmarks do not
share a Python interpreter (and its lock) with it. Prints its URL, serves until killed."""

import time

from tests.fake_at import FakeAT

if __name__ == "__main__":
    server = FakeAT().start()
    print(server.url, flush=True)
    while True:
        time.sleep(3600)
