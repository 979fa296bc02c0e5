"""The engine on its own: no Flask, no Redis, just data in and screens out."""

from datetime import date

import pytest

from bot.engine import start, step
from bot.engine.model import Session

from .engine_content import BASIC, BASIC_TEXTS, make_content, menu


@pytest.fixture
def content():
    return make_content(BASIC, BASIC_TEXTS)


def walk(content, inputs, contact=None):
    """Dial, then send each input; return the last Step and the contact."""
    contact = dict(contact or {})
    result = start(content, contact)
    for answer in inputs:
        result = step(content, result.session, contact, answer, today=date(2026, 1, 1))
        for effect in result.effects:
            if effect.kind == "set_field":
                contact[effect.name] = effect.value
    return result, contact


def test_first_screen_is_the_main_menu_with_numbered_options(content):
    result = start(content, {})
    assert result.screen.for_ussd() == "CON Main\n1. Topic A\n2. Topic B"
    assert result.session.flow == "main" and result.session.stack == []


def test_router_on_a_contact_field_can_end_at_once(content):
    result = start(content, {"blocked": "yes"})
    assert result.screen.for_ussd() == "END Goodbye."
    assert result.session.ended


def test_options_with_a_condition_show_only_when_it_holds(content):
    assert "3. Secret" in start(content, {"vip": "1"}).screen.text
    assert "Secret" not in start(content, {}).screen.text


def test_choosing_an_option_moves_and_back_returns(content):
    result, _ = walk(content, ["1"])
    assert result.screen.text == "About A.\n1. next\n0. Back 00. Menu"
    result, _ = walk(content, ["1", "0"])
    assert result.screen.text.startswith("Main\n1. Topic A")


def test_another_flow_is_entered_at_its_start(content):
    result, _ = walk(content, ["2"])
    assert result.screen.text.startswith("Other flow.")
    assert result.session.flow == "other"


def test_double_zero_goes_to_the_main_menu_and_forgets_the_way(content):
    result, _ = walk(content, ["1", "1", "00"])
    assert result.session.state == "menu" and result.session.stack == []


@pytest.mark.parametrize("answer", ["9", "x", "", "1*1", "-1", "١", "98"])
def test_a_wrong_answer_repeats_the_screen_with_a_hint(content, answer):
    result, _ = walk(content, [answer])
    assert not result.screen.ends
    assert result.screen.text.startswith("Reply with a number.")
    assert "1. Topic A" in result.screen.text


@pytest.mark.parametrize("answer, weeks_ok", [("20", True), ("4", True), ("42", True),
                                              ("3", False), ("43", False), ("abc", False)])
def test_number_input_checks_its_range(content, answer, weeks_ok):
    result, contact = walk(content, ["1", "1", answer])
    assert (contact.get("weeks") == answer) is weeks_ok
    if not weeks_ok:
        assert result.session.state == "ask" and "hint answer" in result.screen.text


def test_answers_feed_routers_and_texts(content):
    result, contact = walk(content, ["1", "1", "30"])
    assert result.screen.for_ussd() == "END Weeks 30: late."
    assert contact["weeks"] == "30"
    result, _ = walk(content, ["1", "1", "10"])
    assert result.screen.text.startswith("Early.")


def test_screens_kept_between_callers_never_carry_one_callers_words_to_another(content):
    first, _ = walk(content, ["1", "1", "30"])
    second, _ = walk(content, ["1", "1", "31"])  # the same screen, with her own blank filled in
    assert first.screen.text == "Weeks 30: late." and second.screen.text == "Weeks 31: late."
    assert "3. Secret" in start(content, {"vip": "1"}).screen.text
    assert "Secret" not in start(content, {}).screen.text  # the same menu, kept or not
    both = make_content(BASIC, {**BASIC_TEXTS, "sw": {**BASIC_TEXTS["en"], "t.a_text": "Kuhusu A."}},
                        languages=("en", "sw"))
    assert walk(both, ["1"], {"language": "sw"})[0].screen.text.startswith("Kuhusu A.")
    assert walk(both, ["1"], {"language": "en"})[0].screen.text.startswith("About A.")


def test_a_long_message_is_paged_within_182_characters():
    words = " ".join(f"word{i}" for i in range(120))
    content = make_content({
        "start": {"start": "m", "states": {"m": {"kind": "message", "text": "t.long"}}},
        "main": {"start": "m", "states": {"m": {"kind": "message", "text": "t.long"}}},
    }, {"en": {"t.long": words}})
    result, seen = start(content, {}), []
    while True:
        seen.append(result.screen.text)
        assert len(result.screen.text) <= 182
        if "98. More" not in result.screen.text:
            break
        result = step(content, result.session, {}, "98")
    assert len(seen) >= 4
    body = " ".join(page.split("\n")[0] for page in seen)
    assert body == words
    back = step(content, result.session, {}, "0")
    assert back.screen.text == seen[-2]


