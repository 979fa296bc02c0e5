"""What staff read about SMS: statuses AT does not document, `sms log`, and `sms send` refusals."""

import logging

from bot.sms import delivery, log, outbound
from bot.sms.gateway import ConsoleGateway
from bot.store import contacts

from .test_console_auth import sign_in

PHONE = "+254712000311"


def _sent(db, text="Clinic tomorrow", kind="reminder"):
    (outcome,) = outbound.send(db, ConsoleGateway(db, echo=lambda line: None),
                               [outbound.Outgoing(PHONE, text, kind)])
    return outcome.message_id


def _report(client, message_id, status, **extra):
    return client.post("/sms/delivery", data={"id": message_id, "status": status,
                                              "phoneNumber": PHONE, "networkCode": "63902", **extra})


def _today_counts(db):
    (_, counts), = log.totals(db, 1)
    return counts


def test_a_status_at_does_not_document_is_kept_counted_as_unknown_and_logged(client, db, caplog):
    message_id = _sent(db)
    for _ in range(2):  # a second report counts again: each one needs a look
        assert _report(client, message_id, "Bogus").status_code == 200
    assert db.hget(log.message_key(message_id), "status") == "Bogus"
    counts = _today_counts(db)
    assert counts[delivery.UNKNOWN] == "2"
    assert not [name for name in counts if name.startswith(("undelivered:", "delivered"))]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Delivery report with a status AT does not document: 'Bogus'" in warned


def test_documented_statuses_are_not_counted_as_unknown(client, db, caplog):
    message_id = _sent(db)
    for status in ("Sent", "Submitted", "Buffered", "Success", "Failed", "Rejected", "Expired"):
        _report(client, message_id, status, failureReason="DeliveryFailure")
    assert delivery.UNKNOWN not in _today_counts(db)
    assert "does not document" not in caplog.text


def test_unknown_statuses_show_in_totals_and_on_the_messages_page(client, db, runner):
    _report(client, _sent(db), "Bogus")
    totals = runner.invoke(args=["sms", "totals", "--days", "1"]).output
    assert "unknown status 1" in totals.splitlines()[1]
    sign_in(client, db)
    page = client.get("/console/messages?days=7").get_data(as_text=True)
    assert "delivery reports with a status AT does not document (see the log): 1" in page


def test_sms_log_gives_the_failure_reason_and_one_line_per_sms(client, db, runner):
    failed = _sent(db, "Line one\nLine two\r\nLine three", "staff")
    _report(client, failed, "Failed", failureReason="InsufficientCredit")
    _sent(db, "Second message", "staff")
    shown = runner.invoke(args=["sms", "log", PHONE]).output.splitlines()
    assert len(shown) == 2, shown
    assert "Failed (InsufficientCredit)" in shown[1]
    assert "Line one\\nLine two\\r\\nLine three" in shown[1]


def test_sms_send_to_an_opted_out_number_exits_non_zero_and_says_why(runner, db):
    db.hset(contacts.key(PHONE), "opted_out", "yes")
    result = runner.invoke(args=["sms", "send", "0712000311", "Test"])
    assert result.exit_code == 1, result.output
    assert "OptedOut" in result.output and "she texted STOP" in result.output
    assert not db.exists(log.contact_key(PHONE))


def test_sms_send_that_went_out_exits_zero(runner):
    result = runner.invoke(args=["sms", "send", "0712000311", "Test"])
    assert result.exit_code == 0 and "Success via console" in result.output
