"""The baselines for the USSD benchmark, served the same way as the bot.

`app` is a bare Flask endpoint. `two_waits` is the same endpoint doing no more
than the two waits on Redis a USSD screen needs (one round trip reading her
contact, session and visits, one writing a session of the usual size), through
the same `quick.Batch`: what any design that saves a screen before showing it
pays on this machine, with none of the bot's own work.
"""

import os

import redis
from flask import Flask, Response, request

from bot.store import quick

app = Flask(__name__)
SCREEN = "CON Welcome\n1. English\n2. Kiswahili"


@app.post("/ussd")
def ussd():
    return Response(SCREEN, mimetype="text/plain")


two_waits = Flask("two_waits")
SESSION = "s" * 680  # a live session is about 680 bytes (BENCHMARKS.md)


@two_waits.post("/ussd")
def ussd_two_waits():
    db = two_waits.extensions.get("redis")
    if db is None:
        db = two_waits.extensions["redis"] = redis.Redis.from_url(os.environ["REDIS_URL"],
                                                                  decode_responses=True)
    # The number straight from the body: reading the form properly would add its own cost.
    body = request.environ["wsgi.input"].read(int(request.environ.get("CONTENT_LENGTH") or 0))
    phone = body.partition(b"phoneNumber=")[2].partition(b"&")[0].decode()
    load = quick.Batch(db)
    # Keys of its own, so the bot's sessions can still be counted in the same Redis.
    load.hgetall(f"bench:contact:{phone}").get(f"bench:session:{phone}")
    load.hgetall(f"bench:visits:{phone}")
    load.execute()
    save = quick.Batch(db)
    save.set(f"bench:session:{phone}", SESSION, ex=300)
    save.execute()
    return Response(SCREEN, mimetype="text/plain")
