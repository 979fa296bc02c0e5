"""The Texts page shows each text's review, filters by it, lists console changes and undoes them."""

import re

import pytest
import yaml

from bot.review import history, trail

from .test_console_auth import TOKEN, sign_in
from .test_console_texts import editor, folder, published, save  # noqa: F401  (fixtures used below)


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


def review(locales, key, language, role, text):
    found = trail.load(locales)[0]
    found.record(key, language, role, text, by="Dr Test")
    trail.save(locales, found)


def undo(client, key, change, as_json=True):
    data = {"key": key, "change": change}
    if as_json:
        return client.post("/console/texts/undo", json=data, headers={"X-CSRF-Token": TOKEN})
    return client.post("/console/texts/undo", data={**data, "csrf_token": TOKEN})


def changes_on_page(client, key):
    page = client.get(f"/console/texts?key={key}").get_data(as_text=True)
    return page, re.findall(r'name="change" value="([0-9a-f]+)"', page)


def test_the_filter_lists_texts_by_review_state_in_each_language(app, editor, folder):  # noqa: F811
    review(folder, "main.title", "sw", "language", _words(app, "main.sw.yml", "title"))
    page = editor.get("/console/texts?q=main.&state=reviewed&language=sw").get_data(as_text=True)
    assert "1 text(s) match \"main.\" and are reviewed in Kiswahili" in page
    assert "main.title" in page and "reviewed by language on" in page
    page = editor.get("/console/texts?q=main.&state=unreviewed&language=sw").get_data(as_text=True)
    assert 'href="/console/texts?key=main.title"' not in page
    page = editor.get("/console/texts?q=main.&state=unreviewed").get_data(as_text=True)
    assert 'href="/console/texts?key=main.title"' in page  # English still needs the programme
    page = editor.get("/console/texts?state=unreviewed&language=en").get_data(as_text=True)
    assert re.search(r"\d+ text\(s\) are unreviewed in English", page)
    assert "verify: needs a clinician" in page and "no source in the file" in page


def test_saving_a_reviewed_text_marks_it_changed_and_records_the_change(app, editor, folder):  # noqa: F811
    old = _words(app, "nutrition.en.yml", "six_months")
    review(folder, "nutrition.six_months", "en", "clinician", old)
    page = editor.get("/console/texts?key=nutrition.six_months").get_data(as_text=True)
    assert "reviewed by clinician on" in page and "No changes made in the console yet." in page

    answer = save(editor, "nutrition.six_months", en="Breast milk only to 6 months")
    assert answer.status_code == 200
    assert "now shows as changed since review" in answer.get_json()["message"]
    page, ids = changes_on_page(editor, "nutrition.six_months")
    assert "Changed since review" in page and "changed since the clinician review of" in page
    assert len(ids) == 1 and old in page and "Breast milk only to 6 months" in page
    assert '<td>editor</td><td>English</td>' in page
    listed = editor.get("/console/texts?q=nutrition.six&state=changed").get_data(as_text=True)
    assert 'href="/console/texts?key=nutrition.six_months"' in listed


def test_undo_writes_the_old_words_back_and_is_itself_recorded(app, editor, folder):  # noqa: F811
    old = _words(app, "nutrition.en.yml", "six_months")
    before = (folder / "nutrition.en.yml").read_bytes()
    save(editor, "nutrition.six_months", en="Breast milk only to 6 months")
    change = changes_on_page(editor, "nutrition.six_months")[1][0]
    answer = undo(editor, "nutrition.six_months", change, as_json=False)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "Undone: the en text is back as it was." in answer.get_data(as_text=True)
    assert (folder / "nutrition.en.yml").read_bytes() == before
    page, ids = changes_on_page(editor, "nutrition.six_months")
    assert len(ids) == 1 and "Undone</span>" in page and '<span class="tag">undo</span>' in page
    assert _words(app, "nutrition.en.yml", "six_months") == old


def test_undo_is_refused_when_the_text_changed_again_since(app, editor, folder):  # noqa: F811
    save(editor, "nutrition.six_months", en="Breast milk only to 6 months")
    first = changes_on_page(editor, "nutrition.six_months")[1][0]
    save(editor, "nutrition.six_months", en="Only breast milk, 6 months")
    answer = undo(editor, "nutrition.six_months", first)
    assert answer.status_code == 422
    assert "changed again after this change" in answer.get_json()["message"]
    assert _words(app, "nutrition.en.yml", "six_months") == "Only breast milk, 6 months"


def test_undo_is_refused_when_the_checker_rejects_the_old_words(app, db, editor, folder):  # noqa: F811
    save(editor, "sms_replies.help", en="%{programme}: reply MENU for the menu.")
    change = changes_on_page(editor, "sms_replies.help")[1][0]
    # Since that change, the Kiswahili text gained a blank the old English one does not have.
    name = "help"
    sw = _words(app, "sms_replies.sw.yml", name)
    assert save(editor, "sms_replies.help", en="%{programme}: reply MENU for the menu at %{clinic}.",
                sw=sw + " %{clinic}").status_code == 200
    latest = next(c["id"] for c in history.changes(db, "sms_replies.help") if c["language"] == "en")
    answer = undo(editor, "sms_replies.help", latest)
    assert answer.status_code == 422
    body = answer.get_json()
    assert "Not undone: the check found a problem" in body["message"] and body["problems"]
    assert _words(app, "sms_replies.en.yml", name) == "%{programme}: reply MENU for the menu at %{clinic}."
    assert change != latest


def test_an_unknown_change_cannot_be_undone(editor, folder):  # noqa: F811
    answer = undo(editor, "nutrition.six_months", "0123456789ab")
    assert answer.status_code == 422 and "not in the text's history" in answer.get_json()["message"]


def test_staff_cannot_undo(client, db, folder):  # noqa: F811
    sign_in(client, db, "staff")
    assert undo(client, "nutrition.six_months", "0123456789ab").status_code == 403


def _words(app, file, name):
    """The words of `name` in locales/`file` as the version served now holds them."""
    return yaml.safe_load(published(app, file))[name]


def test_a_broken_side_file_is_said_on_the_page(editor, folder):  # noqa: F811
    (folder / trail.FILE).write_text("health_topics: [nutrition]\nreviews: {x: 1}\n", encoding="utf-8")
    page = editor.get("/console/texts?q=nutrition.&state=unreviewed").get_data(as_text=True)
    assert "locales/reviews.yaml cannot be read, so every text shows as unreviewed." in page
    assert "locales/reviews.yaml, line 2" in page
