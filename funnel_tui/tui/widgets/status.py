"""Lead status and level shown with a symbol and a word as well as a colour, so they read
the same in 16 colours and with NO_COLOR."""

from __future__ import annotations

from rich.text import Text

from funnel_tui.core.labels import vocab_label

STATUS_GLYPHS = {
    "new": ("●", "bold cyan"),
    "working": ("▶", "green"),
    "nurturing": ("◔", "yellow"),
    "unqualified": ("✕", "red"),
}
LEVEL_GLYPHS = {
    "lead": ("", ""),
    "prospect": ("★", "bold yellow"),
    "opportunity": ("$", "bold green"),
    "customer": ("♥", "bold magenta"),
}


def status_text(status: str, with_word: bool = True) -> Text:
    glyph, style = STATUS_GLYPHS.get(status, ("?", ""))
    return Text(f"{glyph} {vocab_label(status)}" if with_word else glyph, style=style)


def level_text(level: str) -> Text:
    glyph, style = LEVEL_GLYPHS.get(level, ("", ""))
    return Text(f"{glyph} {vocab_label(level)}".strip(), style=style)
