"""Whether the terminal shows 16 colours only: Rich then turns each of the theme's
colours into the nearest of the 16, so a blend or a tint can land on an unreadable pair
(the board's selected card became bright white on yellow). The few styles that need a
pair of their own there ask this."""

from __future__ import annotations


def few_colours(app) -> bool:
    """True in a 16-colour terminal (TERM=xterm without COLORTERM, a Linux console)."""
    return app.console.color_system == "standard"
