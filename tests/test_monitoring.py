"""/healthz, /readyz, /metrics and request logs: what an operations team watches, with no
personal data in any of it."""

import json
import logging
import os
import re
import signal
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import create_app
from bot.cli.serve import web_command
from bot.errors import InvalidSetting
from bot.monitoring.request_log import JsonLines
from bot.reminders import due_list
from bot.sms import spool

from .redis_server import free_port
from .sms_helpers import run_worker, text

ROOT = Path(__file__).resolve().parent.parent
PHONE = "+254712000001"


def ussd(client, session="s1", answer="", phone=PHONE):
    return client.post("/ussd", data={"sessionId": session, "phoneNumber": phone, "text": answer,
                                      "serviceCode": "*384*123#"})


def figure(client, name, **labels):
    """The value of one metric line from /metrics (0 when absent)."""
    page = client.get("/metrics").get_data(as_text=True)
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in page.splitlines():
        if line.startswith(wanted + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_healthz_and_readyz_answer_without_login_and_name_the_content(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["status"] == "ready" and body["redis"] == "ok" and body["content"] == "ok"
    assert re.fullmatch(r"[0-9a-f]{12}", body["content_version"])
    assert body["content_number"] == 1  # the checkout, published on the first start


def test_readyz_is_503_at_once_when_redis_is_away(tmp_path):
    app = create_app({"TESTING": True, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                      "WEBHOOK_TOKEN": ""})
    app.instance_path = str(tmp_path)
    started = time.monotonic()
    answer = app.test_client().get("/readyz")
    assert time.monotonic() - started < 3
    assert answer.status_code == 503
    assert answer.get_json()["redis"].startswith("unreachable")
    assert app.test_client().get("/healthz").status_code == 200  # alive, only not ready


def test_metrics_only_for_this_machine_or_with_the_token(app, client):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    away = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=away).status_code == 403
    app.config["METRICS_TOKEN"] = "scrape-secret"
    assert client.get("/metrics").status_code == 403  # with a token set, it is always needed
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": "Bearer scrape-secret"}).status_code == 200


def test_ussd_screens_are_counted_by_outcome(app, client):
    before = {o: figure(client, "bot_ussd_screens_total", outcome=o)
              for o in ("continue", "end", "refused")}
    ussd(client)  # the language question
    ussd(client, answer="1")
    app.config["WEBHOOK_TOKEN"] = "hook"
    ussd(client, session="s2")  # no token: refused
    after = {o: figure(client, "bot_ussd_screens_total", outcome=o)
             for o in ("continue", "end", "refused")}
    assert after["continue"] - before["continue"] == 2
    assert after["refused"] - before["refused"] == 1
    assert figure(client, "bot_http_request_seconds_count", endpoint="ussd.ussd") >= 3


def test_sms_queues_due_reminders_and_spool_are_read_from_redis(client, sms_app, at, db):
    text(client, PHONE, "help")
    assert figure(client, "bot_queue_jobs", queue="sms", state="queued") == 1
    run_worker(sms_app)
    assert figure(client, "bot_queue_jobs", queue="sms", state="queued") == 0
    assert figure(client, "bot_sms_today", status="sent") == 1
    due_list.file(db, {"+254712000009": datetime.now(UTC) - timedelta(minutes=1)})
    assert figure(client, "bot_reminders_due") == 1
    spool.append(sms_app, "incoming", {"from": "+254712000008", "text": "x", "id": "a"})
    assert figure(client, "bot_spool_callbacks") == 1
    assert figure(client, "bot_redis_up") == 1


def test_no_figure_carries_a_number_or_a_text(client, sms_app, at):
    text(client, PHONE, "My baby has a rash since yesterday")
    ussd(client)
    run_worker(sms_app)
    page = client.get("/metrics").get_data(as_text=True)
    assert "712000001" not in page and "rash" not in page


def test_request_log_lines_as_json_with_numbers_masked(client, caplog):
    caplog.set_level(logging.INFO, logger="bot.requests")
    client.get("/api/contacts/%2B254712345678")
    client.get("/healthz")  # polled all day: not logged
    records = [r for r in caplog.records if r.name == "bot.requests"]
    assert len(records) == 1
    line = json.loads(JsonLines().format(records[0]))
    assert line["method"] == "GET" and line["status"] == 401 and line["logger"] == "bot.requests"
    assert line["path"] == "/api/contacts/*********678"
    assert isinstance(line["duration_ms"], float)


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(InvalidSetting, match="LOG_FORMAT"):
        create_app({"TESTING": True, "LOG_FORMAT": "xml"})


def _get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return answer.read().decode()


def _post_ussd(port, session):
    data = f"sessionId={session}&phoneNumber=%2B254712000001&text=&serviceCode=x".encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ussd", data=data, timeout=5) as answer:
        return answer.read().decode()


def test_two_gunicorn_workers_count_together_and_log_json(redis_url, tmp_path):
    """Real gunicorn, two worker processes: every scrape adds up both workers' counts."""
    port, folder = free_port(), tmp_path / "metrics"
    folder.mkdir()
    env = dict(os.environ, REDIS_URL=redis_url, PROMETHEUS_MULTIPROC_DIR=str(folder),
               LOG_FORMAT="json", WEBHOOK_TOKEN="")
    proc = subprocess.Popen(web_command("127.0.0.1", port, 2), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(port, "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for n in range(20):
            assert _post_ussd(port, f"multi-{n}").startswith("CON ")
        counts = set()
        for _ in range(6):  # each scrape may be answered by either worker
            page = _get(port, "/metrics")
            found = re.search(r'^bot_ussd_screens_total\{outcome="continue"\} (\S+)$', page, re.M)
            counts.add(float(found.group(1)))
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert counts == {20.0}
    logged = [json.loads(line) for line in output.splitlines()
              if line.startswith("{") and '"bot.requests"' in line]
    assert len([line for line in logged if line["path"] == "/ussd"]) == 20
    assert "712000001" not in output
