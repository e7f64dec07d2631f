"""What a typed search looks for, and how each engine looks for it.

How a search reads (`parse_search`):

- Text that is only digits and phone punctuation ("0512 345 678", "+48 512-345-678",
  "(201) 555-0123") is a phone number, read as a person means it (see _phone_starts):
  after "+" or "00" it is the start of an international number; after the trunk prefix
  of the user's region (default_region: "0151" in DE, "02" in TW, "1 201" in the US) it
  is the start of a national number of that region (+49 151…); other digits are the
  start of any lead's national number or of its international one without the "+"
  ("512 345" finds +48 512 345 678, "48 512" too), a leading 0 dropped where the region
  has no trunk prefix (or none is set). Digits inside a number are not looked for:
  "151" does not find +48 512 151 000.
- Other text is folded as names are (folding.fold: case, accents, ß/ss, ł/l, ø/o,
  full-width letters, Traditional/Simplified Chinese), so "KOWALSKA" finds "Kowalska",
  "Muller" "Müller", "Wojcik" "Wójcik", 陈志明 陳志明; each word must occur somewhere in
  the lead's name, company, email or phone, in any order ("gmail anna" finds
  anna.nowak@gmail.com).
- Everything typed is data: quotes, `%`, `_`, `*`, `OR`, `NEAR(`, `[bold]` are matched
  literally.

On SQLite a word of three or more characters is looked up in the trigram FTS5 index
(storage.list_index), which finds any substring; text of one or two characters has no trigram of
its own, so it matches the *start* of the name, the company, the email or the phone
number instead, through the same index ("王小" finds 王小明; "ko" finds the leads of
Kowalski Logistyka, but Anna Kowalska by her name only from "kow" on). One or two CJK
characters, often a whole name or word in those scripts, match anywhere in a name or
company ("林" finds 王林 and 林志玲, "小明" 王小明, "股份" 台灣股份有限公司), through the
pairs the documents of CJK names and companies carry (db._pairs_sql). On PostgreSQL
every word is a substring LIKE over the same document (through a pg_trgm index when the
server has the extension, else a scan), so short text matches anywhere there; the CJK
characters of the words are also looked up in an index of each document's CJK
characters and pairs (list_index.cjk_grams_sql), which a trigram cannot serve for one or
two of them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from funnel_tui.core import validators as v
from funnel_tui.core.folding import fold
from funnel_tui.storage.list_index import CJK_CLASS, FIELD_START, NATIONAL_MARK, PAIR_END

MIN_TRIGRAM = 3  # characters: shorter text has no trigram of its own
_PHONE_TEXT = re.compile(r"[0-9+\-()./\s]+")


@functools.cache
def _cjk() -> re.Pattern[str]:
    """A run of CJK characters (one or more)."""
    # Compiled at the first short search, not at every start: its ranges take 4 ms.
    return re.compile(f"[{CJK_CLASS}]+")


@dataclass(frozen=True)
class SearchTerms:
    """A search as the database reads it: every word must occur in the lead's search
    document; `phone` when the text was a phone number (one word: its digits), found
    by a field of the document starting with one of `starts`."""

    words: tuple[str, ...]
    phone: bool = False
    starts: tuple[str, ...] = ()

    @property
    def whole(self) -> str:
        return " ".join(self.words)

    @property
    def short(self) -> bool:
        """Too short for any trigram: SQLite matches prefixes instead."""
        return len(self.whole) < MIN_TRIGRAM


def parse_search(text: str, region: str = "") -> SearchTerms | None:
    """The terms of a typed search, or None when it searches for nothing. `region`:
    the user's (config.default_region), for numbers typed with its trunk prefix."""
    key = fold(v.clean_text(text))
    if not key:
        return None
    if _PHONE_TEXT.fullmatch(key) and any(ch in "0123456789" for ch in key):
        digits = "".join(ch for ch in key if ch in "0123456789")
        return SearchTerms((digits,), phone=True, starts=_phone_starts(key, digits, region))
    return SearchTerms(tuple(dict.fromkeys(key.split(" "))))


def _phone_starts(text: str, digits: str, region: str) -> tuple[str, ...]:
    """How a field of a lead's search document that holds its number (the E.164
    number, or the national number: db.search_document_sql) starts when `text` means
    that number."""
    if text.startswith("+"):
        return ("+" + digits,)
    if digits.startswith("00"):  # the international prefix of most of the world
        return ("+" + digits[2:],)
    code, trunk = _region_prefixes(region)
    if trunk and digits.startswith(trunk):
        return ("+" + code + digits[len(trunk) :],)
    # Without a region, or in one without a trunk prefix (PL, MX), a leading 0 is a
    # habit from where there is one: the national number follows.
    national = digits.lstrip("0") or digits
    return ("+" + national, national)


