"""Every screen of the real content, in every language, fits a USSD screen."""

from pathlib import Path

import pytest

from bot.content import load_content
from bot.engine import Session, show, step
from bot.engine.screens import MAX_OPTIONS, Block, Nav, paginate

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content(ROOT / "flows", ROOT / "locales")
SCREENS = [(flow.name, state.name) for flow in CONTENT.flows.values()
           for state in flow.states.values() if state.kind not in ("router", "action")]
from bot.content.screen_rules import SAMPLE_CONTACT as LONG_CONTACT  # noqa: E402


def options_on(page):
    return sum(1 for line in page.split("\n") if line.split(". ")[0].isdigit()
               and line.split(". ")[0] not in ("0", "00", "98"))


@pytest.mark.parametrize("language", CONTENT.languages)
@pytest.mark.parametrize("flow, state", SCREENS)
def test_every_page_fits_with_its_navigation(flow, state, language):
    contact = {**LONG_CONTACT, "language": language}
    session = Session(flow, state, stack=[("main", "menu")])
    for first in (show(CONTENT, session, contact), step(CONTENT, session, contact, "x")):
        result, pages = first, 0
        while True:
            text = result.screen.text
            assert len(text) <= 182, f"{flow}/{state} in {language}:\n{text}"
            assert options_on(text) <= MAX_OPTIONS
            assert "%{" not in text and "common." not in text
            pages += 1
            if "\n98. " not in text or pages > 20:
                break
            result = step(CONTENT, result.session, contact, "98")
        assert pages <= 20


@pytest.mark.parametrize("limit", [40, 60, 182])
def test_paging_never_loses_or_reorders_words(limit):
    text = " ".join(f"w{i}" * (1 + i % 7) for i in range(40))
    nav = Nav("More", "Back", "Menu", True, True)
    pages = paginate([Block(text)], nav, limit=limit)
    assert all(len(page) <= limit for page in pages)
    bodies = [page.rsplit("\n", 2 if "98. More" in page else 1)[0] for page in pages]
    assert "".join("".join(bodies).split()) == "".join(text.split())  # nothing lost or moved
    if limit == 182:
        assert " ".join(bodies).split() == text.split()  # and no word cut in two
