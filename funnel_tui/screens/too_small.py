"""Shown instead of a squeezed layout when the terminal is below 80×24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: auto; height: auto; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self._message(), markup=False)

    def _message(self) -> str:
        width, height = self.app.size
        return (
            f"Enlarge the terminal to at least {MIN_WIDTH}×{MIN_HEIGHT}\n"
            f"(it is {width}×{height} now)\n\nctrl+q quits"
        )

    def on_resize(self) -> None:
        self.query_one(Static).update(self._message())
