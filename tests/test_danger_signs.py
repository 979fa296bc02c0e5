"""Danger signs on USSD: reachable from other flows, and every page carries the hospital line."""

import shutil
from pathlib import Path

import pytest

from bot.content.loader import read_content
from bot.content.safety_rules import HOSPITAL_LINE
from bot.content.screen_rules import read_through
from bot.engine import Session, show, step

ROOT = Path(__file__).parent.parent
# A flow of another part of the bot (say, after a loss) offering the mother's own page.
OFFER = """spec: 1
flow: after_loss
start: offer
states:
  offer:
    kind: menu
    text: danger_signs.title
    options:
      - {text: danger_signs.after_birth, flow: danger_signs, next: after_birth}
"""


@pytest.fixture(scope="module")
def content():
    loaded, problems = read_content(ROOT / "flows", ROOT / "locales")
    assert [str(p) for p in problems if not p.warning] == []
    return loaded


def test_another_flow_reaches_the_after_birth_page_directly(tmp_path):
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    (tmp_path / "flows" / "after_loss.yaml").write_text(OFFER, encoding="utf-8")
    content, problems = read_content(tmp_path / "flows", tmp_path / "locales")
    assert [str(p) for p in problems if not p.warning] == []
    session = Session("after_loss", "offer", stack=[("main", "menu")])
    first = show(content, session, {"language": "en"})
    page = step(content, first.session, {"language": "en"}, "1")
    assert page.screen.text.startswith("Danger signs for you, the mother: heavy bleeding")
    assert (page.session.flow, page.session.state) == ("danger_signs", "after_birth")
    back = step(content, page.session, {"language": "en"}, "0")
    assert (back.session.flow, back.session.state) == ("after_loss", "offer")


@pytest.mark.parametrize("stage, last_page", [
    ("baby", "Also: thoughts of harming yourself or your baby."),
    ("loss", "Also: thoughts of harming yourself. It is not your fault"),  # no baby after a loss
])
def test_the_mothers_last_page_speaks_of_a_baby_only_to_a_mother_who_has_one(
        content, stage, last_page):
    contact = {"language": "en", "stage": stage}
    result = show(content, Session("danger_signs", "after_birth", stack=[("main", "menu")]), contact)
    for _ in range(3):
        result = step(content, result.session, contact, "1")
    assert result.screen.text.startswith(last_page)
    assert "Go to the nearest hospital now, day or night." in result.screen.text


@pytest.mark.parametrize("language", ["en", "sw"])
def test_every_page_fits_one_screen_and_ends_with_the_hospital_line(content, language):
    flow = content.flows["danger_signs"]
    pages = [name for name, state in flow.states.items() if state.kind == "message"]
    assert len(pages) >= 12  # pregnancy, the mother after birth, the newborn, the older baby
    for name in pages:
        shown = read_through(content, flow, name, language, 7)
        assert len(shown) == 1, f"{name} takes {len(shown)} screens in {language}"
        assert len(shown[0]) <= 182
        text = shown[0].split("\n")[0]
        assert text.endswith(HOSPITAL_LINE[language]), f"{name} in {language}: {text}"
        assert "clinic" not in text.lower() and "kliniki" not in text.lower()
