"""The console in a real browser: log in, try the phone, change a text, close a follow-up."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import yaml

from bot import content_service
from bot.content_versions import versions
from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.sms import log
from bot.store import contacts, followups, ussd_sessions, visits

from ..sms_helpers import run_worker
from .conftest import WEBHOOK_TOKEN, log_in, shot

MOTHER = "+254722334455"


def seed(app, db):
    """A mother with a visit, an SMS, a day of counts and four follow-ups (one urgent), for the
    pages to show."""
    db.hset(contacts.key(MOTHER), mapping={"enrolled": "yes", "consent_sms": "yes", "language": "sw",
                                           "stage": "pregnancy", "due_date": "2027-03-01",
                                           "clinic": "Mathare North"})
    now = datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"]))
    pipe = db.pipeline()
    visits.add(pipe, MOTHER, now.date() + timedelta(days=2), "anc", clinic="Mathare North")
    ids = [followups.add(pipe, MOTHER, "callback", "pmtct", "ussd"),
           followups.add(pipe, "+254712000222", "sms_question", "", "sms", "Naweza kunyonyesha?"),
           followups.add(pipe, MOTHER, "missed_visit", "anc", "reminder", "2026-11-18"),
           followups.add(pipe, "+254712000333", "danger_sign", "newborn", "sms",
                         "Mtoto wangu ana homa na hataki kunyonya", priority="urgent")]
    pipe.hset(followups.key(ids[3]), mapping={"sign": "not_feeding",
                                              "created_at": str(int(now.timestamp()) - 12 * 60)})
    pipe.execute()
    with app.app_context():
        dispatch.reschedule(db, content_service.current(), MOTHER, now, Rules.from_config(app.config))
    today = datetime.now(UTC).date()
    for back, sent in enumerate((120, 80, 140, 95, 130, 60, 110)):
        db.hset(log.day_key(today - timedelta(days=back)), mapping={
            "sent": sent, "delivered": sent - 9, "cost_milli": sent * 800,
            "undelivered:AbsentSubscriber": 5, "failed:InvalidPhoneNumber": back % 3})
    db.hset(log.message_key("m1"), mapping={"phone": MOTHER, "kind": "reply", "status": "Success",
                                            "cost": "KES 0.8000", "sent_at": str(int(now.timestamp())),
                                            "text": "Asante kwa ujumbe wako."})
    db.lpush(log.contact_key(MOTHER), "m1")
    return ids


def test_log_in_and_out(live, page):
    app, url, folder, db = live
    page.goto(f"{url}/console/messages")
    assert page.url.startswith(f"{url}/console/login")
    shot(page, "login")
    page.fill("input[name=name]", "amina")
    page.fill("input[name=password]", "not the password")
    page.click("button:has-text('Log in')")
    assert page.is_visible("text=That name and password do not match an account.")
    page.fill("input[name=password]", "a long test password")
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Messages')")  # back to the page asked for
    assert not page.is_visible("nav >> text=Texts")  # staff do not edit texts
    page.click("button:has-text('Log out')")
    page.wait_for_selector("text=You are logged out.")
    page.goto(f"{url}/console/followups")
    assert page.url.startswith(f"{url}/console/login")


def test_a_whole_ussd_session_in_kiswahili_and_an_sms(live, page):
    app, url, folder, db = live
    log_in(page, url, "amina")
    page.click("nav >> text=Phone simulator")
    page.fill("#sim-phone", "+254700000055")
    page.dispatch_event("#sim-phone", "change")
    screen = page.locator("#ussd-screen")
    page.click("#ussd-dial")
    page.wait_for_selector("#ussd-screen:has-text('Chagua lugha')")
    for answer, expected in (("2", "Ungependa SMS za bure"), ("2", "Chagua mada"),
                             ("2", "Chakula na kunyonyesha"), ("0", "Chagua mada")):
        page.fill("#ussd-input", answer)
        page.click("#ussd-send")
        page.wait_for_selector(f"#ussd-screen:has-text('{expected}')")
    assert "1. Kumkinga mtoto na VVU" in screen.inner_text()
    assert db.hget(contacts.key("+254700000055"), "language") == "sw"
    page.fill("#sms-text", "MENU")
    page.click("#sms-send")
    page.wait_for_selector("#sms-status:has-text('Waiting for the reply')")
    run_worker(app)  # what the worker does in production: send the reply (to the outbox here)
    page.wait_for_selector("#sms-thread li.bot")
    assert "Mama na Mtoto" in page.inner_text("#sms-thread li.bot")
    shot(page, "simulator")
    page.reload()
    assert "amina" in page.inner_text("table:below(h2:has-text('Recent use'))")
    assert WEBHOOK_TOKEN not in page.content()


def test_the_simulator_on_a_phone_takes_test_numbers_only(live, page):
    app, url, folder, db = live
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, url, "amina")
    page.goto(f"{url}/console/simulator")
    page.fill("#sim-phone", "0722334455")
    page.dispatch_event("#sim-phone", "change")
    page.click("#ussd-dial")
    page.wait_for_selector("#ussd-status:has-text('not a test number')")
    assert not db.exists(ussd_sessions.key("+254722334455"))
    page.click("#sim-new")
    assert page.input_value("#sim-phone").startswith("+2547000000")
    page.click("#ussd-dial")
    page.wait_for_selector("#ussd-screen:has-text('Chagua lugha')")
    page.fill("#ussd-input", "1")
    page.click("#ussd-send")
    page.wait_for_selector("#ussd-status:has-text('Type your answer')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "simulator-phone")


def test_a_text_edit_refused_then_saved(live, page):
    app, url, folder, db = live
    log_in(page, url, "otieno")
    page.click("nav >> text=Texts")
    page.fill("#q", "reply MENU")
    page.click("button:has-text('Find')")
    shot(page, "texts")
    page.click("text=sms_replies.help")
    page.fill("#text_en", "%{programme}: " + "reply MENU for the menu. " * 7)
    assert "over" in page.get_attribute("#count_en", "class")
    page.click("button:has-text('Check and save')")
    page.wait_for_selector("#result .notice.problem")
    assert "The en SMS is 190 characters; it costs 2 SMS parts instead of 1." in \
        page.inner_text("#result")
    shot(page, "text-editor")
    before = (folder / "locales" / "sms_replies.en.yml").read_text()
    assert "reply MENU for the menu. reply MENU" not in before
    page.fill("#text_en", '%{programme}: reply MENU for the menu, STOP to stop SMS. "Free".')
    page.click("button:has-text('Check and save')")
    page.wait_for_selector("#result .notice.ok")
    number, _ = versions.current(db)  # published for every node; the checkout is left as it is
    saved = yaml.safe_load(versions.files(db, number)["locales/sms_replies.en.yml"].decode())
    assert saved["help"] == '%{programme}: reply MENU for the menu, STOP to stop SMS. "Free".'
    assert (folder / "locales" / "sms_replies.en.yml").read_text() == before


def test_closing_a_followup_and_every_page(live, page):
    app, url, folder, db = live
    ids = seed(app, db)
    log_in(page, url, "amina")
    assert page.inner_text(f"#m-{ids[0]} .number") == "*********455"
    assert page.inner_text(f"#f-{ids[3]} .badge.urgent").lower() == "urgent"
    assert page.inner_text(f"#f-{ids[3]} .waited") == "waited 12 min"
    assert page.locator("section.section").first.locator(f"#f-{ids[3]}").count() == 1  # first
    shot(page, "followups")
    page.locator(f"#m-{ids[0]}").locator("button:has-text('Number to call')").click()
    page.wait_for_selector(f"#m-{ids[0]} a.call")
    assert page.inner_text(f"#m-{ids[0]} a.call") == MOTHER
    assert page.inner_text(f"#m-{ids[1]} .number") == "*********222"
    shot(page, "followups-number-to-call")
    row = page.locator(f"#f-{ids[0]}")
    row.locator("input[name=note]").fill("Called her, all well")
    row.locator("button:has-text('Mark done')").click()
    page.wait_for_selector("text=Marked done.")
    assert not page.is_visible(f"#f-{ids[0]}")
    assert followups.find(db, ids[0])["note"] == "Called her, all well"
    page.click("nav >> text=Contacts")
    page.fill("#phone", "0722334455")
    page.click("button:has-text('Find')")
    page.wait_for_selector("text=Mathare North")
    assert "722334455" not in page.content()
    shot(page, "contacts")
    page.click("nav >> text=Messages")
    page.wait_for_selector("figure.chart svg")
    assert page.is_visible("text=Visit tomorrow")
    shot(page, "messages")
    page.click("nav >> text=Flows")
    page.wait_for_selector("text=All good:")
    shot(page, "flows")
    page.click("a:has-text('pmtct')")
    page.wait_for_selector("#s-test_when")
    shot(page, "flow-tree")


def test_the_followups_fit_a_phone_with_the_urgent_one_on_top(live, page):
    app, url, folder, db = live
    ids = seed(app, db)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, url, "amina")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("li.followup[id]").first
    assert first.get_attribute("id") == f"f-{ids[3]}" and first.locator(".badge.urgent").is_visible()
    shot(page, "followups-phone")


def test_a_1024_pixel_screen_fits_without_sideways_scrolling(live, page):
    app, url, folder, db = live
    seed(app, db)
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, url, "otieno")
    for path, name in (("followups", "followups-1024"), ("simulator", "simulator-1024"),
                       ("texts?key=pmtct.test_when_text", "text-editor-1024"),
                       ("messages", "messages-1024"), ("flows/development", "flow-tree-1024")):
        page.goto(f"{url}/console/{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1024, f"{path} is {width} pixels wide"
        shot(page, name)
