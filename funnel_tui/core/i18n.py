"""The language a person reads funnel in, and the lookup of every message in it.

Five languages: English (the source text), 繁體中文 (zh_TW), 简体中文 (zh_CN), Deutsch
(de) and Polski (pl). The language is chosen once per process, at start, without asking
the operating system for a locale (a server over SSH rarely has zh_TW.UTF-8 installed):
`--lang`, else `language` in funnel.toml, else the environment as GNU gettext reads it
(LANGUAGE, then LC_ALL, LC_MESSAGES, LANG; "C" and "POSIX" are English). Each member of
a team runs their own process, so each reads their own language on one database.

Every string a person reads goes through `_` (or `ngettext` for a count, `pgettext` where
one English word needs two translations). A string defined before the language is known
(a class attribute, a module constant, a Binding's description) is marked with `N_` for
the catalog and passed through `_` where it is shown. Placeholders are named,
`{name}`, and filled after the lookup: `_("{field} is required").format(field=...)`.

Catalogs are the .po files under funnel_tui/locales/LANG/LC_MESSAGES, read without a
compile step (core.po_files) when the language is set; a lookup is one dict access.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from funnel_tui.core.po_files import CONTEXT_SEPARATOR, read_entries

ENGLISH = "en"
LANGUAGES = ("en", "zh_TW", "zh_CN", "de", "pl")
# Each language in itself, as the language menu and `--lang`'s help list them.
LANGUAGE_NAMES = {
    "en": "English",
    "zh_TW": "繁體中文",
    "zh_CN": "简体中文",
    "de": "Deutsch",
    "pl": "Polski",
}
# The locale dates, numbers and money follow when nothing names one for this language:
# a German rep on a server whose LANG is C.UTF-8 still reads "4. Dez. 2026".
DEFAULT_LOCALES = {
    "en": "en_US",
    "zh_TW": "zh_Hant_TW",
    "zh_CN": "zh_Hans_CN",
    "de": "de_DE",
    "pl": "pl_PL",
}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")

# Chinese written in Traditional characters: Taiwan, Hong Kong, Macau, and "zh_Hant".
_TRADITIONAL = ("TW", "HK", "MO", "HANT")

_catalog: dict[str, str] = {}
_plurals: dict[str, tuple[str, ...]] = {}
_language = ENGLISH
_locale = DEFAULT_LOCALES[ENGLISH]


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


_plural_index: Callable[[int], int] = _english_plural


# ------------------------------------------------------------------ lookups


def _(message: str) -> str:
    """`message` in the current language (itself in English or when untranslated)."""
    return _catalog.get(message, message)


def N_(message: str) -> str:  # gettext's own name, known to every extractor
    """Mark `message` for the catalog without translating it yet (see the module's doc)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a count's two English forms for the catalog (a table of them, defined before
    the language is known); ngettext(*pair, n) translates them where shown."""
    return singular, plural


def pgettext(context: str, message: str) -> str:
    """`message` as meant in `context`, where one English word has two translations."""
    return _catalog.get(context + CONTEXT_SEPARATOR + message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` things, by the language's plural rule (Polish has three)."""
    forms = _plurals.get(singular)
    if forms:
        return forms[min(_plural_index(n), len(forms) - 1)]
    return singular if n == 1 else plural


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    forms = _plurals.get(context + CONTEXT_SEPARATOR + singular)
    if forms:
        return forms[min(_plural_index(n), len(forms) - 1)]
    return singular if n == 1 else plural


def current_language() -> str:
    return _language


def current_locale() -> str:
    """The Babel locale dates, numbers and money are written in (core.formats)."""
    return _locale


# ------------------------------------------------------------------ choosing


def language_of(value: str) -> str:
    """The funnel language `value` names ("de_AT.UTF-8" → "de", "zh-Hant" → "zh_TW",
    "C" → "en"), or "" when funnel does not speak it."""
    name = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not name:
        return ""
    if name.upper() in ("C", "POSIX"):
        return ENGLISH
    parts = name.split("_")
    language = parts[0].lower()
    if language == "zh":
        rest = {part.upper() for part in parts[1:]}
        return "zh_TW" if rest & set(_TRADITIONAL) else "zh_CN"
    return language if language in LANGUAGES else ""


def choose_language(given: str = "", configured: str = "", environ: Mapping | None = None) -> str:
    """The language to speak: `given` (--lang), else `configured` (funnel.toml), else the
    environment's, else English. A value funnel does not speak passes to the next."""
    for value in (given, configured):
        if value and (found := language_of(value)):
            return found
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in ENVIRONMENT if env.get(name, "").strip()), "")
    if language_of(locale) == ENGLISH and locale.split(".")[0].upper() in ("C", "POSIX"):
        return ENGLISH  # as GNU gettext: LANGUAGE is not read under the C locale
    for value in env.get("LANGUAGE", "").split(":"):
        if found := language_of(value):
            return found
    return language_of(locale) or ENGLISH


