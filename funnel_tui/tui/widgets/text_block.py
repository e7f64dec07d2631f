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
        super().__init__(_as_text(text), **kwargs)
        self._height: int | None = None  # lines at the laid-out width; None: unknown

    def show(self, text: Text | str) -> None:
        text = _as_text(text)
        height = self._measure(text)
        self.update(text, layout=height is None or height != self._height)
        self._height = height

    def on_resize(self) -> None:
        # Laid out at a new width: what the current text takes there.
        self._height = self._measure(self.content)

    def _measure(self, text: Text) -> int | None:
        width = self.content_region.width
        return len(text.wrap(self.app.console, width)) if width else None


def _as_text(text: Text | str) -> Text:
    return Text(text) if isinstance(text, str) else text
