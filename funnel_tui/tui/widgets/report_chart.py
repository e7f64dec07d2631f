"""A report drawn in characters: a funnel of the total's steps, a bar per row, or a line
per owner a week.

Everything is legible without colour (16-colour terminals, a screen reader, a pasted
screenshot): bars are blocks with their value written beside them, and each line of a
trend has its own glyph as well as its own colour. User text (a source, an owner's
name) goes into Text, never through markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.reactive import reactive
from textual.widget import Widget

from funnel_tui.core import formats
from funnel_tui.core.i18n import _
from funnel_tui.core.output import plain
from funnel_tui.read.reports.base import (
    BAR_CHART,
    BY_OWNER,
    BY_SOURCE,
    COUNT,
    FUNNEL_CHART,
    RATE,
    TEXT,
    TREND_CHART,
    Column,
    Report,
    Row,
    format_value,
)

# The 16-colour palette's colours that read on a dark and a light background alike.
COLOURS = ("cyan", "yellow", "green", "magenta", "blue", "red")
# ASCII marks: one cell wide in every terminal and font (●, ◆, ▲ are "ambiguous width",
# two cells in some East Asian setups, which would shear the chart).
GLYPHS = ("*", "o", "+", "x", "#", "@")
BLOCK, EMPTY = "█", "·"
LABEL_WIDTH = 18  # the least a label column takes (with its two cells of gap)


def label_width(labels: list[str], width: int) -> int:
    """The label column: wide enough for the longest label ("prospect → opportunity")
    and its gap, never narrower than LABEL_WIDTH nor wider than a third of the chart."""
    longest = max((cell_len(plain(label)) for label in labels), default=0)
    return max(LABEL_WIDTH, min(longest + 2, width // 3))


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells (an ellipsis where cut), padded to it."""
    if width <= 0:
        return ""
    text = plain(text)
    if cell_len(text) > width:
        while text and cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - cell_len(text))


def bar(value: float, biggest: float, width: int) -> int:
    """Blocks for `value`: any value above zero shows at least one ("few" is not
    "none")."""
    if not value or biggest <= 0 or width <= 0:
        return 0
    return max(1, round(width * value / biggest))


def chart_source(report: Report) -> Report:
    """The table a bar chart draws: the report's own rows, else (no split) those of its
    first further table (the win rate's loss reasons), else its total."""
    if report.rows:
        return report
    return next((part for part in report.parts if part.rows), report)


def chart_column(report: Report, key: str) -> Column | None:
    """The column a bar chart draws: `key`, else the chart's own, else the first figure."""
    source = chart_source(report)
    wanted = (key, source.chart.key if source.chart else "")
    for name in wanted:
        for column in source.columns:
            if column.key == name and column.kind != TEXT:
                return column
    return next((c for c in source.columns if c.kind != TEXT), None)


def chart_rows(report: Report, key: str = "") -> list[Row]:
    """The bars, in the order drawn: by their value, largest first, when the rows are
    sources or owners (a ranking); in their own order when they are months, weeks or
    steps (a sequence)."""
    source = chart_source(report)
    rows = source.rows or ([source.total] if source.total else [])
    column = chart_column(report, key)
    if column is None or source.by not in (BY_SOURCE, BY_OWNER):
        return rows
    return sorted(rows, key=lambda row: -(row.values.get(column.key) or 0))


def summary(report: Report) -> Text:
    """The total's figures as `closed 7,191 · won 4,441 · win % 61.8% …`."""
    text = Text()
    figures = [c for c in report.columns if c.kind != TEXT]
    for index, column in enumerate(figures):
        if index:
            text.append(" · ", style="dim")
        # a no-break space: a figure wraps with its name, never away from it
        text.append(f"{column.label}\u00a0", style="dim")
        text.append(format_value(report.total.values.get(column.key), column.kind), style="bold")
    return text


