"""The Versions page in a real browser: see what an edit published, compare, publish an old one again."""

import pytest

from bot.content_versions import versions

from .conftest import log_in, shot

KEY = "main.appointments"


def change_a_text(page, url, words):
    page.goto(f"{url}/console/texts?key={KEY}")
    page.fill("#text_en", words)
    page.click("button:has-text('Check and save')")
    page.wait_for_selector("#result .notice.ok")


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)])
def test_see_a_published_change_and_roll_it_back(live, page, width, height):
    app, url, folder, db = live
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, url, "otieno")
    change_a_text(page, url, "My clinic visits")
    page.click("nav >> text=Versions")
    page.wait_for_selector("h1:has-text('Versions of the flows and texts')")
    newest = page.locator("table.versions tbody tr").first
    assert "served now" in newest.inner_text() and f"{KEY} (en)" in newest.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"content-versions-{width}")

    page.click("table.versions >> text=Version 2")
    page.wait_for_selector("h2:has-text('Changes from version 1')")
    assert page.is_visible("table.diff >> text=Clinic, my health")
    assert page.is_visible("table.diff >> text=My clinic visits")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"content-version-{width}")

    page.goto(f"{url}/console/content/1")
    page.click("button:has-text('Publish version 1 again')")
    page.wait_for_selector(".notice.ok:has-text('Published version 1 again as version 3')")
    assert versions.current(db)[0] == 3
    assert versions.files(db, 3) == versions.files(db, 1)
