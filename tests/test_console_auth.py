"""The console lets in only its accounts, each to what its role allows, and only forms it sent."""

import logging
import re
import time
from functools import cache
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from bot import config, create_app
from bot.console import accounts, logins
from bot.store import followups

PASSWORD = "correct horse battery"
TOKEN = "test-form-token"
COOKIE = "mm_console"
CONSOLE = Path(__file__).resolve().parent.parent / "bot" / "console"


@pytest.fixture
def app(clean_module_app):
    """Replaces conftest's `app` for this module (client, db and runner use it)."""
    return clean_module_app


@cache
def _hash():
    return generate_password_hash(PASSWORD, method="scrypt")  # scrypt is slow: once per run


def sign_in(client, db, role="staff", name=None):
    """Make an account and a logged-in session for it, without the slow login; return the token."""
    name = name or role
    db.hset(accounts.key(name), mapping={"name": name, "role": role, "password": _hash(),
                                         "stamp": "stamp-1", "created_at": "0"})
    db.sadd(accounts.NAMES, name)
    login_id = logins.start(db, {"name": name, "stamp": "stamp-1"}, 12)
    db.hset(logins.key(login_id), "csrf", TOKEN)
    with client.session_transaction("/console/") as session:
        session.update(login=login_id)
    return TOKEN


def form_token(client):
    """The form token the login page hands out."""
    page = client.get("/console/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, name, password):
    return client.post("/console/login", data={"name": name, "password": password,
                                                "csrf_token": form_token(client)})


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    answer = client.get("/console/followups")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/console/login?next=/console/followups")
    assert client.get("/console/").status_code == 302


def test_log_in_and_out(client, db):
    accounts.create(db, "amina", PASSWORD, "staff")
    answer = log_in(client, "Amina", PASSWORD)
    assert answer.status_code == 302
    assert "Follow-ups" in client.get("/console/followups").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/console/followups").get_data(as_text=True)).group(1)
    answer = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "You are logged out." in answer.get_data(as_text=True)
    assert client.get("/console/followups").status_code == 302


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client, db):
    accounts.create(db, "amina", PASSWORD, "staff")
    wrong = log_in(client, "amina", "not the password")
    unknown = log_in(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        assert "That name and password do not match an account." in answer.get_data(as_text=True)
    assert client.get("/console/followups").status_code == 302


def test_too_many_wrong_tries_lock_the_name_even_with_the_right_password(client, db):
    accounts.create(db, "amina", PASSWORD, "staff")
    db.set("console:login_fails:amina", accounts.FAILS_ALLOWED)
    answer = log_in(client, "amina", PASSWORD)
    assert answer.status_code == 401
    assert "Too many wrong tries" in answer.get_data(as_text=True)


def test_after_login_the_next_page_stays_inside_the_console(client, db):
    accounts.create(db, "amina", PASSWORD, "staff")
    answer = client.post("/console/login", data={"name": "amina", "password": PASSWORD,
                                                 "next": "https://elsewhere.example/",
                                                 "csrf_token": form_token(client)})
    assert answer.headers["Location"] == "/console/"


@pytest.mark.parametrize("token", [None, "", "guessed-token"])
def test_a_post_without_the_right_form_token_is_refused(client, db, token):
    sign_in(client, db)
    pipe = db.pipeline()
    followup_id = followups.add(pipe, "+254712000001", "callback", "pmtct", "ussd")
    pipe.execute()
    data = {"note": "called"} | ({"csrf_token": token} if token is not None else {})
    answer = client.post(f"/console/followups/{followup_id}/close", data=data)
    assert answer.status_code == 400
    assert "This form had expired" in answer.get_data(as_text=True)
    assert db.hget(followups.key(followup_id), "status") == "open"


def test_the_login_form_needs_its_token_too(client, db):
    accounts.create(db, "amina", PASSWORD, "staff")
    answer = client.post("/console/login", data={"name": "amina", "password": PASSWORD})
    assert answer.status_code == 400
    assert client.get("/console/followups").status_code == 302


def test_scripts_send_the_token_in_a_header(client, db):
    sign_in(client, db)
    url = "/console/simulator/outbox"
    assert client.post(url, json={"phone": "+254700000001"}).status_code == 400
    answer = client.post(url, json={"phone": "+254700000001"}, headers={"X-CSRF-Token": TOKEN})
    assert answer.status_code == 200


def test_staff_cannot_open_or_save_texts(client, db):
    sign_in(client, db, "staff")
    answer = client.get("/console/texts")
    assert answer.status_code == 403
    assert "editors only" in answer.get_data(as_text=True)
    answer = client.post("/console/texts", data={"key": "main.title", "text_en": "Hi",
                                                 "csrf_token": TOKEN})
    assert answer.status_code == 403
    assert 'href="/console/texts"' not in client.get("/console/flows").get_data(as_text=True)


def test_a_removed_account_is_logged_out(client, db):
    sign_in(client, db, "editor", "otieno")
    assert client.get("/console/followups").status_code == 200
    accounts.remove(db, "otieno")
    assert client.get("/console/followups").status_code == 302


def _copied_cookie(client, app):
    """A second browser holding a copy of `client`'s login cookie."""
    other = app.test_client()
    cookie = client.get_cookie(COOKIE, path="/console")
    other.set_cookie(COOKIE, cookie.value, path="/console")
    return other


def test_a_cookie_copied_before_logout_is_refused_after_it(client, db, app):
    accounts.create(db, "amina", PASSWORD, "staff")
    log_in(client, "amina", PASSWORD)
    copy = _copied_cookie(client, app)
    assert copy.get("/console/followups").status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/console/followups").get_data(as_text=True)).group(1)
    client.post("/console/logout", data={"csrf_token": token})
    answer = copy.get("/console/followups")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/console/login")
    refused = copy.post("/console/simulator/outbox", json={"phone": "+254700000001"},
                        headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert refused.status_code == 400  # the form token ended with the login too
    assert not [name for name in db.keys("console:login*")]


def test_the_cookie_holds_only_a_login_id_and_the_login_is_kept_in_redis(client, db, app):
    accounts.create(db, "amina", PASSWORD, "staff")
    log_in(client, "amina", PASSWORD)
    with client.session_transaction("/console/") as session:
        assert set(session) == {"login"}
        login_id = session["login"]
    record = db.hgetall(logins.key(login_id))
    assert record["user"] == "amina" and record["csrf"]
    hours = app.config["CONSOLE_SESSION_HOURS"]
    assert hours * 3600 - 60 < db.ttl(logins.key(login_id)) <= hours * 3600
    db.hset(logins.key(login_id), "since", int(time.time() - hours * 3600 - 1))
    assert client.get("/console/followups").status_code == 302  # past CONSOLE_SESSION_HOURS


def test_users_remove_ends_every_login_of_the_account_at_once(client, db, app, runner):
    accounts.create(db, "amina", PASSWORD, "staff")
    accounts.create(db, "juma", PASSWORD, "staff")
    log_in(client, "amina", PASSWORD)
    laptop = _copied_cookie(client, app)
    phone = app.test_client()
    log_in(phone, "amina", PASSWORD)
    other = app.test_client()
    log_in(other, "juma", PASSWORD)
    assert runner.invoke(args=["users", "remove", "amina"]).exit_code == 0
    assert db.keys(f"{logins.by_user_key('amina')}*") == []
    assert [db.hget(name, "user") for name in db.keys("console:login:*")] == ["juma"]
    accounts.create(db, "amina", PASSWORD, "staff")  # made again: the old logins stay ended
    for browser in (client, laptop, phone):
        assert browser.get("/console/followups").status_code == 302
    assert other.get("/console/followups").status_code == 200


def test_the_login_cookie_is_kept_from_scripts_other_sites_and_plain_http(client, db):
    accounts.create(db, "amina", PASSWORD, "staff")
    cookie = log_in(client, "amina", PASSWORD).headers["Set-Cookie"]
    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/console"):
        assert flag in cookie


def test_pages_carry_security_headers_and_no_outside_address(client, db):
    sign_in(client, db)
    answer = client.get("/console/followups")
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
    for path in CONSOLE.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".svg"):
            text = path.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), path.name


