"""Shown instead of a squeezed layout when the terminal is below 80×24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Static

from funnel_tui.core.i18n import _

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(ModalScreen[None]):
    """Says how small the terminal is (`size`, as the resize reported it: the app's own
    size is set after the app's resize handler runs)."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: auto; height: auto; text-align: center; }
    """

    def __init__(self, size: Size) -> None:
        super().__init__()
        self.terminal_size = size

    def compose(self) -> ComposeResult:
        yield Static(self._message(), markup=False)

    def show_size(self, size: Size) -> None:
        self.terminal_size = size
        if self.is_mounted:
            self.query_one(Static).update(self._message())

    def _message(self) -> str:
        width, height = self.terminal_size
        return _(
            "Enlarge the terminal to at least {min_width}×{min_height}\n"
            "(it is {width}×{height} now)\n\nctrl+q quits"
        ).format(min_width=MIN_WIDTH, min_height=MIN_HEIGHT, width=width, height=height)
