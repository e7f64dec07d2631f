"""A Static that asks for a new layout only when its height changes.

Static.update lays out the whole screen at every update, which costs a checklist screen
about 6 ms and then a repaint of every widget; most updates (a new score, a new gate
verdict of the same length) keep the height and need only their own repaint.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TextBlock(Static):
    """A block of rich Text (user data already made plain), wrapped to the width."""

    def __init__(self, text: Text | str = "", **kwargs) -> None:
        super().__init__(text, **kwargs)
        self._text = Text(text) if isinstance(text, str) else text
        self._height: int | None = None  # lines at the laid-out width; None: unknown

    def show(self, text: Text | str) -> None:
        self._text = Text(text) if isinstance(text, str) else text
        height = self._measure()
        self.update(self._text, layout=height is None or height != self._height)
        self._height = height

    def on_resize(self) -> None:
        # Laid out at a new width: what the current text takes there.
        self._height = self._measure()

    def _measure(self) -> int | None:
        width = self.content_region.width
        return len(self._text.wrap(self.app.console, width)) if width else None
