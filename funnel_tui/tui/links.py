"""Phones and emails a rep can click: terminal hyperlinks (OSC 8) to `tel:` and `mailto:`,
which a softphone or a mail program opens; and copying one to the clipboard (OSC 52).

Most terminals in use draw OSC 8 links (iTerm2, GNOME's and KDE's, Windows Terminal,
kitty, WezTerm, foot, tmux 3.4 passing them on) and the others ignore them; a few print
them as garbage. So a link is written only where one is wanted and can be drawn: not
under NO_COLOR (a plain terminal asked for), nor on a dumb terminal or the Linux
console, nor with FUNNEL_LINKS=0; there the number is plain text, as before.
"""

from __future__ import annotations

import functools
import os
import re
from urllib.parse import quote

from rich.style import Style
from rich.text import Text

_PLAIN_TERMINALS = frozenset({"", "dumb", "linux", "vt100", "vt102", "vt220", "ansi"})
_NOT_DIALLED = re.compile(r"[^\d+]")


@functools.cache
def links_on() -> bool:
    """Whether this terminal gets hyperlinks (module docstring); read once a process
    (links_on.cache_clear() to read the environment again)."""
    if os.environ.get("FUNNEL_LINKS", "").strip() in ("0", "no", "off", "false"):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return os.environ.get("TERM", "").strip().lower() not in _PLAIN_TERMINALS


def tel_url(number: str) -> str:
    """`tel:+48512345678` for a number in E.164 (or as shown, +48 512 345 678); "" for
    one without its country code, which a phone cannot dial from anywhere."""
    digits = _NOT_DIALLED.sub("", number or "")
    return f"tel:{digits}" if digits.startswith("+") and len(digits) > 4 else ""


def mail_url(address: str) -> str:
    """`mailto:` an address as stored (checked by email-validator when saved, but a
    member can write the shared file: it is not trusted); "" for none or one that could
    not be a link (a space, a quote, a bracket, a control character in it). Letters
    beyond ASCII are percent-encoded, so the link holds printable ASCII alone and
    nothing in it can end the escape sequence early."""
    address = (address or "").strip()
    if "@" not in address or any(c in address for c in ' "<>[]\\') or not address.isprintable():
        return ""
    return "mailto:" + quote(address, safe="@.+-_!#$&'*/=?^`{|}~%")


def linked(text: Text, url: str) -> Text:
    """`text` as a link to `url` where links are on (and `url` is one); else as it is."""
    if url and links_on():
        text.stylize(_link_style(url))
    return text


@functools.lru_cache(maxsize=4096)
def _link_style(url: str) -> Style:
    """One style per address: Rich gives each new link style an id of its own, so a row
    drawn again would otherwise be a new style, and a new string, each time."""
    return Style(link=url)
