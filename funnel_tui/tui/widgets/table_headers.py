"""Column headings that let a table of figures fit the terminal. When a table would not
fit, its columns are set closer (one cell between them instead of two) and a heading
wider than its figures is folded onto two lines (at a space, else with a hyphen, or
between two Chinese characters): at
80 columns the forecast then shows every stage ("Needs / analysis" over its figures)
instead of hiding some past the edge. A table that fits is left as it is."""

from __future__ import annotations

from dataclasses import dataclass

from funnel_tui.core.output import cell_width

PADDING = 1  # a DataTable's cell padding: cells each side of a column


@dataclass(frozen=True)
class Headings:
    texts: list[str]
    widths: list[int]  # each column's: its widest cell or heading line
    compact: bool  # one cell between columns (cell padding 0, each column one wider)

    @property
    def height(self) -> int:
        return max((t.count("\n") + 1 for t in self.texts), default=1)


def table_width(headings: list[str], cells: list[int], gap: int = 2 * PADDING) -> int:
    """Cells a DataTable takes for these headings and widest figures."""
    return sum(max(_widest_line(h), c) + gap for h, c in zip(headings, cells, strict=True))


def fit_headings(headings: list[str], cells: list[int], room: int) -> Headings:
    """`headings` as they are when the table fits `room` cells; else compact, and as
    many headings as it takes folded onto two lines no wider than their column's
    figures (5 cells at least), those that save most first."""
    texts, compact = list(headings), False
    if table_width(texts, cells) > room:
        compact = True
        # Folds at a space before hyphens, those that save most first, only as many
        # as it takes to fit.
        folded = [_fold(h, max(c, 5)) for h, c in zip(headings, cells, strict=True)]
        saving = [
            max(_widest_line(h), c) - max(_widest_line(f), c)
            for h, f, c in zip(headings, folded, cells, strict=True)
        ]
        order = sorted(range(len(texts)), key=lambda i: ("-\n" in folded[i], -saving[i]))
        for index in order:
            if table_width(texts, cells, gap=1) <= room:
                break
            if saving[index] > 0:
                texts[index] = folded[index]
    widths = [max(_widest_line(t), c) for t, c in zip(texts, cells, strict=True)]
    return Headings(texts, widths, compact)


def _fold(heading: str, width: int) -> str:
    """Two lines at the space that makes the wider of them narrowest; a single word at
    least 4 cells wider than `width` cut in two with a hyphen; else as it is."""
    if cell_width(heading) <= width:
        return heading
    words = heading.split(" ")
    if len(words) > 1:
        folds = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
        first, second = min(folds, key=lambda f: max(cell_width(f[0]), cell_width(f[1])))
        return f"{first}\n{second}"
    if len(heading) >= width + 4 and heading.isascii():
        half = max(width - 1, len(heading) // 2)
        return f"{heading[:half]}-\n{heading[half:]}"
    if len(heading) > 1 and all(cell_width(c) == 2 for c in heading):
        # Chinese breaks between any two characters, without a hyphen: 加權 / 金額.
        half = (len(heading) + 1) // 2
        return f"{heading[:half]}\n{heading[half:]}"
    return heading


def _widest_line(text: str) -> int:
    return max(cell_width(line) for line in text.split("\n"))
