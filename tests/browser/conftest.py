"""Browser tests: the app on a real local server, driven by Debian's Chromium through Playwright.

Never `playwright install`: the tests use /usr/bin/chromium (CI installs the
package) and are skipped with the reason when it is missing. Each page the
tests visit is saved to tests/screenshots/ for a reviewer to look at.
"""

import shutil
import threading
from functools import cache
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from bot import create_app, jobs, store
from bot.console import accounts

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "tests" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WEBHOOK_TOKEN = "browser-test-token"
PASSWORD = "a long test password"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Browser tests need Debian's Chromium at /usr/bin/chromium (apt install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        found = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield found
        found.close()


@pytest.fixture(scope="module")
def server(redis_url, tmp_path_factory):
    """The whole app on 127.0.0.1, serving its own copy of flows/ and locales/."""
    folder = tmp_path_factory.mktemp("live")
    shutil.copytree(ROOT / "flows", folder / "flows")
    shutil.copytree(ROOT / "locales", folder / "locales")
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "WEBHOOK_TOKEN": WEBHOOK_TOKEN,
                      "SECRET_KEY": "browser-tests", "FLOWS_DIR": str(folder / "flows"),
                      "LOCALES_DIR": str(folder / "locales"), "CONTENT_RELOAD_SECONDS": 0.2})
    app.instance_path = str(folder / "instance")
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    jobs.use_app(app)  # the RQ worker the SMS test runs sends with this app
    yield app, f"http://127.0.0.1:{http.server_port}", folder
    jobs.use_app(None)
    http.shutdown()
    thread.join(timeout=5)
    store.redis(app).close()


@pytest.fixture
def live(server):
    """A clean database with one staff and one editor account."""
    app, url, folder = server
    db = store.redis(app)
    db.flushdb()
    for name, role in (("amina", "staff"), ("otieno", "editor")):
        db.hset(accounts.key(name), mapping={"name": name, "role": role, "password": _hash(),
                                             "stamp": name, "created_at": "0"})
    return app, url, folder, db


@cache
def _hash():
    return generate_password_hash(PASSWORD, method="scrypt")  # slow on purpose: once per run


@pytest.fixture
def page(browser):
    """A fresh browser window the size of a small laptop screen."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    found = context.new_page()
    errors = []
    found.on("pageerror", lambda err: errors.append(str(err)))
    found.on("console", lambda msg: errors.append(msg.text)
             if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    yield found
    context.close()
    assert not errors, f"The page reported errors: {errors}"


def log_in(page, url, name):
    page.goto(f"{url}/console/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Follow-ups')")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