def test_an_unknown_console_page_is_a_plain_page_not_a_traceback(client, db):
    sign_in(client, db)
    answer = client.get("/console/no-such-page")
    assert answer.status_code == 404
    assert "There is no such page in the console." in answer.get_data(as_text=True)


def test_the_users_command_creates_lists_and_removes_accounts(runner, db):
    made = runner.invoke(args=["users", "create", "Wanjiru", "--role", "editor"],
                         input=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.exit_code == 0, made.output
    assert accounts.get(db, "wanjiru")["role"] == "editor"
    assert PASSWORD not in db.hget(accounts.key("wanjiru"), "password")
    listed = runner.invoke(args=["users", "list"])
    assert "wanjiru" in listed.output and "editor" in listed.output
    again = runner.invoke(args=["users", "create", "wanjiru"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code == 1 and "already an account" in again.output
    short = runner.invoke(args=["users", "create", "juma"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert runner.invoke(args=["users", "remove", "wanjiru"]).exit_code == 0
    assert runner.invoke(args=["users", "remove", "wanjiru"]).exit_code == 1


def test_without_secret_key_a_random_one_is_made_and_said(redis_url, caplog, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    caplog.set_level(logging.WARNING)
    first = create_app({"TESTING": True, "REDIS_URL": redis_url})
    second = create_app({"TESTING": True, "REDIS_URL": redis_url})
    assert first.secret_key and first.secret_key != second.secret_key
    first.test_client().get("/console/login")
    first.test_client().get("/console/login")
    assert caplog.text.count("SECRET_KEY is not set") == 1
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app({"TESTING": True, "REDIS_URL": redis_url}).secret_key == "from-the-environment"


@pytest.mark.parametrize("raw, wanted", [("0", False), ("false", False), ("1", True), ("yes", True)])
def test_the_secure_cookie_setting_reads_on_and_off(raw, wanted):
    assert config.from_environment({"SESSION_COOKIE_SECURE": raw})["SESSION_COOKIE_SECURE"] is wanted
