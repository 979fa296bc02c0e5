"""Triage of free text: normalising, verb forms, denials, windows, language, and the reply."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import gsm
from bot.content.loader import read_content
from bot.content.sms_rules import PRIVATE_WORDS
from bot.triage import Finding, detect, guess_language, reply_text
from bot.triage.lexicon import compile_term, one_slip
from bot.triage.normalise import CLAUSE_BREAK, NOT, keys, plain, squeeze, words

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def content():
    loaded, problems = read_content(ROOT / "flows", ROOT / "locales")
    assert [str(p) for p in problems] == []
    return loaded


@pytest.mark.parametrize("text, expected", [
    ("HOMAAA", "homa"),
    ("Mtóto ana hóma!!!", "mtoto ana homa |"),
    ("doesn't", "doesnt"),
    ("baby’s cord", "babys cord"),
    ("fever,not feeding", "fever | not feeding"),
])
def test_plain_text(text, expected):
    assert " ".join(plain(text).split()) == expected


def test_words_mark_clauses_at_sentence_marks_and_but():
    assert words("No, she is fine but feverish.") == ["no", CLAUSE_BREAK, "she", "is", "fine",
                                                      CLAUSE_BREAK, "feverish", CLAUSE_BREAK]


@pytest.mark.parametrize("one, other", [
    ("feeding", "feeds"), ("bleeding", "bleed"), ("ending", "end"), ("vomits", "vomiting"),
    ("breathes", "breathing"), ("broken", "broke"),
    ("kunyonya", "ananyonya"), ("kunyonya", "nyonya"), ("kunyonyaa", "kunyonya"),
    ("hanyonyi", "hajanyonya"), ("kuzimia", "amezimia"), ("kutokwa", "natokwa"),
    ("kutonyonya", "hanyonyi"), ("hataki", "cant"), ("anakataa", "refuses"),
])
def test_forms_of_one_word_meet(one, other):
    assert keys(one) & keys(other)


@pytest.mark.parametrize("one, other", [
    ("fits", "fit"), ("fitting", "fit"), ("ananyonya", "hanyonyi"), ("kutoka", "hatoki"),
    ("no", "not"), ("homa", "hana"), ("choking", "nimechoka"),
])
def test_different_words_stay_apart(one, other):
    assert not keys(one) & keys(other)


@pytest.mark.parametrize("a, b, expected", [
    ("convulsions", "convulsons", True), ("diarrhoea", "diarrhea", True),
    ("breastfeeding", "braestfeeding", True), ("kunyonya", "kunyonyaa", True),
    ("seizure", "seizures", True), ("fever", "never", True), ("kifafa", "kifafa", False),
    ("bleeding", "breeding", True), ("convulsion", "confusion", False),
])
def test_one_slip(a, b, expected):
    assert one_slip(a, b) is expected


def test_squeeze_and_denial_terms():
    assert squeeze("feeding") == "feding"
    assert compile_term("x", "en", "not sucking").negative
    assert compile_term("x", "sw", "hanyonyi").negative
    assert not compile_term("x", "sw", "homa").negative
    assert compile_term("x", "en", "!!!") is None
    assert NOT in compile_term("x", "sw", "hataki kunyonya").words[0]


@pytest.mark.parametrize("text, sign", [
    # the examples
    ("anakataa kunyonya", "newborn_not_feeding"),
    ("not sucking", "newborn_not_feeding"),
    ("kifafa", "convulsions"),
    ("fitting", "convulsions"),
    ("kuvuja damu", "bleeding"),
    ("chupa imepasuka", "waters_broke"),
    ("hataki kuamka", "unconscious"),
    ("najisikia kujidhuru", "self_harm"),
    ("My baby has a fever since yesterday and is not breastfeeding, what should I do?",
     "newborn_not_feeding"),
    # spelling, spaces, capitals
    ("MTOTO HANYONYIII", "newborn_not_feeding"),
    ("hatakinyonya", "newborn_not_feeding"),
    ("notfeeding", "newborn_not_feeding"),
    ("baby not breast feeding", "newborn_not_feeding"),
    ("mtotohanyonyi", "newborn_not_feeding"),
    ("baby haku nyonya", "newborn_not_feeding"),
    ("baby has convulsons", "convulsions"),
    ("homaaa", "fever"),
    # windows: words of a term apart, in order, small words not counted
    ("she is not even breastfeeding", "newborn_not_feeding"),
    ("macho ya mtoto ni ya njano", "jaundice"),
    ("baby cant really suck", "newborn_not_feeding"),
])
def test_danger_signs_are_found(content, text, sign):
    finding = detect(content.danger_signs, text)
    assert finding is not None and finding.sign == sign, finding


@pytest.mark.parametrize("text", [
    # denied
    "ananyonya vizuri", "feeds well", "no fever", "hana homa", "not bleeding", "hakuna homa leo",
    "I dont have a fever", "sitoki damu", "hajapata homa", "no problems, breastfeeding well",
    # ended or over
    "the fever is gone", "homa imeisha", "baby had fever last month but now he is fine",
    "she had diarrhoea 2 months ago but it stopped", "alikuwa na homa lakini amepona",
    # general questions
    "what are danger signs?", "dalili za kifafa ni zipi", "what if my water breaks at night",
    "how can i prevent malaria", "what should i do if my baby gets a fever",
    # another meaning
    "when is the yellow fever vaccine", "chanjo ya homa ya manjano", "my baby is fit",
    "my clinic is Homa Bay county referral hospital", "nimechoka kidogo baada ya kujifungua",
    # windows do not cross 'and' or clauses, nor stretch too far
    "baby does not vomit and feeds well", "not now. feeding is fine",
    "not sure what to do about the feeding schedule",
    "", "   ", "?!",
])
def test_reassuring_or_general_messages_are_not_alarms(content, text):
    assert detect(content.danger_signs, text) is None


@pytest.mark.parametrize("text, sign", [
    ("no fever and bleeding a lot", "bleeding"),
    ("No, she is not feeding", "newborn_not_feeding"),
    ("bleeding has not stopped", "bleeding"),
    ("had fever since last week", "fever"),
    ("baby was fine, now not feeding", "newborn_not_feeding"),
    ("mtoto ana homa na tuko Homa Bay", "fever"),
])
def test_a_denial_or_ending_elsewhere_does_not_hide_a_sign(content, text, sign):
    finding = detect(content.danger_signs, text)
    assert finding is not None and sign in finding.signs, finding


def test_the_most_serious_sign_comes_first(content):
    finding = detect(content.danger_signs, "baby has fever and fits, and I want to kill myself")
    assert finding == Finding("self_harm", "self_harm", "crisis", "en",
                              ("self_harm", "convulsions", "fever"))


@pytest.mark.parametrize("text, language", [
    ("My baby has a fever since yesterday", "en"),
    ("what should I do", "en"),
    ("mtoto wangu ana homa tangu jana", "sw"),
    ("nifanye nini", "sw"),
    ("mtoi ako na fever mob", "sw"),
    ("ananyonya vizuri", "sw"),
    ("", None),
    ("ok", None),
    ("123", None),
])
def test_guess_language(text, language):
    assert guess_language(text) == language


def test_the_language_falls_back_on_the_words_found(content):
    assert detect(content.danger_signs, "kifafa").language == "sw"
    assert detect(content.danger_signs, "convulsions").language == "en"


@pytest.mark.parametrize("language", ["en", "sw"])
def test_every_reply_names_the_sign_fits_two_sms_and_names_no_hiv(content, language):
    for sign in content.danger_signs.signs.values():
        finding = Finding(sign.id, sign.category, sign.action, language, (sign.id,))
        text = reply_text(content, finding, language)
        assert content.texts.get(sign.name, language) in text
        assert gsm.encoding(text) == "GSM-7" and gsm.length(text) <= 306, text
        assert not PRIVATE_WORDS.search(text), text
        assert text.startswith("Mama na Mtoto: ")  # PROGRAMME_NAME_IN_SMS, never the peer title
        assert {"en": "A health worker will also call you", "sw": "Mhudumu wa afya atakupigia"}[
            language] in text
        expected = {"hospital": ("hospital",), "crisis": ("1199", "hospital"), "gbv": ("1195",)}
        assert all(word in text for word in expected[sign.action]), text
        assert "clinic" not in text.lower() and "kliniki" not in text.lower()


def test_no_lexicon_finds_nothing():
    assert detect(None, "kifafa") is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400) | st.lists(st.sampled_from(
    ["not", "no", "hana", "homa", "kunyonya", "fever", ",", "but", "feeding", "hataki", "baby",
     "amepona", "now", "fine", "what", "if", "damu", "ya", "and", "kifafa", "  ", "!"]),
    max_size=30).map(" ".join))
def test_any_text_gives_a_finding_or_none_never_an_error(content, text):
    finding = detect(content.danger_signs, text)
    assert finding is None or (finding.signs[0] == finding.sign and finding.language in ("en", "sw"))


def test_a_reply_never_fails_for_a_sign_gone_from_the_lexicon_or_an_odd_language(content):
    gone = Finding("removed_sign", "any", "hospital", "sw", ("removed_sign",))
    assert "dalili ya hatari" in reply_text(content, gone, "sw")
    assert "a danger sign" in reply_text(content, gone, None)  # the default language
