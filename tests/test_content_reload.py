"""Staff edit flows while mothers are mid-session: in development an edited checkout is published
as a new version by itself; a broken edit is not; a session keeps the version it started on."""

import shutil
import time
from pathlib import Path

import pytest

from bot import content_service, create_app, store
from bot.content_versions import loaded, versions

from .ussd_caller import Caller

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def live(tmp_path, redis_url):
    """An app serving a copy of the real content that the test can edit."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "CONTENT_RELOAD_SECONDS": 0.05,
                      "FLOWS_DIR": str(tmp_path / "flows"), "LOCALES_DIR": str(tmp_path / "locales")})
    store.redis(app).flushdb()
    yield app, tmp_path
    store.redis(app).close()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    time.sleep(0.1)  # longer than CONTENT_RELOAD_SECONDS


def test_an_edited_text_is_served_without_a_restart(live):
    app, folder = live
    caller = Caller(app.test_client())
    caller.dial()
    caller.send("1")
    assert "5. Clinic, my health" in caller.send("2")
    edit(folder / "locales" / "main.en.yml", '"Clinic, my health"', '"My clinic visits"')
    assert "5. Clinic, my health" in caller.send("00")  # her session keeps its version
    assert "5. My clinic visits" in caller.dial()  # a new call gets the new version
    assert versions.info(store.redis(app), 2)["who"] == "files"


def test_a_broken_edit_is_not_served_and_the_old_content_stays(live, caplog):
    app, folder = live
    caller = Caller(app.test_client())
    caller.dial()
    caller.send("1")
    caller.send("2")
    edit(folder / "flows" / "main.yaml", "flow: danger_signs}", "flow: danger_signz}")
    screen = caller.send("4")
    assert "Danger signs. If you see one, go to hospital now." in screen
    assert "Edited flows not published" in caplog.text
    assert versions.current(store.redis(app))[0] == 1


def forget_version(app, number):
    """Lose version `number` everywhere: this process' memory and Redis (as after a restore)."""
    app.extensions["content_state"]["kept"].pop(number, None)
    loaded.forget(versions.info(store.redis(app), number)["digest"])
    store.redis(app).delete(f"content:files:{number}")


def test_a_caller_whose_version_is_gone_on_a_removed_state_goes_to_the_main_menu_with_a_notice(live):
    app, folder = live
    caller = Caller(app.test_client())
    caller.dial()
    caller.send("2")  # Kiswahili
    caller.send("2")  # no SMS for now
    caller.send("5")
    assert "Nenda kliniki angalau mara 8" in caller.send("3")
    flow = folder / "flows" / "appointments.yaml"
    edit(flow, "      - {text: appointments.pregnancy_visits, next: pregnancy_visits,\n"
               "         when: {not: {field: stage, one_of: [baby, loss]}}}\n", "")
    edit(flow, "  pregnancy_visits:\n    kind: message\n    text: appointments.pregnancy_visits_text\n", "")
    assert content_service.serving(app)[0] == 2  # published; her session still has version 1
    forget_version(app, 1)
    screen = caller.send("0")
    assert screen.startswith("CON Menyu hii imebadilika. Hii ndiyo menyu kuu.")
    assert "1. Kumkinga mtoto na VVU" in screen
