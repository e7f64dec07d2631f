"""Whether two names on one phone number are one person: an import takes the same phone
for the same person only when the names agree. A number is often shared (a
switchboard, a household, an assistant's line): three people of a Salesforce export on
one number are three leads, flagged as possible duplicates, not two of them skipped.

Names agree as a person reading them would say: case, accents and spelling of letters
aside ("Jürgen Weiß" and "JURGEN WEISS"), in either order ("Kowalska Anna"), with an
initial standing for a name ("J. Weiss"), and one name the shorter form of the other
("Anna" and "Anna Kowalska"). "Anna Kowalska" and "Piotr Kowalski" do not agree.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that do not come apart into a letter and an accent.
_LETTERS = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae"})
_WORD = re.compile(r"\w+")


def name_words(name: str) -> list[str]:
    """A name's words as compared: casefolded, accents dropped."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LETTERS)
    return _WORD.findall(text)


def names_agree(one: str, other: str) -> bool:
    a, b = name_words(one), name_words(other)
    if not a or not b:
        return False
    if "".join(a) == "".join(b) or sorted(a) == sorted(b):
        return True
    short, long = sorted((a, b), key=len)
    left = list(long)
    whole = False
    for word in short:
        match = next((w for w in left if w == word), None)
        if match is None and len(word) == 1 and word.isalpha():  # an initial
            match = next((w for w in left if w.startswith(word)), None)
        elif match is None and word.isalpha():  # the longer one has the initial
            match = next((w for w in left if w == word[0]), None)
        if match is None:
            return False
        whole = whole or (len(word) > 1 and len(match) > 1)
        left.remove(match)
    return whole
