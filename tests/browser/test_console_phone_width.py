"""Every console page on a phone (390x844) and a small laptop (1024x768): no sideways scrolling.

A supervisor works from a phone browser. Each page is filled with the data that
makes pages wide in real life (long clinic names, a mother with many follow-ups,
long texts with long words, tables of SMS and visits), every folded form is
opened, and the page must fit the screen: the document does not scroll sideways
and no element sticks out past the screen's edge (an element inside a box that
scrolls on its own, such as a diff, may be wider than that box). Each page is
saved to tests/screenshots/ to be looked at.
"""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service
from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.sms import log
from bot.store import contacts, followups, staff_changes, visits

from .conftest import log_in, shot

MOTHER = "+254722334455"
LONG_CLINIC = "Mathare North Health Centre Maternal and Child Health Clinic, Nairobi County"
LONG_TEXT = ("Habari, mtoto wangu wa wiki tatu amekuwa akilia usiku mzima na hataki kunyonya vizuri, "
             "nimejaribu kumpa maji ya sukari lakini bado analia. Nifanyeje? "
             "https://example.org/averyveryverylongaddresswithoutanyspacesatall/andmore/andmore")
WIDTHS = [(390, 844), (1024, 768)]

# Every element's box must lie inside the screen, unless a box that scrolls on its own holds it.
OUTSIDE = """() => {
  const width = window.innerWidth;
  const scrolls = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // Text that does not wrap sticks out of its box without widening the box itself.
    const spills = getComputedStyle(el).overflowX === "visible" ? el.scrollWidth - el.clientWidth : 0;
    const right = box.right + Math.max(spills, 0);
    if ((right > width + 1 || box.left < -1) && !scrolls(el)) {
      found.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.left)}-${Math.round(right)}`);
    }
  }
  return {scroll: document.scrollingElement.scrollWidth, inner: width, outside: found.slice(0, 8)};
}"""


def seed(app, db):
    """A caseload as a supervisor sees it: one mother with much on record, and many others."""
    tz = ZoneInfo(app.config["BOT_TIMEZONE"])
    now = datetime.now(tz)
    db.hset(contacts.key(MOTHER), mapping={
        "enrolled": "yes", "consent_sms": "yes", "language": "sw", "stage": "pregnancy",
        "due_date": (now.date() + timedelta(days=100)).isoformat(), "clinic": LONG_CLINIC,
        "enrolled_on": "2026-09-01", "county": "Nairobi",
        "enrolled_at": str(int(now.timestamp()) - 86400 * 90)})
    pipe = db.pipeline()
    for days, kind in ((2, "anc"), (30, "anc"), (-20, "anc"), (60, "immunisation"), (5, "art")):
        visits.add(pipe, MOTHER, now.date() + timedelta(days=days), kind, time="09:30",
                   clinic=LONG_CLINIC[:30], source="import")
    ids = [followups.add(pipe, MOTHER, "danger_sign", "newborn", "sms", LONG_TEXT, priority="urgent"),
           followups.add(pipe, MOTHER, "callback", "pmtct", "ussd"),
           followups.add(pipe, MOTHER, "sms_question", "", "sms", LONG_TEXT),
           followups.add(pipe, MOTHER, "missed_visit", "anc", "reminder", "2026-11-18")]
    for n in range(12):
        phone = f"+2547120003{n:02d}"
        pipe.hset(contacts.key(phone), mapping={"enrolled": "yes", "language": "en", "stage": "baby",
                                                "clinic": "Kariobangi North Health Centre"})
        followups.add(pipe, phone, ("callback", "missed_visit", "sms_question", "undeliverable")[n % 4],
                      "growth", "ussd", "Is it normal that my baby sleeps for most of the day?")
    her_log = [("m1", {"kind": "reply", "text": LONG_TEXT}),
               ("m2", {"kind": "staff", "text": "Habari, tafadhali nipigie simu kesho asubuhi.",
                       "by": "Mary Wanjiku Achieng-Otieno"}),
               ("m3", {"kind": "reminder",
                       "ref": f"visit:{(now.date() + timedelta(days=2)).isoformat()}:before"})]
    for message_id, fields in her_log:
        pipe.hset(log.message_key(message_id), mapping={
            "phone": MOTHER, "status": "Success", "cost": "KES 0.8000",
            "sent_at": str(int(now.timestamp()) - 3600), **fields})
        pipe.lpush(log.contact_key(MOTHER), message_id)
    staff_changes.record(pipe, MOTHER, "Mary Wanjiku Achieng-Otieno",
                         f"Moved a visit: 2026-12-01 antenatal (anc) -> 2026-12-04, {LONG_CLINIC}")
    pipe.execute()
    with app.app_context():
        dispatch.reschedule(db, content_service.current(), MOTHER, now, Rules.from_config(app.config))
    for back in range(30):
        day = (now - timedelta(days=back)).date()
        db.hset(log.day_key(day), mapping={"sent": 100 + back, "delivered": 90,
                                           "cost_milli": 80000, "undelivered:AbsentSubscriber": 3,
                                           "failed:InvalidPhoneNumber": 1, "skipped:OptedOut": 2})
    return ids


