"""How much of one Redis server a USSD screen and a texted question cost: the scale limit of
running on a single Redis (the bot does not support Redis Cluster; README, "Redis in production").

Run: .venv/bin/python -m bench.redis_capacity [--callers 400]

Method: a redis-server of the benchmark's own (Unix socket, AOF everysec as in production) and
the bot in this process (Flask's test client: no HTTP, so nothing but the bot's own Redis work
reaches the server). Callers walk a typical 12-screen USSD session, then each texts a question
(a follow-up is filed). Redis's own CPU time (`INFO cpu`, user + system, of the server process)
and its command count are read before and after each part; their ratio per screen and per
question gives how many of each one Redis core can serve per second. Redis runs its commands on
one core, so that is its ceiling whatever the web and worker machines add.
"""

import argparse
import tempfile
import time
from pathlib import Path

import redis

from bot import create_app
from bot.store.embedded import ensure_server, stop_server

WALK = ["", "1", "2", "1", "1", "0", "00", "2", "1", "98", "0", "00"]  # language ... a page, back


def _cpu(db):
    info = db.info("cpu")
    stats = db.info("commandstats")
    calls = sum(v["calls"] for k, v in stats.items() if k.startswith("cmdstat_"))
    return info["used_cpu_user"] + info["used_cpu_sys"], calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-redis-"))
    url = ensure_server(folder)
    try:
        app = create_app({"REDIS_URL": url, "WEBHOOK_TOKEN": "", "TESTING": True,
                          "SMS_REPLIES_PER_HOUR": 1000})
        app.instance_path = str(folder / "instance")
        web, db = app.test_client(), redis.Redis.from_url(url)
        db.config_set("appendfsync", "everysec")
        results = {}
        for name, steps in (("USSD screen", _walk), ("texted question", _question)):
            db.config_resetstat()
            cpu0, calls0 = _cpu(db)
            started = time.perf_counter()
            done = steps(web, args.callers)
            wall = time.perf_counter() - started
            cpu1, calls1 = _cpu(db)
            results[name] = (done, (cpu1 - cpu0) / done, (calls1 - calls0) / done, wall / done)
        print(f"{args.callers} callers; Redis CPU per unit of work, and what one core can serve")
        print("| work | count | Redis commands each | Redis CPU each | per Redis core per second |")
        print("| --- | --- | --- | --- | --- |")
        for name, (done, cpu, calls, _) in results.items():
            print(f"| {name} | {done} | {calls:.1f} | {cpu * 1e6:.0f} us | {1 / cpu:,.0f} |")
    finally:
        stop_server(folder)


def _walk(web, callers):
    done = 0
    for n in range(callers):
        phone, session = f"+2547130{n:05d}", f"bench-{n}"
        for text_so_far in _histories():
            web.post("/ussd", data={"sessionId": session, "phoneNumber": phone,
                                    "text": text_so_far, "serviceCode": "*384*123#"})
            done += 1
    return done


def _histories():
    inputs = [step for step in WALK if step]
    yield ""
    for end in range(1, len(inputs) + 1):
        yield "*".join(inputs[:end])


def _question(web, callers):
    for n in range(callers):
        web.post("/sms/incoming", data={"from": f"+2547130{n:05d}", "to": "22384",
                                        "text": "My baby has a small rash on the arm, what cream?",
                                        "date": "2026-12-01 10:00:00", "id": f"bench-q-{n}",
                                        "linkId": "", "networkCode": "63902"})
    return callers


if __name__ == "__main__":
    main()
