"""Every Settings option keeps its number whatever her state, in every language."""

import itertools
import re

import pytest

from bot.content import load_content
from bot.engine import Session, show

from .test_screens_fit import ROOT

CONTENT = load_content(ROOT / "flows", ROOT / "locales")
STATES = [dict(zip(("enrolled", "stage", "opted_out", "pin_hash"), values, strict=True))
          for values in itertools.product(("yes", "no"), ("pregnancy", "baby", "loss", ""),
                                          ("yes", "no"), ("scrypt$00$00", ""))]
# Options that take each other's place: she sees one of each pair, under the same number.
SAME_NUMBER = [("settings.join", "settings.my_details"),
               ("settings.stop_sms", "settings.start_sms"),
               ("settings.pin_set", "settings.pin_change")]


def _numbers(contact, language):
    """Map each option label on her Settings screen (one page) to its number."""
    contact = {k: v for k, v in {**contact, "language": language}.items() if v}
    session = Session("settings", "menu", stack=[("main", "menu")])
    text = show(CONTENT, session, contact).screen.text
    assert "\n98. " not in text, f"Settings does not fit one screen for {contact}:\n{text}"
    return {label: int(number) for number, label in re.findall(r"^(\d+)\. (.+)$", text, re.M)
            if number not in ("0", "00", "98")}


@pytest.mark.parametrize("language", CONTENT.languages)
def test_settings_options_keep_their_numbers_for_everyone(language):
    def label(key):
        return CONTENT.texts.get(key, language)

    seen = {}
    for contact in STATES:
        for name, number in _numbers(contact, language).items():
            seen.setdefault(name, set()).add(number)
    assert all(len(numbers) == 1 for numbers in seen.values()), seen
    for first, second in SAME_NUMBER:
        assert seen[label(first)] == seen[label(second)]
    assert seen[label("settings.forget")] == {6}