def draw_funnel(report: Report, width: int, selected: int) -> Text:
    total = report.total
    text = Text()
    if total is None:
        return text
    steps = [c for c in report.columns if c.kind == COUNT]
    biggest = max((total.values.get(c.key) or 0 for c in steps), default=0)
    labels = label_width([c.label for c in steps], width)
    room = max(width - labels - 22, 8)
    heads = _right(_("count"), 10) + "  " + _right(_("of before"), 9)
    text.append(" " * (labels + room) + heads + "\n", style="dim")
    for index, column in enumerate(steps):
        value = total.values.get(column.key) or 0
        filled = bar(value, biggest, room)
        pad = (room - filled) // 2
        step_rate = total.values.get(f"{column.key}_rate")
        text.append(
            fit(column.label, labels - 2),
            style="bold reverse" if index == selected else "bold",
        )
        text.append("  " + " " * pad)
        text.append(BLOCK * filled, style=COLOURS[index % len(COLOURS)])
        text.append(" " * (room - filled - pad))
        text.append(_right(formats.number(value), 10), style="bold")
        if step_rate is not None:
            text.append(f"  {format_value(step_rate, RATE):>9}", style="dim")
        text.append("\n")
    overall = total.values.get("overall")
    won = _("won of captured: {rate}").format(rate=format_value(overall, RATE))
    text.append(f"\n{won}\n", style="bold")
    if 0 <= selected < len(steps):
        chosen = steps[selected]
        text.append(_("{name}: {help}").format(name=chosen.label, help=chosen.help), style="dim")
    return text


def draw_bars(report: Report, key: str, width: int, selected: int) -> Text:
    column = chart_column(report, key)
    text = Text()
    if column is None:
        return text
    rows = chart_rows(report, key)
    values = [row.values.get(column.key) or 0 for row in rows]
    biggest = max(values, default=0)
    labels = label_width([row.label for row in rows], width)
    room = max(width - labels - 13, 8)
    source = chart_source(report)
    title = f"{column.label}" + (f" — {column.help}" if column.help else "")
    if source is not report:
        title = _("{name}: {help}").format(name=source.title, help=title)
    text.append(fit(title, width).rstrip() + "\n", style="bold")
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        filled = bar(value, biggest, room)
        text.append(fit(row.label, labels - 2), style="reverse" if index == selected else "")
        text.append("  " + BLOCK * filled, style=COLOURS[0])
        shown = format_value(row.values.get(column.key), column.kind)
        # The padding unstyled and the figure styled are separate runs, so an SVG of the
        # screen places the figure at its column whatever width its font gives spaces.
        text.append(" " * (room - filled) + " " * (11 - len(shown)))
        text.append(shown, style="bold")
        text.append("\n")
    return text


