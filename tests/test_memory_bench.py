"""The memory benchmark's clock: Redis's times to live are moved on as the simulated days pass."""

from bench import memory_year


def test_a_simulated_day_cuts_every_time_to_live_by_a_day(db):
    db.set("two-days", "x", ex=2 * 86400)
    db.set("half-a-day", "x", ex=12 * 3600)
    db.set("for-good", "x")
    assert db.register_script(memory_year._AGE)(args=[86400 * 1000]) == 1
    assert 86400 - 60 < db.ttl("two-days") <= 86400
    assert not db.exists("half-a-day") and db.ttl("for-good") == -1


def test_a_short_year_runs_and_reports_both_retentions(capsys):
    memory_year.main(["--contacts", "40", "--weeks", "2", "--baseline-contacts", "40"])
    shown = capsys.readouterr().out
    assert "retention rules: 40 mothers" in shown and "earlier retention (baseline): 40" in shown
