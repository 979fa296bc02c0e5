"""Kenya's 47 counties, and reading the name of one as a mother or staff member types it."""

import re

# Constitution of Kenya (2010), First Schedule, in its order.
COUNTIES = (
    "Mombasa", "Kwale", "Kilifi", "Tana River", "Lamu", "Taita-Taveta", "Garissa", "Wajir",
    "Mandera", "Marsabit", "Isiolo", "Meru", "Tharaka-Nithi", "Embu", "Kitui", "Machakos",
    "Makueni", "Nyandarua", "Nyeri", "Kirinyaga", "Murang'a", "Kiambu", "Turkana", "West Pokot",
    "Samburu", "Trans Nzoia", "Uasin Gishu", "Elgeyo-Marakwet", "Nandi", "Baringo", "Laikipia",
    "Nakuru", "Narok", "Kajiado", "Kericho", "Bomet", "Kakamega", "Vihiga", "Bungoma", "Busia",
    "Siaya", "Kisumu", "Homa Bay", "Migori", "Kisii", "Nyamira", "Nairobi",
)
# Short or older names people still use for a county.
_OTHER_NAMES = {"nairobicity": "Nairobi", "taita": "Taita-Taveta", "tharaka": "Tharaka-Nithi",
                "elgeyo": "Elgeyo-Marakwet", "marakwet": "Elgeyo-Marakwet",
                "pokot": "West Pokot", "tana": "Tana River", "homabay": "Homa Bay"}
_NOT_LETTERS = re.compile(r"[^a-z]+")
# "Kisumu county", "kaunti ya Kisumu": the word for county is not part of the name.
_COUNTY_WORD = re.compile(r"\b(county|kaunti ya|kaunti)\b")


def _letters(text):
    return _NOT_LETTERS.sub("", _COUNTY_WORD.sub(" ", str(text).lower()))


_BY_LETTERS = {_letters(name): name for name in COUNTIES} | _OTHER_NAMES


def county_named(text):
    """Return the county `text` names ('homa bay county' -> 'Homa Bay'), or None."""
    return _BY_LETTERS.get(_letters(text or ""))
