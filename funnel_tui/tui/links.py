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

from rich.style import Style
from rich.text import Text

_PLAIN_TERMINALS = frozenset({"", "dumb", "linux", "vt100", "vt102", "vt220", "ansi"})


@functools.cache
def links_on() -> bool:
    """Whether this terminal gets hyperlinks (module docstring); read once a process
    (links_on.cache_clear() to read the environment again)."""
    if os.environ.get("FUNNEL_LINKS", "").strip() in ("0", "no", "off", "false"):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return os.environ.get("TERM", "").strip().lower() not in _PLAIN_TERMINALS


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
