"""Logs never hold a full phone number or a message text."""

import logging

import pytest

from bot.privacy import MaskPhoneNumbers, mask_phone

from .ussd_caller import Caller


@pytest.mark.parametrize("raw, masked", [
    ("+254712345678", "*********678"), ("0712 345 678", "*******678"), ("", "?"), (None, "?"),
])
def test_mask_keeps_only_the_last_three_digits(raw, masked):
    assert mask_phone(raw) == masked


def test_the_log_filter_masks_numbers_that_slip_through():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s now", ("+254712345678",),
                               None)
    MaskPhoneNumbers().filter(record)
    assert record.getMessage() == "call *********678 now"


def test_a_whole_session_logs_no_number_and_no_text(client, app, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    caller = Caller(client, "+254712345678")
    caller.dial()
    for answer in ("2", "1", "3", "0", "00", "5", "1"):
        caller.send(answer)

    def broken(*args, **kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr("bot.engine.step", broken)
    caller.dial()
    assert caller.send("1").startswith("END ")  # a failure shows a polite END ...
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "failed" in logged  # ... and is logged, masked
    assert "712345678" not in logged
    for text in ("Kumkinga", "VVU", "Mama Mshauri", "ujauzito"):
        assert text not in logged
