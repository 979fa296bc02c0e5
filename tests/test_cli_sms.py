"""`flask --app wsgi sms ...` for staff."""

from .fake_at import USERNAME, FakeAT


def test_send_log_and_totals(runner, app, db):
    result = runner.invoke(args=["sms", "send", "0712000001", "Test from the clinic"])
    assert result.exit_code == 0 and "*********001: Success via console" in result.output
    result = runner.invoke(args=["sms", "log", "+254712000001"])
    assert "staff" in result.output and "Test from the clinic" in result.output
    result = runner.invoke(args=["sms", "totals", "--days", "2"])
    lines = result.output.splitlines()
    assert len(lines) == 3 and lines[-1].split()[1] == "1"


def test_send_through_at_reports_a_failure_plainly(runner, app):
    server = FakeAT().start()
    try:
        app.config.update(AT_USERNAME=USERNAME, AT_API_KEY="bad", AT_API_URL=server.url)
        result = runner.invoke(args=["sms", "send", "0712000001", "Hello"])
    finally:
        server.stop()
    assert result.exit_code == 1
    assert "refused the username or API key (401)" in result.output


def test_a_bad_number_is_explained(runner):
    result = runner.invoke(args=["sms", "log", "12ab"])
    assert result.exit_code == 2 and "is not a phone number" in result.output
