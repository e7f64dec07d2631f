"""Countries: a country's name in the language a person reads, and the country a typed or
imported name means, in any of funnel's five languages.

The names are generated tables (core/country_names.py: codes and English names;
core/country_local_names.py: the other languages' names, imported on first need),
written by this module from CLDR through Babel:

    .venv/bin/python -m funnel_tui.core.countries

which keeps the codes and English names it finds there (the regions phone numbers can
belong to, first written from the phonenumbers data; "Taiwan" stays "Taiwan") and adds
each one's name in 繁體中文, 简体中文, Deutsch and Polski (Babel's Locale.territories),
with CLDR's English name where funnel's differs ("Czechia"). A table rather than Babel at
run time: start-up pays only for a dict literal, and the index of every name is built on
the first name looked up. Names people type that CLDR does not have ("USA", "BRD",
"Republic of China", "中華民國", "臺灣") are written out below.
"""

from __future__ import annotations

from funnel_tui.core.country_names import COUNTRY_NAMES
from funnel_tui.core.i18n import ENGLISH, current_language

__all__ = ["COUNTRY_NAMES", "country_code", "country_name", "english_name"]

# The languages LOCAL_NAMES holds, in its order, with the CLDR locale each is read from.
NAME_LOCALES = (("zh_TW", "zh_Hant"), ("zh_CN", "zh_Hans"), ("de", "de"), ("pl", "pl"))

# Names people commonly type that differ from the table's.
_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "england": "GB",
    "great britain": "GB",
    "china": "CN",
    "mainland china": "CN",
    "prc": "CN",
    "taiwan": "TW",
    "republic of china": "TW",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "deutschland": "DE",
    "polska": "PL",
    "méxico": "MX",
    "mexico": "MX",
    "türkiye": "TR",
    "turkey": "TR",
    "czech republic": "CZ",
    "czechia": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "uae": "AE",
    "中国": "CN",
    "中國": "CN",
    "中华人民共和国": "CN",
    "中華人民共和國": "CN",
    "中国大陆": "CN",
    "中國大陸": "CN",
    "台灣": "TW",
    "台湾": "TW",
    "臺灣": "TW",
    "中華民國": "TW",
    "中华民国": "TW",
    "香港": "HK",
    "澳門": "MO",
    "澳门": "MO",
    "日本": "JP",
    "韓國": "KR",
    "韩国": "KR",
    "대한민국": "KR",
    "한국": "KR",
    "美國": "US",
    "美国": "US",
    "德國": "DE",
    "德国": "DE",
    "波蘭": "PL",
    "波兰": "PL",
    "墨西哥": "MX",
    "英國": "GB",
    "英国": "GB",
    "法國": "FR",
    "法国": "FR",
    "新加坡": "SG",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "united states": "US",
    "estados unidos": "US",
    "vereinigte staaten": "US",
    "stany zjednoczone": "US",
    "niemcy": "DE",
    "bundesrepublik deutschland": "DE",
    "brd": "DE",
    "österreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "polen": "PL",
    "pologne": "PL",
    "polonia": "PL",
    "rzeczpospolita polska": "PL",
    "alemania": "DE",
    "allemagne": "DE",
    "estados unidos mexicanos": "MX",
    "mexiko": "MX",
    "meksyk": "MX",
    # The teams' other neighbours and customers, as German, Polish and Spanish write them.
    "eeuu": "US",
    "ee uu": "US",
    "chiny": "CN",
    "tajwan": "TW",
    "japonia": "JP",
    "hongkong": "HK",
    "korea południowa": "KR",
    "大韓民國": "KR",
    "frankreich": "FR",
    "francja": "FR",
    "großbritannien": "GB",
    "grossbritannien": "GB",
    "vereinigtes königreich": "GB",
    "wielka brytania": "GB",
    "reino unido": "GB",
    "tschechien": "CZ",
    "czechy": "CZ",
    "república checa": "CZ",
    "türkei": "TR",
    "turcja": "TR",
    "italien": "IT",
    "włochy": "IT",
    "niederlande": "NL",
    "holandia": "NL",
    "spanien": "ES",
    "hiszpania": "ES",
    "ungarn": "HU",
    "węgry": "HU",
    "szwajcaria": "CH",
    "kanada": "CA",
    "brasilien": "BR",
    "brazylia": "BR",
    "españa": "ES",
    "espana": "ES",
    "perú": "PE",
    "brasil": "BR",
    "france": "FR",
    "italia": "IT",
    "nederland": "NL",
    "magyarország": "HU",
    "česko": "CZ",
    "ceska republika": "CZ",
    "česká republika": "CZ",
    "slovensko": "SK",
    "россия": "RU",
    "україна": "UA",
    "u k": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "hong kong sar": "HK",
    "taiwan roc": "TW",
    "taiwan province of china": "TW",
    "korea republic of": "KR",
    "republic of korea": "KR",
    "viet nam": "VN",
}

_BY_NAME: dict[str, str] = {}  # every name, casefolded → code; built on first use
_LOOSE: dict[str, str] = {}  # names without punctuation or accents


