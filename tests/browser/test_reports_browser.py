"""The Reports page in Chromium, at phone and laptop width: figures, the chart, the CSV."""

import pytest

from bot.reports import counters
from bot.store import contacts

from .conftest import log_in, shot
from .test_console_phone_width import OUTSIDE

MOTHERS = {"+254712008001": ("13939", "sw"), "+254712008002": ("13156", "en"),
           "+254712008003": ("13156", "sw")}


@pytest.mark.parametrize("width, height", [(390, 844), (1024, 768)])
def test_the_reports_page_shows_the_figures_and_fits_the_screen(live, page, width, height):
    app, url, folder, db = live
    pipe = db.pipeline()
    for phone, (facility, language) in MOTHERS.items():
        db.hset(contacts.key(phone), mapping={"facility": facility, "language": language})
        for indicator in ("sms_sent", "sms_delivered", "development_checks", "visits_booked"):
            counters.count(pipe, indicator, phone)
    counters.count(pipe, "ussd_dropped", "+254712008001", detail="enrol/due_date")
    pipe.execute()
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, url, "amina")
    page.click("nav a:has-text('Reports')")
    page.wait_for_selector("h2:has-text('Indicators from')")
    row = page.locator("tr:has-text('SMS sent')").first
    assert row.locator("td.num").inner_text() == "3"
    assert page.is_visible("text=Delivery rate") and page.is_visible("text=100.0%")
    assert page.is_visible("figure.chart svg")
    found = page.evaluate(OUTSIDE)
    shot(page, f"reports-{width}")
    assert found["scroll"] <= found["inner"] and not found["outside"], found
    page.select_option("select[name=by]", "county")
    page.click("button:has-text('Show')")
    page.wait_for_selector("h2:has-text('by county')")
    assert page.locator("table.report th", has_text="Nairobi").count() == 1
    assert page.locator("table.report td[data-label=Kisumu]").first.is_visible()
    found = page.evaluate(OUTSIDE)
    shot(page, f"reports-by-county-{width}")
    assert found["scroll"] <= found["inner"] and not found["outside"], found
    with page.expect_download() as download:
        page.click("a:has-text('Download CSV')")
    with open(download.value.path(), encoding="utf-8") as sheet:
        text = sheet.read()
    assert text.startswith("indicator,label,Kisumu,Nairobi,definition") and "sms_sent,SMS sent,1,2," in text
