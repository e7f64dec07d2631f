"""Names in the order the reader's alphabet puts them: `sort_key(text)` for sorted().

Python only, no ICU: a key per letter that is close enough to CLDR's collation for the
names a CRM sorts. Polish has its own letters, each after its base letter (Ł after L and
before M, not after Z; Ś after S; Ź then Ż after Z); German sorts ä with a, ö with o, ü
with u and ß as ss (DIN 5007-1), as do English and Chinese with every accented Latin
letter. Han characters sort in Unicode order (neither stroke count nor pinyin, which
would need a table of every character): the same order every time, not a dictionary's.
"""

from __future__ import annotations

import unicodedata

from funnel_tui.core.i18n import current_language

# Polish letters after their base letter: the second of each pair sorts after the first.
_POLISH = {"ą": "a1", "ć": "c1", "ę": "e1", "ł": "l1", "ń": "n1", "ó": "o1", "ś": "s1"}
_POLISH |= {"ź": "z1", "ż": "z2"}


def sort_key(text: str, language: str = "") -> tuple[str, str]:
    """A key that sorts `text` as `language` (default: the one spoken) orders names:
    case and accents are told apart only between names otherwise equal."""
    language = language or current_language()
    primary = []
    for char in text.casefold():
        if language == "pl" and char in _POLISH:
            primary.append(_POLISH[char])
            continue
        if char == "ß":
            primary.append("s0s0")
            continue
        if char == "ł":  # not a letter with an accent in Unicode
            primary.append("l0")
            continue
        base = unicodedata.normalize("NFD", char)[0]
        primary.append(base + "0" if base.isalpha() else base)
    return "".join(primary), text
