"""SMS cost: encoding and parts, as the network counts them."""

import pytest

from bot.content import gsm


@pytest.mark.parametrize("text, encoding, length, parts", [
    ("Go to the clinic today.", "GSM-7", 23, 1),
    ("x" * 160, "GSM-7", 160, 1),
    ("x" * 161, "GSM-7", 161, 2),
    ("x" * 306, "GSM-7", 306, 2),
    ("x" * 307, "GSM-7", 307, 3),
    ("[x]" + "x" * 155, "GSM-7", 160, 1),  # [ and ] count twice
    ("Mum’s visit", "UCS-2", 11, 1),
    ("’" + "x" * 70, "UCS-2", 71, 2),
    ("😀", "UCS-2", 2, 1),  # outside the basic plane: two UCS-2 units
])
def test_encoding_length_and_parts(text, encoding, length, parts):
    assert (gsm.encoding(text), gsm.length(text), gsm.segments(text)) == (encoding, length, parts)


def test_the_odd_characters_are_named_once_each():
    assert gsm.outside_gsm("“Hello” – ’’") == "“”–’"
