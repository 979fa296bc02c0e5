"""The console's Versions page: the history of published flows and texts, a comparison, a rollback."""

import pytest

from bot import content_service
from bot.content_versions import versions

from .test_console_auth import TOKEN, sign_in
from .test_content_versions import save_text


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


@pytest.fixture
def editor(client, db):
    sign_in(client, db, "editor", name="otieno")
    return client


def test_staff_who_are_not_editors_cannot_see_or_roll_back(client, db):
    sign_in(client, db, "staff")
    assert client.get("/console/content").status_code == 403
    assert client.post("/console/content/1/rollback",
                       headers={"X-CSRF-Token": TOKEN}).status_code == 403


def test_the_history_lists_each_version_with_who_and_what_changed(editor):
    assert save_text(editor, "main.appointments", en="My clinic visits").status_code == 200
    page = editor.get("/console/content").get_data(as_text=True)
    assert "Version 2</a> <span class=\"tag\">served now</span>" in page
    assert "main.appointments (en)" in page and "otieno" in page
    assert "The first version (" in page


def test_a_version_shows_the_old_and_new_words(editor):
    save_text(editor, "main.appointments", en="My clinic visits")
    page = editor.get("/console/content/2").get_data(as_text=True)
    assert "Changes from version 1" in page
    assert "Clinic, my health" in page and "My clinic visits" in page
    assert "Publish version 2 again" not in page  # it is served now
    assert editor.get("/console/content/99").status_code == 404


def test_publishing_an_old_version_again_makes_it_the_newest(app, editor, db):
    save_text(editor, "main.appointments", en="My clinic visits")
    answer = editor.post("/console/content/1/rollback", headers={"X-CSRF-Token": TOKEN})
    assert answer.status_code == 302
    assert versions.current(db)[0] == 3
    assert versions.info(db, 3)["who"] == "otieno"
    assert content_service.current(app).texts.strings["en"]["main.appointments"] == \
        "Clinic, my health"
    page = editor.get("/console/content", follow_redirects=True).get_data(as_text=True)
    assert "Back to version 1" in page


def test_a_rollback_without_the_form_token_is_refused(editor, db):
    save_text(editor, "main.appointments", en="My clinic visits")
    assert editor.post("/console/content/1/rollback").status_code == 400
    assert versions.current(db)[0] == 2