def draw_trend(report: Report, width: int, height: int) -> Text:
    """A line per series over the weeks: each point its series' glyph (the first
    series on top where two meet). The y axis gives the top and the middle; the x axis
    the first, middle and last week."""
    series = report.series
    weeks = report.x_labels
    text = Text()
    if not series or not weeks:
        return text
    axis = 7
    plot_width = max(width - axis - 1, 10)
    plot_height = max(height - 4, 4)
    # With more weeks than columns the latest weeks are shown (the trend that matters).
    shown = weeks[-plot_width:]
    offset = len(weeks) - len(shown)

    def column_of(index: int) -> int:
        return round(index * (plot_width - 1) / max(len(shown) - 1, 1))

    top = max((max(values[offset:]) for values in series.values()), default=0) or 1
    grid: list[list[tuple[str, str] | None]] = [[None] * plot_width for _row in range(plot_height)]
    for number, values in enumerate(series.values()):
        glyph, colour = GLYPHS[number % len(GLYPHS)], COLOURS[number % len(COLOURS)]
        for index, value in enumerate(values[offset:]):
            y = plot_height - 1 - round((plot_height - 1) * value / top)
            x = column_of(index)
            if grid[y][x] is None:
                grid[y][x] = (glyph, f"bold {colour}")
    marks = {
        0: _short(top),
        plot_height // 2: _short(top * (plot_height - 1 - plot_height // 2) / (plot_height - 1)),
        plot_height - 1: "0",
    }
    for y, line in enumerate(grid):
        label = marks.get(y, "")
        text.append(f"{label:>{axis - 1}} ┤" if label else " " * axis + "│", style="dim")
        for cell in line:
            text.append(cell[0] if cell else " ", style=cell[1] if cell else "")
        text.append("\n")
    text.append(" " * axis + "└" + "─" * plot_width + "\n", style="dim")
    ticks = [" "] * (axis + 1 + plot_width)
    for index in (0, len(shown) // 2, len(shown) - 1):
        label = shown[index][5:]  # 2026-03-02 → 03-02: the year is in the period above
        start = max(0, min(axis + 1 + column_of(index) - len(label) // 2, len(ticks) - len(label)))
        ticks[start : start + len(label)] = list(label)
    text.append("".join(ticks).rstrip() + "\n", style="dim")
    text.append(_("a week: "), style="dim")
    for number, name in enumerate(series):
        text.append(
            GLYPHS[number % len(GLYPHS)] + " ", style=f"bold {COLOURS[number % len(COLOURS)]}"
        )
        text.append(fit(name, 12).rstrip() + "  ")
    return text


def _right(text: str, width: int) -> str:
    """`text` right-aligned in `width` cells (a CJK character takes two)."""
    return " " * max(0, width - cell_len(text)) + text


def _short(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    if value < 10 and value != int(value):
        return f"{value:.1f}"
    return f"{value:.0f}"


class ReportChart(Widget, can_focus=True):
    """The chart of a report; ↑/↓ pick a bar (or a funnel step), whose records the
    screen opens on enter; PgDn/PgUp and Home/End too when the bars are more than fit.
    The bar picked is kept in view (the keys are the chart's: its scrolling box used to
    take ↑/↓ and scroll the bars away from the one picked)."""

    DEFAULT_CSS = """
    ReportChart { height: auto; min-height: 3; padding: 0 1; }
    ReportChart:focus { background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False, id="reports.down"),
        Binding("up", "move(-1)", "Up", show=False, id="reports.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="reports.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="reports.pageup"),
        Binding("home", "jump(0)", "First", show=False, id="reports.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="reports.last"),
    ]
    selected: reactive[int] = reactive(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.report: Report | None = None
        self.key = ""

    def show(self, report: Report, key: str) -> None:
        self.report, self.key = report, key
        self.selected = min(self.selected, max(len(self.choices()) - 1, 0))
        self.refresh(layout=True)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A trend has no bar to pick: F1 does not offer keys that would pick none.
        return action not in ("move", "page", "jump") or bool(self.choices())

    def choices(self) -> list:
        """What ↑/↓ move between: the funnel's steps, or the bars."""
        report = self.report
        if report is None or report.chart is None:
            return []
        if report.chart.kind == FUNNEL_CHART:
            return [c for c in report.columns if c.kind == COUNT]
        if report.chart.kind == BAR_CHART:
            return chart_rows(report, self.key)
        return []

    def move(self, by: int) -> None:
        count = len(self.choices())
        if count:
            self.selected = (self.selected + by) % count

    def action_move(self, by: int) -> None:
        self.move(by)

    def action_page(self, direction: int) -> None:
        count = len(self.choices())
        page = max(1, (self.parent.size.height if self.parent else 10) - 2)
        if count:
            self.selected = max(0, min(count - 1, self.selected + direction * page))

    def action_jump(self, where: int) -> None:
        count = len(self.choices())
        if count:
            self.selected = 0 if where == 0 else count - 1

    def watch_selected(self) -> None:
        self.call_after_refresh(self._keep_selected_in_view)

    def _keep_selected_in_view(self) -> None:
        """Scroll the box the chart is in to the line of the bar picked (the one drawn
        reversed); the first picked shows the chart's title lines too."""
        box = self.parent
        if not isinstance(box, Widget) or not box.allow_vertical_scroll:
            return
        lines = self.render().split("\n")
        picked = (
            y for y, text in enumerate(lines) if any("reverse" in str(s.style) for s in text.spans)
        )
        line = next(picked, None)
        if line is None:
            return
        top = self.virtual_region.y + self.styles.padding.top
        y = 0 if self.selected == 0 else top + line
        box.scroll_to_region(Region(0, y, 1, 1), animate=False, immediate=True)

    def render(self) -> Text:
        report = self.report
        if report is None or report.chart is None:
            return Text("")
        width = self.content_region.width or self.size.width
        if report.chart.kind == FUNNEL_CHART:
            return draw_funnel(report, width, self.selected)
        if report.chart.kind == TREND_CHART:
            height = self.parent.size.height if self.parent else 16
            return draw_trend(report, width, max(height, 12))
        bars = draw_bars(report, self.key, width, self.selected)
        if report.rows or report.total is None:
            return bars
        # No split: the bars are of a further table (the loss reasons), so the report's
        # own figures come first, in a line.
        return Text.assemble(summary(report), "\n\n", bars)
