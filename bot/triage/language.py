"""Guess whether a message is in English or Kiswahili (Sheng counts as Kiswahili).

Mothers mix both, so this counts common words of each language and the
Kiswahili verb shape (a-/ana-/ame-/ha- ... ending in -a or -i). It answers
None when neither side clearly wins, and the caller falls back on what it knows.
"""

import re

from .normalise import CLAUSE_BREAK, words

_ENGLISH = frozenset("""
the a an is are was were be been am i my me he she his her him it its we our you your they them
this that these those what when where why how which who should can could will would do does did
have has had not no and or but if of to in on at for with from since by about after before
baby child son daughter husband wife pregnant pregnancy today yesterday morning night week weeks
month months day days please help doctor clinic hospital hurt pain very much too more some any
there then than also just still now time want need know think feel feels feeling getting got
""".split())
_KISWAHILI = frozenset("""
na ya wa za la kwa ni si kama lakini au sana tu pia hii huyu hiyo yule kwenye katika mimi wewe
yeye sisi nini nifanye gani lini wapi vipi je mtoto mtoi watoto mwanangu mwanangu bibi mume
yangu wangu wako yako wake yake leo jana juzi kesho asubuhi usiku mchana wiki mwezi siku tangu
tena bado sasa hivi ama nataka sitaki ana ako iko nina niko yuko hana sina hakuna kitu mama
mimba tumbo damu homa kliniki hospitali dawa naomba saidia msaada nisaidie shida tafadhali
mwili kichwa macho maziwa kunyonya hapana ndio sawa poa fiti msee mathe manze kidogo mbaya
uso mguu miguu mgongo titi ziwa kitovu chupa uchafu harufu usaha maji kifua niaje vipi
""".split())
_SWAHILI_VERB = re.compile(r"^(?:ana|ame|ali|ata|ha|hu|ni|na|ku|wa|tu|a)[a-z]{2,}[ai]$")
_MARGIN = 1  # votes one side must lead by


def guess_language(text):
    """Return "en", "sw", or None when unsure."""
    en = sw = 0
    for word in words(text or ""):
        if word == CLAUSE_BREAK:
            continue
        if word in _ENGLISH:
            en += 1
        elif word in _KISWAHILI or _SWAHILI_VERB.match(word):
            sw += 1
    if en - sw >= _MARGIN and en > 0:
        return "en"
    if sw - en >= _MARGIN and sw > 0:
        return "sw"
    return None
