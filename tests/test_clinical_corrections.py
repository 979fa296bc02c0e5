"""Each fact the clinical review corrected stays corrected, in both languages.

A test per item of the review's list: the corrected wording or numbers are in the
text, the wrong ones are gone, and a source (or a `verify:` mark) sits beside it.
The schedule's own corrections (postnatal contacts, malaria vaccine) are tested
in test_reminder_plan.py.
"""

from pathlib import Path

import pytest

from bot.content import load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content(ROOT / "flows", ROOT / "locales")


def text(key, language):
    return CONTENT.texts.get(key, language)


def comments_before(key):
    """The comment lines just above `key` in its English locale file (where sources are kept)."""
    topic, name = key.split(".", 1)
    lines = (ROOT / "locales" / f"{topic}.en.yml").read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith(f"{name}:"))
    found = [line.split("#", 1)[1] for line in [lines[at]] if "  # " in line]
    for line in reversed(lines[:at]):
        if not line.startswith("#"):
            break
        found.append(line)
    return " ".join(found)


# (text key, language, words that must be there, words that must be gone)
CORRECTED = [
    # HIV retesting after a negative test: third trimester, delivery, 6 weeks, 6-monthly.
    ("pmtct.test_when_text", "en", ["last 3 months", "at delivery", "6 weeks after",
                                    "every 6 months while you breastfeed"], []),
    ("pmtct.test_when_text", "sw", ["miezi 3 ya mwisho", "wakati wa kujifungua",
                                    "wiki 6 baada", "kila baada ya miezi 6"], []),
    # Infant HIV tests: 6 weeks, 6, 12, 18 months, 6 weeks after breastfeeding FULLY stops.
    ("pmtct.baby_tests_text", "en", ["6 weeks", "6, 12 and 18 months", "fully stops"], []),
    ("pmtct.baby_tests_text", "sw", ["wiki 6", "miezi 6, 12 na 18", "kabisa"], []),
    ("sms_hiv.m07", "en", ["6 weeks", "6, 12 and 18 months", "fully stops"], []),
    ("sms_hiv.m07", "sw", ["wiki 6", "miezi 6, 12, 18", "kabisa"], []),
    # Mixed feeding is no reason to stop breastfeeding on treatment.
    ("pmtct.bf_first_6_text", "en", ["do not stop breastfeeding"], []),
    ("pmtct.bf_first_6_text", "sw", ["usiache kunyonyesha"], []),
    ("sms_hiv.m05", "en", ["Do not stop breastfeeding"], []),
    ("sms_hiv.m05", "sw", ["Usiache kunyonyesha"], []),
    # "Your medicine protects him" only with the viral-load condition.
    ("pmtct.bf_safe_text", "en", ["once your viral load is suppressed"], []),
    ("pmtct.bf_safe_text", "sw", ["vichache mno kupimika"], []),
    ("pmtct.viral_load_text", "en", ["When your viral load is suppressed"],
     ["A low result means the medicine is working and protecting"]),
    ("pmtct.viral_load_text", "sw", ["vichache mno kupimika"], []),
    ("sms_hiv.m10", "en", ["Once your viral load is suppressed, your ARVs protect him"],
     ["Your own ARVs, taken daily, protect him too"]),
    ("sms_hiv.m10", "sw", ["vichache mno kupimika"], ["ARV zako ukizimeza kila siku humkinga"]),
    # The missed-dose rule is the clinic's, with its 4-hour window.
    ("pmtct.missed_dose_text", "en", ["clinic's rule", "4 hours", "Never take two"], []),
    ("pmtct.missed_dose_text", "sw", ["utaratibu wa kliniki", "saa 4"], []),
    ("sms_hiv.m02", "en", ["clinic's rule", "4 hours", "Never take two"], []),
    ("sms_hiv.m02", "sw", ["utaratibu wa kliniki", "saa 4"], []),
    # Burns: cool running water for 20 minutes, nothing else on the skin.
    ("play.burns_text", "en", ["cool running water for 20 minutes", "nothing else",
                               "toothpaste", "nearest hospital"], ["for a long time"]),
    ("play.burns_text", "sw", ["yanayotiririka kwa dakika 20", "Usipake kitu kingine"],
     ["kwa muda mrefu"]),
    # Toys for babies: cloth, never plastic bags, nothing small enough to swallow.
    ("play.toys_baby_text", "en", ["cloth", "Never use plastic bags", "small enough"],
     ["dry beans", "or plastic bags tied"]),
    ("play.toys_baby_text", "sw", ["vitambaa", "Usitumie mifuko ya plastiki"],
     ["maharagwe", "mtoto mchanga"]),
    ("play.to_12_months_text", "en", [], ["dry beans"]),
    ("play.to_12_months_text", "sw", [], ["maharagwe"]),
    ("sms_baby.w46", "en", [], ["beans"]),
    ("sms_baby.w46", "sw", [], ["maharagwe"]),
    # Meals per age (PAHO/WHO) and half a 250 ml cup.
    ("nutrition.how_often_text", "en", ["6 to 8 months give 2 to 3 meals",
                                        "9 to 11 months give 3 to 4 meals and 1 to 2 snacks",
                                        "1 to 2 years give 3 to 4 meals and 1 to 2 snacks",
                                        "half a 250 ml cup"], ["about half a cup each"]),
    ("nutrition.how_often_text", "sw", ["milo 2 hadi 3", "milo 3 hadi 4 na vitafunio 1 hadi 2",
                                        "nusu ya kikombe cha ml 250"], []),
    # Liver: small amounts in pregnancy.
    ("sms_pregnancy.w17", "en", ["Liver", "only a little in pregnancy"], []),
    ("sms_pregnancy.w17", "sw", ["Maini", "kidogo tu"], []),
    # Postnatal checks: no "within 2 weeks" arriving on day 14-20.
    ("sms_baby.w02", "en", ["Missed a check after birth"], ["within 2 weeks"]),
    ("sms_baby.w02", "sw", ["ukaguzi baada ya kujifungua"], ["ndani ya wiki 2"]),
]


