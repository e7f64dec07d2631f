"""A person's name from its parts, and back, in the order the name's own culture writes it.

Chinese, Japanese and Korean names are family name first with no space ("李伟"); a
Hungarian name is family name first with a space ("Kovács János"); most others are
given name first. The order is decided by the script the parts are written in and the
country of the row they come from. Splitting a stored name back (for a vCard's N) is
modest: what cannot be told for sure goes whole into the family part.
"""

from __future__ import annotations

import unicodedata

# Countries whose names are written family name first, with a space, in Latin letters.
FAMILY_FIRST_COUNTRIES = frozenset({"HU"})
# Countries where a person commonly has two family names ("Núñez Peña").
TWO_SURNAME_COUNTRIES = frozenset(
    {"MX", "ES", "AR", "CL", "CO", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV",
     "NI", "CR", "PA", "UY", "PR"}
)  # fmt: skip
# Two-character Chinese and Korean family names: the rest take one character.
_COMPOUND_SURNAMES = frozenset(
    [
        "歐陽",
        "欧阳",
        "司馬",
        "司马",
        "諸葛",
        "诸葛",
        "上官",
        "東方",
        "东方",
        "皇甫",
        "夏侯",
        "尉遲",
        "尉迟",
        "公孫",
        "公孙",
        "慕容",
        "令狐",
        "長孫",
        "长孙",
        "宇文",
        "司徒",
        "西門",
        "西门",
        "端木",
        "南宮",
        "南宫",
        "독고",
        "남궁",
        "황보",
        "제갈",
        "선우",
        "사공",
        "서문",
    ]
)
_PREFIXES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sr",
        "sra",
        "srta",
        "don",
        "doña",
        "herr",
        "frau",
        "pan",
        "pani",
        "ing",
        "mgr",
        "dipl",
        "sir",
        "dame",
        "rev",
        "fr",
    ]
)
_SUFFIXES = frozenset(
    ["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "dds", "jun", "sen"]
)
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "del",
        "della",
        "der",
        "den",
        "da",
        "di",
        "du",
        "le",
        "la",
        "dos",
        "das",
        "do",
        "ter",
        "ten",
        "zu",
    ]
)


# Han (with its extensions and compatibility forms), Kana and Hangul, as code point ranges:
# a look at unicodedata's names a character costs more than the rest of reading a row.
_CJK_RANGES = (
    (0x1100, 0x11FF),
    (0x2E80, 0x2FDF),
    (0x3040, 0x30FF),
    (0x3130, 0x318F),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x20000, 0x323AF),
)


def is_cjk(text: str) -> bool:
    """Whether the letters of `text` are all Han, Kana or Hangul (and there is one)."""
    if text.isascii():
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(_cjk_letter(ch) for ch in letters)


def _cjk_letter(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def join_name(
    given: str = "",
    family: str = "",
    middle: str = "",
    prefix: str = "",
    suffix: str = "",
    country: str = "",
) -> str:
    """A full name from its parts. `country`: an ISO code (or "") of the person's row.

    >>> join_name("伟", "李")
    '李伟'
    >>> join_name("János", "Kovács", country="HU")
    'Kovács János'
    >>> join_name("Anna", "Nowak", middle="Maria")
    'Anna Maria Nowak'
    """
    given, family, middle = given.strip(), family.strip(), middle.strip()
    core_parts = [p for p in (given, middle, family) if p]
    plain = not prefix and not suffix and country not in FAMILY_FIRST_COUNTRIES
    if plain and given.isascii() and family.isascii() and middle.isascii():
        return " ".join(core_parts)  # the common case, quickly
    if core_parts and all(is_cjk(p) for p in core_parts):
        core = family + given + middle
    elif country.upper() in FAMILY_FIRST_COUNTRIES:
        core = " ".join(p for p in (family, given, middle) if p)
    else:
        core = " ".join(core_parts)
    return " ".join(p for p in (prefix.strip(), core, suffix.strip()) if p)


def _bare(token: str) -> str:
    return token.strip(".,").casefold()


def split_name(full: str, country: str = "") -> tuple[str, str, str, str, str]:
    """A stored full name as (family, given, additional, prefix, suffix), as a vCard's N
    wants it. When unsure, the whole name is the family part."""
    name = " ".join(full.split())
    if not name:
        return ("", "", "", "", "")
    if is_cjk(name.replace(" ", "")):
        return (*_split_cjk(name, country), "", "", "")
    tokens = name.split(" ")
    prefix: list[str] = []
    while len(tokens) > 1 and _bare(tokens[0]) in _PREFIXES:
        prefix.append(tokens.pop(0))
    suffix: list[str] = []
    while len(tokens) > 1 and _bare(tokens[-1]) in _SUFFIXES:
        suffix.insert(0, tokens.pop())
    if tokens and tokens[-1].endswith(","):
        tokens[-1] = tokens[-1].rstrip(",")
    pre, post = " ".join(prefix), " ".join(suffix)
    if len(tokens) == 1:
        return (tokens[0], "", "", pre, post)
    country = country.upper()
    if country in FAMILY_FIRST_COUNTRIES:
        return (tokens[0], " ".join(tokens[1:]), "", pre, post)
    # The family name starts at its particle ("van der Berg"), else it is the last word,
    # or the last two where people have two.
    start = len(tokens) - 1
    if country in TWO_SURNAME_COUNTRIES and len(tokens) >= 3:
        start = len(tokens) - 2
    for i in range(1, len(tokens) - 1):
        if tokens[i].casefold() in _PARTICLES:
            start = min(start, i)
            break
    given, *additional = tokens[:start]
    return (" ".join(tokens[start:]), given, " ".join(additional), pre, post)


def _split_cjk(name: str, country: str) -> tuple[str, str]:
    if " " in name or country.upper() == "JP" or any(_kana(ch) for ch in name):
        return (name, "")  # where a Japanese family name ends cannot be told from its letters
    if name[:2] in _COMPOUND_SURNAMES and len(name) > 2:
        return (name[:2], name[2:])
    if 2 <= len(name) <= 3:
        return (name[:1], name[1:])
    return (name, "")


def _kana(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("HIRAGANA", "KATAKANA"))
