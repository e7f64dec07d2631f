"""The rep's locale: how they write numbers (and, later, which language they read).

`locale` in funnel.toml, else the environment as POSIX orders it (LC_ALL, then
LC_NUMERIC, then LANG); "C" and "POSIX" are English. One function, so that amounts,
dates and translations all ask the same question. Cheap: Babel is not imported here;
whether a locale is known is asked of the data files Babel ships.
"""

from __future__ import annotations

import os
import re
from functools import cache

FALLBACK = "en"
ENVIRONMENT = ("LC_ALL", "LC_NUMERIC", "LANG")

# "de", "de_DE", "de-DE", "zh_Hant_TW", "de_DE.UTF-8", "sr_RS@latin"
_SHAPE = r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*"  # compiled on first use


def user_locale(configured: str = "", environ: os._Environ | dict | None = None) -> str:
    """A Babel locale identifier such as "de_DE", "pl_PL" or "en": `configured` when it
    names a known locale, else the environment's, else English."""
    found = known_locale(configured) if configured.strip() else ""
    if found:
        return found
    env = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = env.get(name, "").strip()
        if value:  # the first one set decides, as POSIX has it ("C": English)
            return known_locale(value) or FALLBACK
    return FALLBACK


def known_locale(value: str) -> str:
    """`value` as Babel names it ("de-DE.UTF-8" → "de_DE"), or "" when it names no
    locale Babel has data for ("C", "POSIX", "xx")."""
    name = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not re.fullmatch(_SHAPE, name) or name.upper() in ("C", "POSIX"):
        return ""
    parts = name.split("_")
    parts[0] = parts[0].lower()
    if len(parts) > 1 and len(parts[-1]) == 2:
        parts[-1] = parts[-1].upper()  # the territory: de_de → de_DE
    name = "_".join(parts)
    return name if _has_data(parts[0]) else ""


@cache
def _has_data(language: str) -> bool:
    from importlib.util import find_spec

    spec = find_spec("babel")
    if spec is None or not spec.submodule_search_locations:
        return language == FALLBACK
    folder = next(iter(spec.submodule_search_locations))
    return os.path.exists(os.path.join(folder, "locale-data", f"{language}.dat"))