def format_locale(language: str, configured: str = "", environ: Mapping | None = None) -> str:
    """The locale dates, numbers and money are written in: `configured` (funnel.toml's
    `locale`), else the environment's when it is of the same language ("de_AT" for a
    German rep in Vienna), else the language's own (DEFAULT_LOCALES)."""
    if configured.strip():
        return configured.strip()
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_TIME", "LC_NUMERIC", "LANG"):
        value = env.get(name, "").strip()
        if value:
            if language_of(value) == language and language != ENGLISH:
                return value.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
            break
    return DEFAULT_LOCALES.get(language, DEFAULT_LOCALES[ENGLISH])


# ------------------------------------------------------------------ loading


def set_language(language: str, locale: str = "") -> str:
    """Speak `language` from now on (one of LANGUAGES), writing dates and numbers as
    `locale` does (default: the language's own); the language spoken before."""
    global _catalog, _plurals, _plural_index, _language, _locale
    if language not in LANGUAGES:
        raise ValueError(f"funnel does not speak {language!r}; it speaks {', '.join(LANGUAGES)}")
    before = _language
    if language == ENGLISH:
        _catalog, _plurals, _plural_index = {}, {}, _english_plural
    else:
        _catalog, _plurals, _plural_index = load_catalog(language)
    _language = language
    _locale = locale or DEFAULT_LOCALES[language]
    return before


@contextmanager
def use_language(language: str, locale: str = "") -> Iterator[None]:
    """Speak `language` inside the block (tests, a screenshot in German), then as before."""
    before, before_locale = _language, _locale
    set_language(language, locale)
    try:
        yield
    finally:
        set_language(before, before_locale)


def catalog_files(language: str) -> list[Path]:
    """The .po files of `language`, read in name order (one per language once merged)."""
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


def load_catalog(
    language: str,
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], Callable[[int], int]]:
    """(messages, plural forms, plural rule) of `language`'s catalogs; translated
    entries only, so an untranslated one reads in English rather than as a blank.

    Parsing the .po files costs about 12 ms at every start (2,000 messages), a fifth of
    the start-up budget a language may add; their parse is kept in the user's cache
    folder and read back in well under a millisecond while the files are the same ones
    (their size and time), by the same Python (marshal's format is its own)."""
    files = catalog_files(language)
    stamp = [(str(p), *_size_and_time(p)) for p in files]
    cache = _cache_file(language)
    found = _read_cached(cache, stamp)
    if found is None:
        found = _parse_catalog(files)
        _write_cached(cache, stamp, found)
    messages, plurals, rule = found
    return messages, plurals, plural_rule(rule)


def _size_and_time(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _cache_file(language: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tag = sys.implementation.cache_tag or "python"
    return Path(base) / "funnel" / f"catalog-{language}.{tag}.marshal"


def _read_cached(cache: Path, stamp: list) -> tuple | None:
    """The cached parse when it was made from these very files; None otherwise (no
    cache, another version of them, a file that cannot be read)."""
    try:
        data = marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, tuple) or len(data) != 4 or data[0] != stamp:
        return None
    return data[1:]


def _write_cached(cache: Path, stamp: list, found: tuple) -> None:
    """Keep the parse for the next start; a cache that cannot be written is no loss."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        part = cache.with_name(f".{cache.name}.{os.getpid()}")
        part.write_bytes(marshal.dumps((stamp, *found)))
        os.replace(part, cache)  # whole or not at all, whatever else starts meanwhile
    except OSError:
        pass


def _parse_catalog(files: list[Path]) -> tuple[dict[str, str], dict[str, tuple[str, ...]], str]:
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    rule = "n != 1"
    for path in files:
        header, entries = read_entries(path)
        forms = header.get("Plural-Forms", "")
        if "plural=" in forms:
            rule = forms.split("plural=", 1)[1].strip().rstrip(";")
        for entry in entries:
            if not entry.translated:
                continue
            if entry.msgid_plural is None:
                messages[entry.key] = entry.msgstr[0]
            else:
                plurals[entry.key] = tuple(entry.msgstr)
    return messages, plurals, rule


def plural_rule(expression: str) -> Callable[[int], int]:
    """The Plural-Forms expression of a catalog as a function (gettext's own compiler,
    which accepts only C's arithmetic and comparisons)."""
    import gettext

    return gettext.c2py(expression)
