"""One line of text whose words change but whose size does not: set (`show`) or made for
the width it is drawn at (`draw`), it repaints itself alone, where a Static's update lays
the whole screen out again, and a line fitted to the width on a resize paints the
screen a second time. One as wide as its words (`width: auto`) lays the screen out
again only when their width changes, and not while they fit its `min-width`: 18 ms at a
time on the list's screen, where the count beside the search changes at most keys."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget


class Line(Widget):
    DEFAULT_CSS = """
    Line {
        height: 1;
    }
    """

    def __init__(
        self,
        text: Text | str = "",
        *,
        draw: Callable[[int], Text] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`draw`, given the width, makes the text each time the line is drawn (then
        `show` is not used); else the line shows `text` until `show` says another."""
        super().__init__(id=id, classes=classes)
        self._text = text
        self._draw = draw

    def show(self, text: Text | str) -> None:
        if text == self._text:
            return  # others' writes show the same counts again and again: no repaint
        width = self.styles.width
        auto = width is not None and width.is_auto
        resized = auto and self._outer_width(text) != self._outer_width(self._text)
        self._text = text
        self.refresh(layout=resized)

    def _outer_width(self, text: Text | str) -> int:
        """The width the line takes with `text`, at `width: auto`."""
        cells = _cells(text) + self.styles.gutter.width
        minimum = self.styles.min_width
        if minimum is not None and minimum.is_cells:
            cells = max(cells, int(minimum.value))
        return cells

    @property
    def text(self) -> Text | str:
        """What the line shows now (drawn at its width, with `draw`)."""
        return self._draw(self.content_size.width) if self._draw else self._text

    def render(self) -> Text | str:
        return self.text


def _cells(text: Text | str) -> int:
    return text.cell_len if isinstance(text, Text) else cell_len(text)