@pytest.mark.parametrize("key, language, present, absent", CORRECTED,
                         ids=[f"{key}-{language}" for key, language, _, _ in CORRECTED])
def test_the_corrected_fact_is_said_and_the_wrong_one_is_gone(key, language, present, absent):
    said = text(key, language)
    for words in present:
        assert words.lower() in said.lower(), f"{key} ({language}) lost {words!r}: {said}"
    for words in absent:
        assert words.lower() not in said.lower(), f"{key} ({language}) says {words!r} again"


@pytest.mark.parametrize("key", sorted({key for key, _, _, _ in CORRECTED}))
def test_each_corrected_text_names_its_source(key):
    assert "Source:" in comments_before(key), f"{key}: no source beside it"


@pytest.mark.parametrize("key", ["pmtct.test_when_text", "pmtct.baby_tests_text",
                                 "pmtct.missed_dose_text", "pmtct.baby_medicine_text",
                                 "sms_hiv.m02", "sms_hiv.m06", "sms_hiv.m07"])
def test_what_the_review_left_uncertain_stays_marked_for_a_clinician(key):
    assert "verify" in comments_before(key).lower(), f"{key}: its 'verify' mark is gone"


def test_infant_prophylaxis_sources_give_the_regimen_and_the_text_leaves_the_end_to_the_nurse():
    for key in ("pmtct.baby_medicine_text", "sms_hiv.m06"):
        assert "AZT+NVP for" in comments_before(key) and "6 weeks after breastfeeding fully" \
            in comments_before(key).replace("#", "").replace("  ", " ").replace("\n", " ")
    assert "until the nurse says to stop" in text("pmtct.baby_medicine_text", "en")
    assert "as long as the nurse says" in text("sms_hiv.m06", "en")


def test_the_corrected_sms_sent_unasked_name_no_hiv_words():
    for key in ("sms_baby.w02", "sms_baby.w46", "sms_pregnancy.w17"):
        for language in ("en", "sw"):
            said = text(key, language).lower()
            assert not any(word in said for word in ("hiv", "vvu", "arv", "viral"))


def test_no_play_tip_for_a_child_under_3_offers_what_the_choking_advice_keeps_away():
    # play.choking_text keeps bottle tops and the like from children under 3.
    for key in ("development.m30_well", "sms_toddler.m21", "play.toys_baby_text",
                "play.to_12_months_text", "sms_baby.w46"):
        said = text(key, "en").lower()
        assert not any(small in said for small in ("bottle tops", "stones", "beans")), key
