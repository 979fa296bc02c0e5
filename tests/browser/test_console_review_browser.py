"""The review trail in a real browser: filter the Texts page, change a reviewed text, undo it."""

import pytest
import yaml

from bot.content_versions import versions
from bot.review import trail

from .conftest import log_in, shot

KEY = "nutrition.six_months"


def reviewed_by_a_clinician(folder):
    """Record a clinician's review of the English text as the file holds it now."""
    locales = folder / "locales"
    words = yaml.safe_load((locales / "nutrition.en.yml").read_text(encoding="utf-8"))["six_months"]
    found = trail.load(locales)[0]
    found.record(KEY, "en", "clinician", words, by="Dr Achieng")
    trail.save(locales, found)
    return words


def test_change_a_reviewed_text_see_it_in_the_filter_and_undo_it(live, page):
    app, url, folder, db = live
    old = reviewed_by_a_clinician(folder)
    log_in(page, url, "otieno")
    page.goto(f"{url}/console/texts?key={KEY}")
    assert "reviewed by clinician on" in page.inner_text("form#text-form")
    page.fill("#text_en", "Breast milk only until 6 months")
    page.click("button:has-text('Check and save')")
    page.wait_for_selector("#result .notice.ok")
    assert "now shows as changed since review" in page.inner_text("#result")
    page.wait_for_selector("#history >> text=Breast milk only until 6 months")
    page.wait_for_selector("#review_en >> text=Changed since review")
    shot(page, "text-history")

    page.goto(f"{url}/console/texts")
    page.fill("#q", "nutrition.")
    page.select_option("#state", "changed")
    page.select_option("#language", "en")
    page.click("button:has-text('Find')")
    page.wait_for_selector("table.texts")
    assert page.locator("table.texts tbody tr").count() == 1
    assert page.is_visible(f"table.texts >> text={KEY}")
    assert page.is_visible("table.texts .status.failed:has-text('Changed since review')")

    page.goto(f"{url}/console/texts?key={KEY}")
    page.click("#history button:has-text('Undo')")
    page.wait_for_selector("#result .notice.ok")
    assert "Undone" in page.inner_text("#result")
    number, _ = versions.current(db)
    published = versions.files(db, number)["locales/nutrition.en.yml"].decode("utf-8")
    assert yaml.safe_load(published)["six_months"] == old
    assert "reviewed by clinician on" in page.inner_text("form#text-form")


@pytest.mark.parametrize("width, height", [(390, 844), (1024, 768)])
def test_the_review_filter_fits_the_screen(live, page, width, height):
    app, url, folder, db = live
    reviewed_by_a_clinician(folder)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, url, "otieno")
    page.goto(f"{url}/console/texts?q=nutrition.&state=unreviewed")
    page.wait_for_selector("table.texts")
    assert page.is_visible("select#state")
    assert page.locator("table.texts .status.warn").count() > 5
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the Texts page is {scrolled} pixels wide"
    shot(page, f"texts-review-filter-{width}")
    page.goto(f"{url}/console/texts?key={KEY}")
    words = f"Breast milk only, 6 months (seen at {width} pixels)"  # each run a new change
    page.fill("#text_en", words)
    page.click("button:has-text('Check and save')")
    page.wait_for_selector(f"#history >> text={words}")
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the text's page is {scrolled} pixels wide"
    shot(page, f"text-history-{width}")
