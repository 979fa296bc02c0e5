"""Published content is one truth for every node: numbered versions in Redis.

Two "nodes" here are two apps, each with its own checkout and instance folder,
on one Redis, as two web machines behind one USSD code are.
"""

import shutil
import time
from pathlib import Path

import pytest
import yaml

from bot import content_service, create_app, store
from bot.content_versions import versions

from .test_console_auth import TOKEN, sign_in
from .ussd_caller import Caller

ROOT = Path(__file__).resolve().parent.parent
EVERY = 0.05  # CONTENT_RELOAD_SECONDS of both nodes
MENU_EN = "5. Clinic, my health"


def make_node(redis_url, folder):
    """An app serving its own copy of the checkout, with its own instance folder."""
    shutil.copytree(ROOT / "flows", folder / "flows")
    shutil.copytree(ROOT / "locales", folder / "locales")
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "WEBHOOK_TOKEN": "",
                      "CONTENT_RELOAD_SECONDS": EVERY, "FLOWS_DIR": str(folder / "flows"),
                      "LOCALES_DIR": str(folder / "locales")})
    app.instance_path = str(folder / "instance")
    return app


@pytest.fixture
def nodes(redis_url, tmp_path):
    first = make_node(redis_url, tmp_path / "a")
    second = make_node(redis_url, tmp_path / "b")
    store.redis(first).flushdb()
    yield first, second
    for app in (first, second):
        store.redis(app).close()


def served(app, key, language="en"):
    """The words of `key` the node serves now, after its next look at Redis."""
    time.sleep(EVERY * 2)
    return content_service.current(app).texts.strings[language][key]


def main_menu(caller):
    """Dial as a new caller: English, no SMS for now; return the main menu."""
    caller.dial()
    caller.send("1")
    return caller.send("2")


def save_text(client, key, **texts):
    data = {"key": key, **{f"text_{lang}": text for lang, text in texts.items()}}
    return client.post("/console/texts", json=data, headers={"X-CSRF-Token": TOKEN})


def test_the_first_node_publishes_the_checkout_as_version_1_by_system(nodes):
    first, second = nodes
    assert content_service.serving(first)[0] == 1
    assert content_service.serving(second)[0] == 1
    db = store.redis(first)
    assert [(v["number"], v["who"]) for v in versions.history(db)] == [(1, "system")]
    assert versions.files(db, 1) == content_service.checkout_files(first)


def test_a_console_edit_on_one_node_is_served_by_the_other_within_seconds(nodes):
    first, second = nodes
    assert served(second, "main.appointments") == "Clinic, my health"
    editor = first.test_client()
    sign_in(editor, store.redis(first), "editor")
    assert save_text(editor, "main.appointments", en="My clinic visits").status_code == 200
    assert served(second, "main.appointments") == "My clinic visits"
    assert "5. My clinic visits" in main_menu(Caller(second.test_client()))
    # The checkouts are the deployment's: neither node's files changed.
    for app in nodes:
        text = (Path(app.config["LOCALES_DIR"]) / "main.en.yml").read_text(encoding="utf-8")
        assert '"Clinic, my health"' in text


def test_an_edit_on_the_other_node_is_checked_against_the_shared_version(nodes):
    first, second = nodes
    one, two = first.test_client(), second.test_client()
    sign_in(one, store.redis(first), "editor")
    sign_in(two, store.redis(first), "editor")
    assert save_text(one, "main.appointments", en="My clinic visits").status_code == 200
    # An editor on the other node, with the page opened before that edit, is told so.
    stale = two.post("/console/texts", headers={"X-CSRF-Token": TOKEN}, json={
        "key": "main.appointments", "text_en": "Clinic", "was_en": "Clinic, my health"})
    assert stale.status_code == 422
    assert "Someone changed the en text" in stale.get_json()["problems"][0]["message"]
    assert save_text(two, "main.title", en="Mama Mentor menu").status_code == 200
    db = store.redis(first)
    assert versions.current(db)[0] == 3
    both = content_service.current(first).texts.strings["en"]
    assert (both["main.appointments"], both["main.title"]) == ("My clinic visits", "Mama Mentor menu")


def test_history_records_who_when_and_the_old_and_new_words(nodes):
    first, _ = nodes
    editor = first.test_client()
    sign_in(editor, store.redis(first), "editor", name="amina")
    before = time.time()
    answer = save_text(editor, "main.appointments", en="My clinic visits")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    latest = versions.history(store.redis(first))[0]
    assert latest["number"] == 2 and latest["who"] == "amina" and latest["at"] >= before
    assert latest["changes"]["changed"] == ["locales/main.en.yml"]
    assert latest["changes"]["texts"] == [{"key": "main.appointments", "language": "en",
                                           "old": "Clinic, my health", "new": "My clinic visits"}]


def test_a_broken_publish_is_refused_with_the_checkers_problems_and_nothing_changes(nodes):
    first, second = nodes
    content_service.serving(first)
    flow = Path(first.config["FLOWS_DIR"]) / "main.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace("flow: danger_signs}",
                                                              "flow: danger_signz}"))
    result = first.test_cli_runner().invoke(args=["content", "publish", "--by", "Amina"])
    assert result.exit_code == 1
    assert "main.yaml" in result.output and "danger_signz" in result.output
    assert "Nothing was published" in result.output
    db = store.redis(first)
    assert versions.current(db)[0] == 1 and len(versions.history(db)) == 1
    assert "4. Danger signs" in main_menu(Caller(second.test_client()))


