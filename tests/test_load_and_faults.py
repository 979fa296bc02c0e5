"""Load and faults: many sessions at once, Redis going away under traffic (bounded, loopback only)."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import create_app, store
from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import ussd_sessions

from .fake_at import API_KEY, USERNAME
from .redis_server import RedisServer
from .test_reminders_dispatch import CONTENT, enrol
from .ussd_caller import Caller

TITLES = {  # what each path must show after choosing a topic, by language
    ("1", "1"): "Protect baby from HIV", ("1", "2"): "Food and breastfeeding",
    ("1", "3"): "Play and learning", ("2", "1"): "Kumkinga mtoto na VVU",
    ("2", "2"): "Chakula na kunyonyesha", ("2", "3"): "Mchezo na kujifunza",
}
MAINS = {"1": "Mama Mentor. Choose a topic:", "2": "Mama Mentor. Chagua mada:"}


def test_500_sessions_at_once_each_see_only_their_own_path(app, db):
    callers = [Caller(app.test_client(), f"+2547130{n:05d}") for n in range(500)]
    paths = [(str(n % 2 + 1), str(n % 3 + 1)) for n in range(500)]
    steps = [lambda c, p: c.dial(), lambda c, p: c.send(p[0]), lambda c, p: c.send("2"),
             lambda c, p: c.send(p[1]), lambda c, p: c.send("0"), lambda c, p: c.send("00")]
    screens = [[] for _ in callers]
    with ThreadPoolExecutor(max_workers=64) as pool:
        for step in steps:  # every session takes each step at the same time as the others
            answers = pool.map(lambda n, step=step: step(callers[n], paths[n]), range(500))
            for n, screen in enumerate(answers):
                screens[n].append(screen)
    for n, (lang, topic) in enumerate(paths):
        assert screens[n][3].startswith(f"CON {TITLES[(lang, topic)]}"), screens[n][3]
        assert MAINS[lang] in screens[n][4] and MAINS[lang] in screens[n][5]
        stored = json.loads(db.get(ussd_sessions.key(callers[n].phone)))
        assert stored["id"] == callers[n].session_id and stored["history"] == "*".join(
            callers[n].inputs)


def test_the_worker_sends_what_fell_due_while_redis_was_down(tmp_path, at):
    server = RedisServer(tmp_path).start()
    app = create_app({"TESTING": True, "REDIS_URL": server.url})
    db = store.redis(app)
    rules = Rules.from_config(app.config)
    zone = ZoneInfo("Africa/Nairobi")
    for n in range(5):
        enrol(db, f"+25471300{n:04d}", stage="pregnancy", due_date="2027-03-16")
    server.stop()  # Redis goes down before the weekly messages fall due ...
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url)
    monday_night = datetime(2026, 11, 23, 22, 0, tzinfo=zone)
    try:
        dispatch.dispatch(db, CONTENT, gateway, monday_night + timedelta(hours=12), rules, 500)
        raise AssertionError("a dispatch without Redis must fail, not pretend")
    except store.Errors:
        pass
    server.start()  # ... and comes back hours later, with its data
    report = dispatch.dispatch(db, CONTENT, gateway, monday_night + timedelta(hours=14), rules, 500)
    assert report.sent == 5 and len(set(at.recipients())) == 5
    db.close()
    server.stop()
