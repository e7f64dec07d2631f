"""NO_COLOR that does not crash: Textual's Monochrome filter (what NO_COLOR turns on in
a terminal without native ANSI colours) reads `.color` of every segment's style, and a
segment may have none (Rich leaves the padding of a rendered line unstyled): the Today
queue and the board died on their first frame. This filter does the same job and lets
an unstyled segment through as it is."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter, Monochrome, monochrome_style


class SafeMonochrome(Monochrome):
    """Colours to grey, as Monochrome, for segments with a style or without."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else monochrome_style(style), None)
            for text, style, _ in segments
        ]


def safe_filters(filters: list[LineFilter]) -> list[LineFilter]:
    """`filters` with Monochrome replaced by SafeMonochrome."""
    return [SafeMonochrome() if type(f) is Monochrome else f for f in filters]