@functools.cache
def _region_prefixes(region: str) -> tuple[str, str]:
    """(country calling code, trunk prefix) of a region; "" for none or unknown."""
    if not region:
        return "", ""
    from phonenumbers import PhoneMetadata  # 25 ms, once a number is searched for

    meta = PhoneMetadata.metadata_for_region(region.upper())
    if meta is None:
        return "", ""
    return str(meta.country_code or ""), meta.national_prefix or ""


# ------------------------------------------------------------------------ the API


def fts_terms(terms: SearchTerms) -> tuple[list[tuple[str, ...]], list[str]]:
    """What SQLite looks for: strings a lead's search document must hold, one of each
    tuple (fts_match makes them the FTS5 query; each is also a plain substring), and
    the words too short for a trigram, which the rows the query finds must also hold
    (instr)."""
    if terms.phone:
        return [tuple(_number_start(s) for s in terms.starts)], []
    if terms.short:
        # One or two characters have no trigram of their own: look for a field that
        # starts with them. Each field follows FIELD_START (list_index), a character typed
        # text never holds, so "\x1f\x1fk" and "\x1fko" are trigrams of field starts.
        # One or two CJK characters are also found anywhere in a name or company,
        # through its pairs: the two as a pair, the one as a pair's start or end.
        found = [_field_start(terms.whole)]
        if _is_cjk_pair(terms.whole):
            found.append(terms.whole + PAIR_END)
        elif is_cjk_gram(terms.whole):  # one character: a pair was taken above
            ends = PAIR_END * 2
            found += [ends + terms.whole, terms.whole + ends]
        return [tuple(found)], []
    pairs = [w for w in terms.words if _is_cjk_pair(w)]
    long_words = [w for w in terms.words if len(w) >= MIN_TRIGRAM]
    short_words = [w for w in terms.words if len(w) < MIN_TRIGRAM and w not in pairs]
    if not long_words and not pairs:  # short words only, e.g. "a b": the text itself
        long_words, short_words = [terms.whole], []
    return [(w,) for w in long_words] + [(w + PAIR_END,) for w in pairs], short_words


def fts_match(groups: list[tuple[str, ...]]) -> str:
    """The FTS5 query finding the documents that hold one string of each of `groups`.
    Every string is quoted (quotes doubled): nothing typed is FTS5 syntax."""
    return " AND ".join("(" + " OR ".join(fts_string(s) for s in g) + ")" for g in groups)


def cjk_grams(words: Iterable[str]) -> list[str]:
    """The grams (list_index.cjk_grams_sql) that a document holding every one of
    `words` holds: of each run of CJK characters in a word, its one character, or each
    two neighbouring ones of a longer run ("王小明" → 王小, 小明; "3号楼" → 号楼)."""
    grams: dict[str, None] = {}
    for word in words:
        for run in _cjk().findall(word):
            if len(run) == 1:
                grams[run] = None
            for i in range(len(run) - 1):
                grams[run[i : i + 2]] = None
    return list(grams)


def is_cjk_gram(word: str) -> bool:
    """Whether `word` is one of the grams a document's CJK grams list (one or two CJK
    characters): whether the document holds it is then one index lookup."""
    return len(word) <= 2 and _cjk().fullmatch(word) is not None


def _is_cjk_pair(word: str) -> bool:
    return len(word) == 2 and is_cjk_gram(word)


def _number_start(start: str) -> str:
    """A phrase for a number field of the document starting with `start`: the E.164
    number from "+" on ("+" appears nowhere else but in a rare address), the national
    number from NATIONAL_MARK on; FIELD_START only where a phrase would be shorter than
    a trigram. The marks of the fields lead the phrase only then: every lead with a
    number has "U+001F U+001F +", and reading its entries costs 15–20 ms at 100,000
    leads."""
    full = FIELD_START + ("" if start.startswith("+") else NATIONAL_MARK) + start
    return full[-max(MIN_TRIGRAM, len(full) - len(FIELD_START)) :]


def _field_start(prefix: str) -> str:
    """`prefix` at the start of a field, in as few trigrams as can say so."""
    return FIELD_START[: max(1, MIN_TRIGRAM - len(prefix))] + prefix


def fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
