"""Where a database is (a file path or a URL) and how it is said without its password.

Every message, log line and traceback that may quote a database target or a driver's
error goes through redact; describe is the target as safe to print.
"""

from __future__ import annotations

import re


def is_url(target: str) -> bool:
    return "://" in target


# A URL's password (scheme://user:PASSWORD@host), and a password given as a setting
# (password=... in a libpq connection string or a URL's query): what redact hides.
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?P<secret>[^\s'\"/?#]*)@", re.I
)
_SETTING_PASSWORD = re.compile(
    r"(?P<head>\bpass(?:word|wd)?\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&;'\"]+)", re.I
)
# The passwords of the targets opened in this process, for any text that carries one
# on its own (a driver's message quoting its connection settings).
_KNOWN_SECRETS: set[str] = set()
_SHORTEST_SECRET = 4  # shorter ones would mask ordinary words; the patterns still apply
HIDDEN = "***"


def redact(text: str) -> str:
    """`text` with every password hidden: the password of any URL in it, any
    `password=` setting, and the passwords of the databases this process was given.
    For every message, log line and traceback that may quote a database target or a
    driver's error."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + HIDDEN + "@", text)
    text = _SETTING_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)
    for secret in sorted(_KNOWN_SECRETS, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


def url_password(target: str) -> str:
    """The password written in a database URL (in its user part or its query), or ""."""
    if not is_url(target):
        return ""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(target)
        password = parts.password or ""
    except ValueError:  # e.g. a port that is not a number
        found = _URL_PASSWORD.search(target)
        password = found["secret"] if found else ""
    if not password:
        query = parse_qs(target.partition("?")[2])
        password = next(iter(query.get("password", query.get("passwd", []))), "")
    return password


def remember_secret(target: str) -> None:
    from urllib.parse import unquote

    password = url_password(target)
    for secret in (password, unquote(password)):
        if len(secret) >= _SHORTEST_SECRET:
            _KNOWN_SECRETS.add(secret)


def describe(target: str) -> str:
    """The target as safe to print: a URL without its password (redact)."""
    return redact(target)