def test_a_session_started_on_version_1_stays_on_it_when_version_2_is_published(nodes):
    first, second = nodes
    caller = Caller(first.test_client())
    assert MENU_EN in main_menu(caller)
    editor = second.test_client()
    sign_in(editor, store.redis(first), "editor")
    assert save_text(editor, "main.appointments", en="My clinic visits").status_code == 200
    assert served(first, "main.appointments") == "My clinic visits"
    assert MENU_EN in caller.send("00")  # same session, same node: still version 1
    caller.client = second.test_client()  # AT may send her next screen to the other node
    assert MENU_EN in caller.send("00")
    assert "5. My clinic visits" in caller.dial()  # a new call starts on version 2


def test_a_mentor_mother_s_work_session_stays_on_the_version_it_started_on(nodes):
    """Her work menu keeps one version's words for the whole call, as a mother's menus do."""
    from bot import mentors

    first, second = nodes
    db = store.redis(first)
    mentors.add(db, "+254712300500", "Grace Achieng", "13939", "4826")
    caller = Caller(first.test_client(), "+254712300500")
    caller.dial()
    assert "Hello Grace." in caller.send("4826")
    editor = second.test_client()
    sign_in(editor, db, "editor")
    assert save_text(editor, "mentor_work.home", en="Karibu %{name}. Choose:").status_code == 200
    assert served(first, "mentor_work.home") == "Karibu %{name}. Choose:"
    assert "Hello Grace." in caller.send("00")  # same call: still the words it started with
    caller.client = second.test_client()
    assert "Hello Grace." in caller.send("00")
    caller.dial()
    assert "Karibu Grace. Choose:" in caller.send("4826")  # a new call: the new words


def test_rollback_publishes_an_old_version_again(nodes):
    first, second = nodes
    editor = first.test_client()
    sign_in(editor, store.redis(first), "editor")
    save_text(editor, "main.appointments", en="My clinic visits")
    runner = second.test_cli_runner()
    result = runner.invoke(args=["content", "rollback", "1", "--by", "Amina"])
    assert result.exit_code == 0, result.output
    assert "Published version 3" in result.output
    db = store.redis(first)
    assert versions.files(db, 3) == versions.files(db, 1)
    assert versions.info(db, 3)["note"] == "Back to version 1"
    assert served(first, "main.appointments") == "Clinic, my health"
    history = runner.invoke(args=["content", "history"]).output
    assert "*    3" in history and "Amina" in history and "editor" in history


def test_diff_shows_the_old_and_new_words(nodes):
    first, _ = nodes
    editor = first.test_client()
    sign_in(editor, store.redis(first), "editor")
    save_text(editor, "main.appointments", en="My clinic visits")
    result = first.test_cli_runner().invoke(args=["content", "diff", "1", "2"])
    assert result.exit_code == 0
    assert ("main.appointments (en):\n  - Clinic, my health\n  + My clinic visits\n"
            in result.output)
    missing = first.test_cli_runner().invoke(args=["content", "diff", "1", "9"])
    assert missing.exit_code == 1 and "There is no version 9" in missing.output


def test_export_writes_files_that_flows_check_accepts(nodes, tmp_path, redis_url):
    first, _ = nodes
    editor = first.test_client()
    sign_in(editor, store.redis(first), "editor")
    save_text(editor, "main.appointments", en="My clinic visits")
    out = tmp_path / "exported"
    result = first.test_cli_runner().invoke(args=["content", "export", "2", str(out)])
    assert result.exit_code == 0, result.output
    words = yaml.safe_load((out / "locales" / "main.en.yml").read_text(encoding="utf-8"))
    assert words["appointments"] == "My clinic visits"
    checker = create_app({"TESTING": True, "REDIS_URL": redis_url, "WEBHOOK_TOKEN": "",
                          "FLOWS_DIR": str(out / "flows"), "LOCALES_DIR": str(out / "locales")})
    checked = checker.test_cli_runner().invoke(args=["flows", "check"])
    assert checked.exit_code == 0 and "All good" in checked.output
    assert content_service.checkout_files(checker) == versions.files(store.redis(first), 2)


def test_in_production_an_edited_checkout_is_not_published_by_itself(redis_url, tmp_path):
    """Nodes of one deployment must not publish their own files: only `content publish` does."""
    node = make_node(redis_url, tmp_path / "p")
    node.config.update(BOT_ENV="production", SECRET_KEY="production-test", WEBHOOK_TOKEN="t")
    store.redis(node).flushdb()
    try:
        assert content_service.serving(node)[0] == 1  # the first start publishes the checkout
        path = Path(node.config["LOCALES_DIR"]) / "main.en.yml"
        path.write_text(path.read_text(encoding="utf-8").replace('"Clinic, my health"',
                                                                  '"My clinic visits"'))
        assert served(node, "main.appointments") == "Clinic, my health"
        assert versions.current(store.redis(node))[0] == 1
        result = node.test_cli_runner().invoke(args=["content", "publish", "--by", "amina"])
        assert "Published version 2" in result.output
        assert served(node, "main.appointments") == "My clinic visits"
    finally:
        store.redis(node).close()
