"""Outbound SMS through the real Africa's Talking SDK, against a local fake AT server."""

import pytest

from bot.sms import log, outbound
from bot.sms.gateway import AfricasTalkingGateway, ConsoleGateway, GatewayError
from bot.store import contacts

from .fake_at import API_KEY, USERNAME


@pytest.fixture
def gateway(at):
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


def test_the_sdk_posts_what_at_expects_and_each_recipient_is_read(at, gateway):
    at.failing["+254712000002"] = (406, "UserInBlacklist")
    found = gateway.send("Clinic tomorrow.", ["+254712000001", "+254712000002"])
    (request,) = at.requests
    assert request["to"] == "+254712000001,+254712000002" and request["message"] == "Clinic tomorrow."
    assert [(d.status, d.code, d.sent, d.retryable) for d in found] == [
        ("Success", 101, True, False), ("UserInBlacklist", 406, False, False)]
    assert found[0].message_id.startswith("ATXid_") and found[0].cost == "KES 0.8000"


@pytest.mark.parametrize("plan, retryable, words", [
    ("401", False, "refused the username or API key"),
    ("429", True, "HTTP 429"),
    ("500", True, "HTTP 500"),
    ("503", True, "HTTP 503"),
    ("slow", True, "did not answer (ReadTimeout)"),
])
def test_whole_request_failures_say_whether_to_retry(at, gateway, plan, retryable, words):
    at.plan.append(plan)
    with pytest.raises(GatewayError, match=words.replace("(", r"\(").replace(")", r"\)")) as err:
        gateway.send("Hello", ["+254712000001"])
    assert err.value.retryable is retryable


def test_a_wrong_api_key_is_refused_and_not_retried(at):
    wrong = AfricasTalkingGateway(USERNAME, "wrong-key", api_url=at.url)
    with pytest.raises(GatewayError) as err:
        wrong.send("Hello", ["+254712000001"])
    assert not err.value.retryable


def test_an_unreachable_gateway_is_retryable():
    nowhere = AfricasTalkingGateway(USERNAME, API_KEY, api_url="http://127.0.0.1:9/version1",
                                    timeout=(0.5, 0.5))
    with pytest.raises(GatewayError) as err:
        nowhere.send("Hello", ["+254712000001"])
    assert err.value.retryable


def test_identical_texts_go_in_bulk_batches_and_everything_is_logged(db, gateway, at):
    items = [outbound.Outgoing(f"07120001{n:02d}", "Same text", "reminder") for n in range(7)]
    items.append(outbound.Outgoing("0712000199", "Other text", "reminder"))
    outcomes = outbound.send(db, gateway, items, batch_size=3)
    assert sorted(len(r["to"].split(",")) for r in at.requests) == [1, 1, 3, 3]
    assert all(o.sent for o in outcomes)
    assert "+254712000100" in at.recipients()  # 0712... normalised to E.164
    (day, counts), = log.totals(db, 1)
    assert counts["sent"] == "8" and counts["cost_milli"] == "6400"
    (latest,) = log.messages(db, "+254712000199")
    assert latest["text"] == "Other text" and latest["status"] == "Sent"


def test_invalid_numbers_are_refused_before_any_call(db, gateway, at):
    outcomes = outbound.send(db, gateway, [outbound.Outgoing("12345", "Hi")])
    assert [o.status for o in outcomes] == ["InvalidPhoneNumber"] and at.requests == []


def test_no_sms_of_any_kind_to_an_opted_out_number(db, gateway, at):
    db.hset(contacts.key("+254712000001"), "opted_out", "yes")
    outcomes = outbound.send(db, gateway, [outbound.Outgoing("+254712000001", "Hi", kind)
                                           for kind in ("reply", "reminder", "stage", "staff")])
    assert {o.status for o in outcomes} == {"OptedOut"} and at.requests == []


def test_a_key_is_sent_once_even_when_the_job_runs_again(db, gateway, at):
    item = outbound.Outgoing("+254712000001", "Visit tomorrow", "reminder", key="rem-1")
    outbound.send(db, gateway, [item])
    again = outbound.send(db, gateway, [item])
    assert [o.status for o in again] == ["AlreadySent"] and len(at.requests) == 1


def test_per_recipient_transient_failures_are_marked_for_retry(db, gateway, at):
    at.failing["+254712000002"] = (500, "InternalServerError")
    outcomes = outbound.send(db, gateway, [outbound.Outgoing(p, "Hi", key=f"k{p}")
                                           for p in ("+254712000001", "+254712000002")])
    assert [(o.sent, o.retryable) for o in outcomes] == [(True, False), (False, True)]
    del at.failing["+254712000002"]
    again = outbound.send(db, gateway, [outbound.Outgoing(p, "Hi", key=f"k{p}")
                                        for p in ("+254712000001", "+254712000002")])
    assert [o.status for o in again] == ["AlreadySent", "Success"]


def test_the_console_gateway_prints_and_keeps_an_outbox(db, capsys):
    outbound.send(db, ConsoleGateway(db), [outbound.Outgoing("+254712000001", "Karibu")])
    assert capsys.readouterr().out == "SMS to *********001: Karibu\n"
    assert '"text": "Karibu"' in db.lindex("sms:outbox", 0)
