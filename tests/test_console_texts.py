"""Editors change texts in the console; a change the checker would refuse never reaches the files."""

import shutil
from pathlib import Path

import pytest
import yaml

from bot import content_service, store
from bot.console import locale_edit
from bot.content_versions import versions

from .test_console_auth import TOKEN, sign_in

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


@pytest.fixture
def folder(app, tmp_path):
    """The app reading a copy of flows/ and locales/ that the test may change."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    app.config.update(FLOWS_DIR=str(tmp_path / "flows"), LOCALES_DIR=str(tmp_path / "locales"))
    return tmp_path / "locales"


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """A copy of flows/ and locales/ shared by tests that must leave it as it was."""
    folder = tmp_path_factory.mktemp("content")
    shutil.copytree(ROOT / "flows", folder / "flows")
    shutil.copytree(ROOT / "locales", folder / "locales")
    return folder


@pytest.fixture
def editor(client, db, folder):
    sign_in(client, db, "editor")
    return client


def save(client, key, **texts):
    data = {"key": key, **{f"text_{lang}": text for lang, text in texts.items()}}
    return client.post("/console/texts", json=data, headers={"X-CSRF-Token": TOKEN})


@pytest.mark.parametrize("key, lang, text, said", [
    ("sms_replies.help", "en", "Mama Mentor: " + "reply MENU for the menu. " * 7,
     "The en SMS is 188 characters; it costs 2 SMS parts instead of 1."),
    ("sms_reminders.day_before", "sw", "Kumbusho: %{visit} ni kesho katika %{clinic}.",
     "uses different %{...} blanks in different languages"),
    ("sms_replies.question", "en", "Thank you for your \u201cmessage\u201d.",
     "which are not GSM characters"),
    ("pmtct.title", "en", "Protect baby\u2019s health", "many phones show as boxes"),
    ("main.title", "sw", "", "The sw text is empty."),
    ("main.title", "en", "Main\nmenu", "Write it on one line"),
    ("main.title", "en", "Main\x7fmenu", "uses '\\x7f', which many phones show as boxes"),
    ("sms_replies.question", "en", "Asante\x9b", "uses '\\x9b', which are not GSM characters"),
    ("no_such.key", "en", "Hello", "There is no file locales/no_such.en.yml."),
])
def test_an_edit_the_checker_refuses_is_not_saved(untouched, key, lang, text, said):
    locales = untouched / "locales"
    before = {path.name: path.read_bytes() for path in locales.iterdir()}
    with pytest.raises(locale_edit.EditRefused) as refused:
        locale_edit.save(untouched / "flows", locales, key, {lang: text})
    assert any(said in problem["message"] for problem in refused.value.problems), refused.value
    assert {path.name: path.read_bytes() for path in locales.iterdir()} == before


def test_the_page_shows_the_checkers_refusal(editor, folder):
    before = (folder / "sms_replies.en.yml").read_bytes()
    # With the programme's name (the default, 13 letters) the SMS is 170 characters.
    answer = save(editor, "sms_replies.help", en="%{programme} " + "x" * 156)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["ok"] is False and body["message"].startswith("Not saved")
    assert body["problems"] == [{
        "message": "The en SMS is 170 characters; it costs 2 SMS parts instead of 1.",
        "where": "locales/sms_replies.en.yml, key sms_replies.help",
        "fix": "Shorten it to 160 plain characters; use straight quotes ' \" and '-'."}]
    assert (folder / "sms_replies.en.yml").read_bytes() == before


def test_a_control_character_yaml_cannot_hold_is_refused_by_the_checker_not_a_500(editor, folder):
    before = (folder / "main.en.yml").read_bytes()
    answer = save(editor, "main.title", en="Main\x9b menu")
    assert answer.status_code == 422
    assert "uses '\\x9b', which many phones show" in answer.get_json()["problems"][0]["message"]
    assert (folder / "main.en.yml").read_bytes() == before


def published(app, name):
    """The file locales/`name` as the version served now holds it."""
    content_service.look_again(app)
    number, _ = content_service.serving(app)
    return versions.files(store.redis(app), number)[f"locales/{name}"].decode("utf-8")


def test_a_valid_edit_publishes_a_version_with_one_line_changed_and_every_comment(app, editor,
                                                                                   folder):
    path = folder / "pmtct.en.yml"
    in_checkout = path.read_bytes()
    before = path.read_text(encoding="utf-8").splitlines()
    new = 'Test for HIV at your first clinic visit, and again late in pregnancy. Say "test me".'
    answer = save(editor, "pmtct.test_when_text", en=new)
    assert answer.status_code == 200
    assert answer.get_json()["message"].startswith("Saved the English text.")
    after = published(app, "pmtct.en.yml").splitlines()
    changed = [(old, cur) for old, cur in zip(before, after, strict=True) if old != cur]
    at = next(n for n, text in enumerate(before) if text.startswith("test_when_text:"))
    assert changed == [(before[at], 'test_when_text: "Test for HIV at your first clinic visit, and '
                                    'again late in pregnancy. Say \\"test me\\"."')]
    assert [line for line in after if line.startswith("#")] == \
        [line for line in before if line.startswith("#")]
    assert yaml.safe_load(published(app, "pmtct.en.yml"))["test_when_text"] == new
    assert path.read_bytes() == in_checkout  # the checkout is the deployment's; export writes it
    info = versions.history(store.redis(app))[0]
    assert (info["number"], info["who"]) == (2, "editor")
    assert info["changes"]["texts"][0]["key"] == "pmtct.test_when_text"
    assert info["changes"]["texts"][0]["new"] == new
    assert content_service.current(app).texts.get("pmtct.test_when_text", "en") == new


def test_both_languages_are_saved_together_and_a_trailing_comment_stays(app, editor, folder):
    en, sw = "Go to the nearest hospital now if baby is not feeding.", "Nenda hospitali iliyo karibu sasa."
    assert save(editor, "sms_baby.w01", en=en, sw=sw).status_code == 200
    line = next(x for x in published(app, "sms_baby.en.yml").splitlines() if x.startswith("w01"))
    assert line.startswith(f'w01: "{en}"  # Source: WHO Recommendations on Postnatal Care')
    assert yaml.safe_load(published(app, "sms_baby.sw.yml"))["w01"] == sw
    assert versions.current(store.redis(app))[0] == 2  # one version for both languages


def test_an_edit_made_on_an_old_page_is_refused(editor, folder):
    answer = editor.post("/console/texts", headers={"X-CSRF-Token": TOKEN}, json={
        "key": "main.title", "text_en": "Menu", "was_en": "Not what the file holds"})
    assert answer.status_code == 422
    assert "Someone changed the en text" in answer.get_json()["problems"][0]["message"]


def test_the_editor_works_without_javascript(editor, folder):
    page = editor.get("/console/texts?key=main.title").get_data(as_text=True)
    assert "English" in page and "Kiswahili" in page and "locales/main.en.yml, line" in page
    answer = editor.post("/console/texts", data={"key": "main.title", "text_en": "Mama Mentor menu",
                                                 "csrf_token": TOKEN})
    assert answer.status_code == 200
    assert "Saved the English text." in answer.get_data(as_text=True)
    refused = editor.post("/console/texts", data={"key": "main.title", "text_en": "Menu \u2019",
                                                  "csrf_token": TOKEN})
    assert refused.status_code == 422
    assert "many phones show as boxes" in refused.get_data(as_text=True)
    assert 'name="was_en" value="Mama Mentor menu"' in refused.get_data(as_text=True)  # the file's


def test_texts_can_be_found_by_their_words(editor):
    page = editor.get("/console/texts?q=breastfeed").get_data(as_text=True)
    assert "/console/texts?key=pmtct.breastfeeding" in page


@pytest.mark.parametrize("source, name, text, expected", [
    ('# Source: WHO\na: "old"\nb: "keep"\n', "a", 'Say "yes" \\ no',
     '# Source: WHO\na: "Say \\"yes\\" \\\\ no"\nb: "keep"\n'),
    ('"yes": "Yes"  # a word\r\n', "yes", "Ndiyo", '"yes": "Ndiyo"  # a word\r\n'),
    ('a: "x"\n', "a", "line\u2028separator", 'a: "line\\u2028separator"\n'),
])
def test_one_line_is_rewritten_and_reads_back_as_written(source, name, text, expected):
    changed = locale_edit.replace_text(source, name, text)
    assert changed == expected
    assert yaml.safe_load(changed)[name] == text


def test_a_line_the_console_cannot_rewrite_safely_is_left_to_a_person():
    with pytest.raises(locale_edit.EditRefused, match="Change it in the file by hand"):
        locale_edit.replace_text("a: >\n  folded\n  text\n", "a", "new")
