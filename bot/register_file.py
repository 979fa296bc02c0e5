"""Reading a clinic register as staff save it: whatever the encoding and the separator.

Excel on a Windows laptop saves "CSV" in the Windows code page (cp1252), or as
"CSV UTF-8" with a byte-order mark, and in many locales separates columns with
`;`. Each is read as it is, so the clinic never has to convert the file first.
"""

import codecs
from pathlib import Path

SEPARATORS = (",", ";", "\t")


def read_text(path):
    """The file's text and the encoding it was read with."""
    raw = Path(path).read_bytes()  # a register is small: a few thousand rows at most
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"  # Excel's "Unicode text"
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # five bytes cp1252 leaves undefined: latin-1 reads every byte
        return raw.decode("latin-1"), "Latin-1"


def separator(header, wanted):
    """The separator that splits the first line into most of the `wanted` columns (',' on a tie).

    Most, not all: a ';' file that lacks a column must still be read with ';', so
    that the error names the one column missing, not all of them.
    """
    def score(candidate):
        names = [part.strip().strip('"').lower() for part in header.split(candidate)]
        return sum(column in names for column in wanted), len(names)

    return max(SEPARATORS, key=score)  # max keeps the first of equals: ','
