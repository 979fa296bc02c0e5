"""`backup` and `restore`: every key, its type, value and expiry come back exactly."""

import gzip
import os
import stat

from bot import store
from bot.store import contacts

from .redis_contents import values
from .sms_helpers import run_worker, text
from .ussd_caller import Caller

PHONE = "+254712000001"


def _everything(db):
    return {key: (sorted(map(repr, values(db, key))), db.type(key), db.ttl(key) > 0)
            for key in db.keys("*")}


def _fill(client, sms_app, db):
    """Real records: a USSD enrolment, a texted question, a reply through the fake AT."""
    caller = Caller(client, PHONE)
    for answer in (None, "1", "1", "1", "1"):
        caller.dial() if answer is None else caller.send(answer)
    text(client, "+254712000002", "My baby has a cough, what can I give?")
    run_worker(sms_app)
    db.set("short-lived", "x", ex=3600)


def test_backup_then_restore_into_an_empty_database_gives_back_everything(
        client, sms_app, at, db, runner, tmp_path):
    _fill(client, sms_app, db)
    raw = store.queue_connection(sms_app)  # bytes: RQ keeps its jobs compressed
    before = _everything(raw)
    assert len(before) > 10 and any(ttl for _, _, ttl in before.values())
    path = tmp_path / "redis.backup"
    said = runner.invoke(args=["backup", str(path)])
    assert said.exit_code == 0 and f"Wrote {len(before)} keys" in said.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # it holds mothers' records
    db.flushdb()
    said = runner.invoke(args=["restore", str(path)])
    assert said.exit_code == 0, said.output
    assert _everything(raw) == before
    assert db.hget(contacts.key(PHONE), "language") == "en"


def test_restore_refuses_a_database_with_keys_unless_told_to_replace(runner, db, tmp_path):
    db.set("a", "1")
    path = tmp_path / "b.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    said = runner.invoke(args=["restore", str(path)])
    assert said.exit_code != 0 and "not empty" in said.output and "--replace" in said.output
    db.set("a", "changed")
    assert runner.invoke(args=["restore", str(path), "--replace"]).exit_code == 0
    assert db.get("a") == "1"


def test_a_damaged_or_foreign_file_restores_nothing(runner, db, tmp_path):
    for n in range(50):
        db.set(f"k{n}", "v" * 100)
    good = tmp_path / "good.backup"
    runner.invoke(args=["backup", str(good)])
    db.flushdb()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(gzip.compress(gzip.decompress(good.read_bytes())[:-300]))
    said = runner.invoke(args=["restore", str(cut)])
    assert said.exit_code != 0 and "cut short" in said.output
    assert db.dbsize() == 0  # not half a database
    foreign = tmp_path / "notes.txt"
    foreign.write_text("hello")
    said = runner.invoke(args=["restore", str(foreign)])
    assert said.exit_code != 0 and "Nothing restored" in said.output and "Traceback" not in said.output