def test_a_long_menu_shows_at_most_six_options_a_page():
    options = [{"text": f"t.o{i}", "next": "m"} for i in range(1, 10)]
    texts = {f"t.o{i}": f"Option {i}" for i in range(1, 10)} | {"t.title": "Pick"}
    flows = {"start": {"start": "m", "states": {"m": menu("t.title", *options)}},
             "main": {"start": "m", "states": {"m": menu("t.title", *options)}}}
    content = make_content(flows, {"en": texts})
    first = start(content, {})
    assert first.screen.text.count("\n") - 1 == 6 + 0  # six options and "98. More"
    assert "6. Option 6\n98. More" in first.screen.text
    second = step(content, first.session, {}, "98")
    assert second.screen.text.startswith("Pick\n7. Option 7")
    wrong = step(content, second.session, {}, "12")  # the hint takes the title's place
    assert wrong.screen.text.startswith("Reply with a number.\n7. Option 7\n8. Option 8")
    assert step(content, wrong.session, {}, "0").screen.text == first.screen.text
    assert step(content, wrong.session, {}, "8").session.state == "m"


def test_a_wrong_key_on_the_last_page_of_a_message_keeps_that_page():
    words = " ".join(f"word{i}" for i in range(36))
    flows = {"start": {"start": "m", "states": {"m": {"kind": "message", "text": "t.long"}}},
             "main": {"start": "m", "states": {"m": {"kind": "message", "text": "t.long"}}}}
    content = make_content(flows, {"en": {"t.long": words}})
    first = start(content, {})
    last = step(content, first.session, {}, "98")
    assert "98. More" not in last.screen.text
    wrong = step(content, last.session, {}, "5")
    assert wrong.session.page == last.session.page == 1
    assert wrong.screen.text == "Reply with a number.\n" + last.screen.text


def test_a_session_on_a_state_that_no_longer_exists_goes_to_the_main_menu(content):
    stale = Session("main", "removed_state", stack=[("main", "menu")])
    result = step(content, stale, {}, "1")
    assert result.session.state == "menu"
    assert result.screen.text.startswith("menu changed")
    assert any(e.kind == "event" and e.name == "state_missing" for e in result.effects)


def test_a_dropped_session_is_offered_back_and_restored(content):
    dropped, _ = walk(content, ["1", "1"])
    offer = start(content, {}, previous=dropped.session)
    assert offer.screen.text == "resume question\n1. resume continue\n2. resume main"
    back = step(content, offer.session, {}, "1")
    assert back.session.state == "ask" and back.screen.text.startswith("How many weeks")
    fresh = step(content, offer.session, {}, "2")
    assert fresh.session.state == "menu"


def test_nothing_to_resume_from_the_main_menu_or_an_ended_session(content):
    at_main = start(content, {})
    assert start(content, {}, previous=at_main.session).session.flow == "main"
    ended, _ = walk(content, ["1", "1", "30"])
    assert start(content, {}, previous=ended.session).session.flow == "main"


def test_actions_set_fields_and_request_callbacks():
    flows = {
        "start": {"start": "a", "states": {
            "a": {"kind": "action", "do": "set_field", "with": {"field": "stage", "value": "baby"},
                  "next": "b"},
            "b": {"kind": "action", "do": "request_callback", "with": {"topic": "feeding"},
                  "flow": "main"}}},
        "main": {"start": "m", "states": {"m": {"kind": "message", "text": "t.m"}}},
    }
    result = start(make_content(flows, {"en": {"t.m": "Stage %{stage}"}}), {})
    assert result.screen.text == "Stage baby"
    kinds = [(e.kind, e.name, e.value) for e in result.effects]
    assert ("set_field", "stage", "baby") in kinds and ("request_callback", "callback", "feeding") in kinds


@pytest.mark.parametrize(("params", "expected"), [
    ({"reason": "development", "topic": "child of %{age} months"}, ("development", "child of 7 months")),
    ({"topic": "%{age} and %{weeks}"}, ("callback", "7 and -")),
    ({"from_result": "age"}, ("callback", "7")),
    ({}, ("callback", "general")),
])
def test_a_call_back_carries_its_reason_and_a_topic_with_answers(params, expected):
    flows = {
        "start": {"start": "age", "states": {
            "age": {"kind": "input", "text": "t.m", "validate": {"type": "number"},
                    "save_as": "age", "next": "call"},
            "call": {"kind": "action", "do": "request_callback", "with": params, "flow": "main"}}},
        "main": {"start": "m", "states": {"m": {"kind": "message", "text": "t.m"}}},
    }
    content = make_content(flows, {"en": {"t.m": "Age?"}})
    result = step(content, start(content, {}).session, {}, "7")
    assert [(e.name, e.value) for e in result.effects if e.kind == "request_callback"] == [expected]


def test_a_loop_of_routers_ends_politely():
    loop = {"kind": "router", "routes": [{"when": {"field": "x", "is_set": False}, "next": "a"}],
            "otherwise": {"next": "a"}}
    flows = {"start": {"start": "a", "states": {"a": loop}},
             "main": {"start": "a", "states": {"a": loop}}}
    result = start(make_content(flows, {"en": {}}), {})
    assert result.screen.ends and result.screen.text == "sorry"
    assert any(e.name == "loop" for e in result.effects)


def test_the_session_survives_a_round_trip_through_a_dict(content):
    result, _ = walk(content, ["1", "1", "x"])
    assert Session.from_dict(result.session.as_dict()) == result.session
