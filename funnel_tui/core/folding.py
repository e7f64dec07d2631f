"""How names, companies and addresses are compared: one folding for search and duplicates.

`fold` turns text into the form searches and near-duplicate checks compare, the same
when a lead is written (its stored `name_fold` and `company_fold`, see models.Lead) and
when a search is typed, so "Muller" finds "Müller" and 陈志明 finds 陳志明:

- NFKC: full-width Latin letters and digits become ordinary ones ("ＡＢＣ１２" → "abc12"),
  compatibility ideographs their unified forms;
- case folded (so "ß" becomes "ss");
- accents on Latin and Greek letters removed ("é" → "e", "ů" → "u"), and the letters
  that carry no separable accent spelt as a person without them would ("ł" → "l",
  "ø" → "o", "æ" → "ae", "đ" → "d", "þ" → "th"); marks of other scripts are letters
  there and are kept (Japanese dakuten, Devanagari vowel signs, Hangul);
- Traditional Chinese characters written as Simplified ones, through OpenCC's tables
  (loaded on the first text that holds a Han character: about 16 ms, once).

`email_key` is an address as duplicates are found by it: case folded in full, local
part included (what was typed stays in email_raw, the normalised form in email_norm).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Letters with no decomposition into a base letter and an accent, as people write them
# on a keyboard without them (after casefold: so lower case only).
_SPELT = {
    "ł": "l",
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "ı": "i",
    "ŀ": "l",
    "ŧ": "t",
    "ŋ": "n",
    "ĸ": "k",
    "ƒ": "f",
    "ɨ": "i",
    "ʉ": "u",
}


@functools.cache
def _han() -> re.Pattern[str]:
    # Compiled at the first fold, not at every start: its ranges take 2–3 ms.
    return re.compile("[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character (already NFKC and casefolded) without its Latin or Greek accents."""
    if ch < "\u00c0":  # ASCII and Latin-1 punctuation: nothing to fold
        return ch
    if ch in _SPELT:
        return _SPELT[ch]
    if "\u0300" <= ch <= "\u036f":  # an accent NFKC could not compose ("İ" → "i̇")
        return ""
    parts = unicodedata.normalize("NFD", ch)
    base = parts[0]
    # Only letters of the Latin and Greek blocks lose their marks: elsewhere a combining
    # mark is part of the letter (が is not か).
    if len(parts) > 1 and (base < "\u0250" or "\u0370" <= base <= "\u03ff"):
        kept = "".join(m for m in parts[1:] if not "\u0300" <= m <= "\u036f")
        return _SPELT.get(base, base) + kept
    return ch


def fold(text: str) -> str:
    """`text` as searches and near-duplicate checks compare it (see the module doc);
    spaces collapsed, ends trimmed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = "".join(_fold_char(ch) for ch in text)
        if _han().search(text):
            text = _simplified(text)
    return " ".join(text.split())


def stored_fold(key: str) -> str:
    """The fold of a name or company key as a lead stores it: "" when it is the key
    itself (most names typed in ASCII), so the search document reads the key then."""
    folded = fold(key)
    return "" if folded == key else folded


def email_key(email: str | None) -> str | None:
    """An address as compared for duplicates: casefolded whole (mail providers treat
    the local part case-insensitively in practice); None for no address."""
    if not email:
        return None
    return unicodedata.normalize("NFKC", email).casefold()


@functools.cache
def _converter() -> Any:
    import opencc  # the C++ library with its tables: loaded only for Han text

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    return _converter().convert(text)