def _index() -> dict[str, str]:
    if not _BY_NAME:
        from funnel_tui.core.country_local_names import LOCAL_NAMES, OTHER_NAMES

        names: dict[str, str] = {}
        for code, name in COUNTRY_NAMES.items():
            names[name.casefold()] = code
        for code, local in LOCAL_NAMES.items():
            for name in local:
                names.setdefault(name.casefold(), code)
        for name, code in OTHER_NAMES.items():
            names.setdefault(name, code)
        for name, code in _ALIASES.items():
            names[name] = code
        _BY_NAME.update(names)
    return _BY_NAME


def country_code(text: str) -> str | None:
    """The ISO code for a country typed as a code or a name in any of funnel's
    languages ("Niemcy", "Deutschland", "德國", "臺灣"); None when unknown."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    upper = cleaned.upper()
    if upper in COUNTRY_NAMES:
        return upper
    found = _index().get(cleaned.casefold())
    if found:
        return found
    # "U.S.A.", "Taiwan, ROC", "Perú" spelt "Peru": punctuation and accents left out.
    if not _LOOSE:  # built on the first name not found as typed
        _LOOSE.update({_loose(name): code for name, code in _index().items()})
    return _LOOSE.get(_loose(cleaned)) if _loose(cleaned) else None


def _loose(text: str) -> str:
    import re
    import unicodedata

    words = re.sub(r"[\W_]+", " ", text.casefold()).split()
    plain = unicodedata.normalize("NFKD", " ".join(words))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def country_name(code: str) -> str:
    """A country's name in the language spoken ("Germany", "Deutschland", "Niemcy",
    "德國", "德国"), or the code itself when the table lacks it."""
    code = code.upper()
    language = current_language()
    if language == ENGLISH:
        return COUNTRY_NAMES.get(code, code)
    from funnel_tui.core.country_local_names import LOCAL_NAMES

    for index, (name_language, _locale) in enumerate(NAME_LOCALES):
        if language == name_language and code in LOCAL_NAMES:
            return LOCAL_NAMES[code][index]
    return COUNTRY_NAMES.get(code, code)


def english_name(code: str) -> str:
    """A country's English name whatever the language (for data written out)."""
    return COUNTRY_NAMES.get(code.upper(), code.upper())


# ------------------------------------------------------------------ the generated table

FOLDER = __file__.rsplit("/", 1)[0]
TABLES = (FOLDER + "/country_names.py", FOLDER + "/country_local_names.py")


def generated_tables() -> tuple[str, str]:
    """The texts of core/country_names.py and core/country_local_names.py from the
    installed Babel's CLDR data."""
    from babel import Locale

    english = Locale.parse("en").territories
    local = {language: Locale.parse(locale).territories for language, locale in NAME_LOCALES}
    import json

    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = [
        '"""Generated by `python -m funnel_tui.core.countries` from CLDR (Babel); do not',
        'edit: see core/countries.py."""',
        "",
        "# fmt: off",
        "# The regions phone numbers can belong to, with the English names funnel shows.",
        "COUNTRY_NAMES: dict[str, str] = {",
        *(f"    {text(code)}: {text(name)}," for code, name in COUNTRY_NAMES.items()),
        "}",
        "# fmt: on",
    ]
    english_table = "\n".join(lines) + "\n"
    lines = [
        *lines[:3],
        "# ruff: noqa: E501",
        "# fmt: off",
        "# Each one's name in " + ", ".join(lang for lang, _loc in NAME_LOCALES) + ".",
        "LOCAL_NAMES: dict[str, tuple[str, str, str, str]] = {",
    ]
    for code in COUNTRY_NAMES:
        names = tuple(local[lang].get(code, COUNTRY_NAMES[code]) for lang, _loc in NAME_LOCALES)
        lines.append(f"    {text(code)}: ({', '.join(map(text, names))}),")
    lines += [
        "}",
        "# CLDR's English names where funnel's differ.",
        "OTHER_NAMES: dict[str, str] = {",
    ]
    for code, name in COUNTRY_NAMES.items():
        cldr = english.get(code)
        if cldr and cldr != name:
            lines.append(f"    {text(cldr.casefold())}: {text(code)},")
    lines += ["}", "# fmt: on"]
    return english_table, "\n".join(lines) + "\n"


def name_clashes() -> dict[str, set[str]]:
    """Names that mean two countries across the languages (the test wants none)."""
    from funnel_tui.core.country_local_names import LOCAL_NAMES, OTHER_NAMES

    found: dict[str, set[str]] = {}
    for code, name in COUNTRY_NAMES.items():
        found.setdefault(name.casefold(), set()).add(code)
    for code, names in LOCAL_NAMES.items():
        for name in names:
            found.setdefault(name.casefold(), set()).add(code)
    for name, code in OTHER_NAMES.items():
        found.setdefault(name, set()).add(code)
    return {name: codes for name, codes in found.items() if len(codes) > 1}


if __name__ == "__main__":
    for path, table in zip(TABLES, generated_tables(), strict=True):
        with open(path, "w", encoding="utf-8") as out:
            out.write(table)
        print(f"wrote {path}")
