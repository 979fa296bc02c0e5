"""BOT_ENV: production refuses to start with open webhooks; development is the default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import config, create_app
from bot.errors import InvalidSetting

ROOT = Path(__file__).resolve().parent.parent


def test_development_is_the_default_and_runs_without_a_token(redis_url):
    app = create_app({"REDIS_URL": redis_url, "WEBHOOK_TOKEN": ""})
    assert app.config["BOT_ENV"] == "development"


def test_production_refuses_to_start_without_webhook_token(redis_url):
    settings = config.from_environment({"BOT_ENV": "Production", "WEBHOOK_TOKEN": " "})
    with pytest.raises(InvalidSetting) as refused:
        create_app({**settings, "REDIS_URL": redis_url})
    assert str(refused.value).startswith("The setting WEBHOOK_TOKEN cannot be used: it is unset")


def test_production_starts_with_a_token(redis_url):
    app = create_app({"BOT_ENV": "production", "WEBHOOK_TOKEN": "s3cret", "REDIS_URL": redis_url,
                      "SECRET_KEY": "k" * 64})
    assert app.config["BOT_ENV"] == "production"


def test_a_misspelt_environment_is_refused(redis_url):
    with pytest.raises(InvalidSetting, match="The setting BOT_ENV cannot be used: 'prod'"):
        create_app({"BOT_ENV": "prod", "REDIS_URL": redis_url})


def test_gunicorn_as_the_procfile_runs_it_stops_with_one_line_naming_the_token(redis_url):
    web = (ROOT / "Procfile").read_text().splitlines()[0].removeprefix("web:").split()
    assert web[0] == "BOT_ENV=production"  # the Procfile sets production for the web
    env = dict(os.environ, REDIS_URL=redis_url, WEBHOOK_TOKEN="", PORT="0")
    env.pop("BOT_ENV", None)
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0",
               *web[web.index("wsgi:app"):]]
    done = subprocess.run(["env", web[0], *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    said = [line for line in done.stderr.splitlines() if "WEBHOOK_TOKEN" in line]
    assert len(said) == 1 and said[0].startswith("The setting WEBHOOK_TOKEN cannot be used")
    assert "Traceback" not in done.stderr


@pytest.fixture
def allow_app(redis_url):
    return create_app({"REDIS_URL": redis_url, "WEBHOOK_TOKEN": "s3cret",
                       **config.from_environment({"WEBHOOK_ALLOW": "192.0.2.0/24, 2001:db8::1"})})


@pytest.mark.parametrize("address, status", [("192.0.2.77", 200), ("2001:db8::1", 200),
                                             ("198.51.100.5", 403)])
def test_webhook_allow_lets_only_its_networks_call(allow_app, address, status):
    answer = allow_app.test_client().post(
        "/ussd?token=s3cret", data={"sessionId": "allow1", "phoneNumber": "+254712000601",
                                    "text": ""}, environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == status
    if status == 403:
        assert answer.get_data(as_text=True) == "Forbidden: this address may not call the webhooks."


def test_webhook_allow_refuses_what_is_not_a_network(redis_url):
    with pytest.raises(InvalidSetting, match="WEBHOOK_ALLOW cannot be used: entry 2 \\('at'\\)"):
        create_app({"REDIS_URL": redis_url, "WEBHOOK_ALLOW": "192.0.2.0/24,at"})


@pytest.mark.parametrize("written, named, said", [
    ({"DISPATCH_JOBS": "two"}, "DISPATCH_JOBS", "'two' is not a number"),
    ({"SEND_FROM": "8am"}, "SEND_FROM", "'8am' is not a time of day"),
    ({"REMINDER_MORNING_AT": "25:00"}, "REMINDER_MORNING_AT", "is not a time of day"),
    ({"BOT_TIMEZONE": "Nairobi"}, "BOT_TIMEZONE", "'Nairobi' is not a time zone name"),
    ({"REDIS_URL": "http://admin:pw@10.0.0.5:6379"}, "REDIS_URL", "is not a Redis address"),
    ({"DISPATCH_JOBS": "0"}, "DISPATCH_JOBS", "0 is outside 1 to 16"),
    ({"STAGE_MESSAGE_WEEKDAY": "7"}, "STAGE_MESSAGE_WEEKDAY", "outside 0 to 6"),
    ({"PHONE_REGION": "Kenya"}, "PHONE_REGION", "is not a country code"),
    ({"SMS_RETRY_SECONDS": "10,soon"}, "SMS_RETRY_SECONDS", "is not a number"),
])
def test_a_wrong_setting_is_refused_at_start_naming_it_and_the_fix(redis_url, written, named, said):
    with pytest.raises(InvalidSetting) as refused:
        create_app({"REDIS_URL": redis_url, **config.from_environment(written)})
    text = str(refused.value)
    assert text.startswith(f"The setting {named} cannot be used: ") and said in text
    assert "Fix: " in text and "pw" not in text  # never a password from a URL


def test_production_names_every_missing_setting_on_its_own_line(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)  # as on a node where no one set it
    with pytest.raises(InvalidSetting) as refused:
        create_app(config.from_environment({"BOT_ENV": "production"}))
    lines = str(refused.value).splitlines()
    assert [line.split(" cannot")[0] for line in lines] == [
        "The setting WEBHOOK_TOKEN", "The setting REDIS_URL", "The setting SECRET_KEY"]


@pytest.mark.parametrize("command", [["worker.py"], ["-m", "gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"]],
                         ids=["worker", "web"])
def test_worker_and_web_stop_with_one_line_per_wrong_setting(command):
    env = dict(os.environ, BOT_ENV="production", REDIS_URL="", SECRET_KEY="", WEBHOOK_TOKEN="x",
               SEND_FROM="8am")
    done = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    for name in ("REDIS_URL", "SECRET_KEY", "SEND_FROM"):
        assert sum(line.startswith(f"The setting {name} cannot be used") for line in
                   done.stderr.splitlines()) == 1, done.stderr