def pages(page, url):
    """(name, address) of every console page an editor can open, with the data above."""
    page.goto(f"{url}/console/flows")
    flows = sorted({a.split("/console/flows/")[1].split("?")[0] for a in page.eval_on_selector_all(
        "main a[href*='/console/flows/']", "links => links.map(a => a.getAttribute('href'))")})
    assert flows, "the Flows page lists no flow"
    found = [("followups", "followups"), ("followups-filtered", "followups?reason=sms_question&due=overdue"),
             ("contacts", "contacts"), ("messages", "messages"), ("messages-30", "messages?days=30"),
             ("reports", "reports"), ("reports-by-facility", "reports?by=facility"),
             ("flows", "flows"), ("texts", "texts"), ("texts-found", "texts?q=visit"),
             ("text-editor", "texts?key=sms_reminders.day_before"), ("versions", "content"),
             ("version-2", "content/2"), ("simulator", "simulator"), ("no-such-page", "no-such-page")]
    return found + [(f"flow-{name}", f"flows/{name}") for name in flows]


def fits(page, name, width, wide):
    """Measure the page with its folded parts open and save it; note in `wide` what sticks out."""
    page.wait_for_load_state("load")  # its stylesheet applied: on a busy machine it may come late
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    found = page.evaluate(OUTSIDE)
    shot(page, f"width-{width}-{name}")
    if found["scroll"] > found["inner"] or found["outside"]:
        wide.append(f"{name}: {found['scroll']} pixels wide; past the edge: {found['outside']}")


@pytest.mark.long  # every console page, loaded and measured
@pytest.mark.parametrize("width, height", WIDTHS)
def test_every_console_page_fits_the_screen(live, page, width, height):
    app, url, folder, db = live
    ids = seed(app, db)
    page.set_viewport_size({"width": width, "height": height})
    wide = []
    page.goto(f"{url}/console/login")
    fits(page, "login", width, wide)
    log_in(page, url, "otieno")
    # A second published version, so that a version page shows a change.
    page.goto(f"{url}/console/texts?key=main.appointments")
    page.fill("#text_en", "My clinic visits and the days I should go to the clinic")
    page.click("button:has-text('Check and save')")
    page.wait_for_selector("#result .notice.ok")
    for name, path in pages(page, url):
        page.goto(f"{url}/console/{path}")
        fits(page, name, width, wide)
    assert not wide, "\n".join(wide)
    # Her page, reached from her follow-up, with every form open; then a search by clinic.
    page.goto(f"{url}/console/followups")
    page.locator(f"#m-{ids[0]}").locator("a:has-text('Her details')").click()
    page.wait_for_selector("h2:has-text('Clinic visits')")
    assert page.is_visible("text=written by Mary Wanjiku Achieng-Otieno")
    fits(page, "contact", width, wide)
    page.goto(f"{url}/console/contacts")
    page.fill("#phone", "Kariobangi")
    page.click("button:has-text('Find')")
    page.wait_for_selector("h2:has-text('Mothers found')")
    fits(page, "contacts-found", width, wide)
    # A refused SMS, shown again with why, on the follow-ups page.
    page.goto(f"{url}/console/followups")
    card = page.locator(f"#m-{ids[0]}")
    card.locator("summary:has-text('Reply by SMS')").click()
    card.locator("textarea[name=text]").fill("Tafadhali nenda kliniki ya PMTCT kesho \u201casubuhi\u201d")
    card.locator("button:has-text('Send SMS')").click()
    page.wait_for_selector(".notice.problem:has-text('Not sent')")
    fits(page, "followups-reply-refused", width, wide)
    assert not wide, "\n".join(wide)


def test_the_follow_up_reply_counts_parts_as_she_types(live, page):
    app, url, folder, db = live
    ids = seed(app, db)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, url, "amina")
    card = page.locator(f"#m-{ids[0]}")
    assert card.locator(".followup").count() == 4  # her four follow-ups, one card
    assert page.locator("article.mother").first.get_attribute("id") == f"m-{ids[0]}"  # urgent first
    card.locator("summary:has-text('Reply by SMS')").click()
    card.locator("textarea[name=text]").fill("Habari " * 30)
    assert "2 SMS parts" in card.locator(".counter").inner_text()
    card.locator("textarea[name=text]").fill("Habari, nipigie simu kesho asubuhi.")
    card.locator("button:has-text('Send SMS')").click()
    page.wait_for_selector(".notice.ok:has-text('is on its way')")
    batch = [json.loads(db.get(k)) for k in db.scan_iter(match="sms:batch:*")]
    assert [[(i["phone"], i["text"], i["by"]) for i in b] for b in batch] == [
        [(MOTHER, "Habari, nipigie simu kesho asubuhi.", "amina")]]
    shot(page, "followups-reply-sent-390")
