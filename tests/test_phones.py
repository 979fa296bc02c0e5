"""Numbers read the same however they come: AT's E.164, local, or without the plus."""

import random

import pytest

from bot.phones import by_parse, normalise


@pytest.mark.parametrize("raw, expected", [
    ("+254712345678", "+254712345678"), ("0712345678", "+254712345678"),
    ("254712345678", "+254712345678"), (" +254 712 345 678 ", "+254712345678"),
    ("+254112345678", "+254112345678"), ("+2547123", None), ("+254012345678", None),
    ("22384", None), ("", None), ("+255712345678", "+255712345678"), ("not a number", None),
])
def test_numbers_in_every_form(raw, expected):
    assert normalise(raw, "KE") == expected


def test_the_quick_reading_of_e164_agrees_with_phonenumbers_parse():
    rng = random.Random(11)
    for _ in range(20_000):
        digits = rng.choice("1234579") + "".join(rng.choice("0123456789")
                                                  for _ in range(rng.choice([3, 7, 8, 8, 8, 9, 12])))
        for region, code in (("KE", "254"), ("UG", "256")):
            text = f"+{code}{digits}"
            assert normalise.__wrapped__(text, region) == by_parse(text, region), text
