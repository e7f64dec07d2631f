"""The Reports screen: one report at a time as a chart, its exact figures one key away
(t), every figure opening the records behind it (enter).

Reports are computed in a worker (funnel_tui.read.reports, the same code as `funnel
report`); the screen says so while it waits and never blocks on the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable

from funnel_tui.core.errors import ReportError
from funnel_tui.core.i18n import N_, _, pgettext
from funnel_tui.core.output import cell_width, plain
from funnel_tui.read.reports import REPORTS, Drill, Record, Report, Request, currencies, run_report
from funnel_tui.read.reports.base import FUNNEL_CHART, TEXT, TREND_CHART, Period, shown_cell
from funnel_tui.tui.dialogs.report_dialogs import PeriodDialog, RecordsDialog
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.report_chart import ReportChart, chart_column, chart_rows, chart_source
from funnel_tui.tui.widgets.scroll_keys import KeyedTable
from funnel_tui.tui.widgets.table_headers import PADDING, Headings, fit_headings
from funnel_tui.tui.widgets.text_block import TextBlock
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes

# What the tab line calls each report (the titles are too long for 80 columns).
SHORT_NAMES = {
    "conversion": N_("Funnel"),
    "sources": N_("Sources"),
    "winrate": N_("Win rate"),
    "cycle": N_("Cycle"),
    "speed": N_("Speed"),
    "forecast": N_("Forecast"),
    "activity": N_("Activity"),
}


def tab_names() -> dict[str, str]:
    """The tab line's words: SHORT_NAMES, shortened where a language needs it for the
    seven to fit 80 columns (German's win rate is "Quote" here)."""
    return {
        "conversion": pgettext("report tab", "Funnel"),
        "sources": pgettext("report tab", "Sources"),
        "winrate": pgettext("report tab", "Win rate"),
        "cycle": pgettext("report tab", "Cycle"),
        "speed": pgettext("report tab", "Speed"),
        "forecast": pgettext("report tab", "Forecast"),
        "activity": pgettext("report tab", "Activity"),
    }


def report_binding(number: int, name: str) -> Binding:
    """The digit that shows report `name`, its description one of SHORT_NAMES (marked
    for the catalog there); action and id built before the call, which Babel reads."""
    action, key = f"show_report('{name}')", f"reports.{name}"
    return Binding(str(number), action, SHORT_NAMES[name], id=key, show=False)


class ReportsScreen(Screen[None]):
    TITLE = N_("Reports")
    DEFAULT_CSS = """
    ReportsScreen #tabs { height: 1; padding: 0 1; background: $boost; }
    ReportsScreen #heading { height: 1; padding: 0 1; text-style: bold; }
    ReportsScreen #chart-box { height: 1fr; }
    ReportsScreen #figures { height: 1fr; display: none; }
    ReportsScreen.table #figures { display: block; }
    ReportsScreen.table #chart-box { display: none; }
    ReportsScreen #notes { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        *(report_binding(n, name) for n, name in enumerate(REPORTS, 1)),
        Binding("t", "toggle_table", "Table/chart", id="reports.table"),
        Binding("enter", "open_records", "Records", id="reports.records"),
        Binding("b", "next_split", "Split", id="reports.split"),
        Binding("p", "period", "Period…", id="reports.period"),
        Binding("c", "next_currency", "Currency", id="reports.currency"),
        Binding("left", "chart_column(-1)", "Measure", id="reports.measure_back", show=False),
        Binding("right", "chart_column(1)", "Measure", id="reports.measure"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.name_shown = "conversion"
        self.by: dict[str, str | None] = {}  # the split asked for, per report
        self.measure: dict[str, str] = {}  # the column a bar chart draws, per report
        self.start = self.end = None
        self.currency = ""
        self.currencies: list[str] = []
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield TextBlock("", id="tabs")
        yield TextBlock(Text(_("Computing…"), style="dim"), id="heading")
        with VerticalScroll(id="chart-box"):
            yield ReportChart(id="chart")
        yield KeyedTable(id="figures", cursor_type="cell", zebra_stripes=True)
        yield TextBlock("", id="notes")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_tabs()
        self.query_one(ReportChart).focus()
        self.compute()

    def refresh_data(self, changes: Changes | None = None) -> None:
        self.compute()

    # ------------------------------------------------------------------ data

    def request(self) -> Request:
        rules = self.app.rules
        period = Period(self.start, self.end, rules.zone)
        return Request(
            period, self.by.get(self.name_shown), self.app.config, rules.today(), self.currency
        )

    @read_worker("report", exclusive=True)
    def compute(self) -> None:
        name, request = self.name_shown, self.request()
        try:
            report = run_report(name, request)
            found = currencies()
        except ReportError as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.app.call_from_thread(self._show, name, report, found)

    def _say(self, message: str) -> None:
        self.query_one("#heading", TextBlock).show(Text(message, style="bold red"))

    def _show(self, name: str, report: Report, found: list[str]) -> None:
        if name != self.name_shown:
            return  # another report was asked for meanwhile; its worker shows it
        self.report, self.currencies = report, found
        split = " · " + _("by {split}").format(split=_(report.by)) if report.by else ""
        money = f" · {report.currency}" if report.currency else ""
        period = report.period.label()
        heading = Text.assemble((_(report.title), "bold"), f" · {period}{split}{money}")
        self.query_one("#heading", TextBlock).show(heading)
        chart = self.query_one(ReportChart)
        chart.show(report, self.measure.get(name, report.chart.key if report.chart else ""))
        self._fill_table(report)
        notes = Text("\n".join(f"· {note}" for note in report.notes))
        self.query_one("#notes", TextBlock).show(notes)

    def _fill_table(self, report: Report) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        headings = self._headings(report)
        table.header_height = headings.height
        # Compact: one cell after each column instead of one on each side.
        table.cell_padding = 0 if headings.compact else PADDING
        for column, heading, width in zip(
            report.columns, headings.texts, headings.widths, strict=True
        ):
            justify = "left" if column.kind == TEXT else "right"
            table.add_column(
                Text(heading, justify=justify),
                key=column.key,
                width=width + 1 if headings.compact else None,
            )
        for index, row in enumerate(report.all_rows()):
            style = "bold" if row is report.total else ""
            table.add_row(
                *(
                    Text(
                        plain(shown_cell(row, c)),
                        justify="left" if c.kind == TEXT else "right",
                        style=style,
                    )
                    for c in report.columns
                ),
                key=str(index),
            )
        for part in report.parts:
            table.add_row(*(Text("") for _column in report.columns))
            # The further table's own heading and column names: its columns are not the
            # report's, though they share the grid.
            table.add_row(
                Text(part.title, style="bold italic"),
                *(Text("") for _column in report.columns[1:]),
            )
            names = [column.label for column in part.columns][: len(report.columns)]
            names += [""] * (len(report.columns) - len(names))
            table.add_row(*(Text(name, style="bold") for name in names))
            for row in part.all_rows():
                cells = [shown_cell(row, c) for c in part.columns]
                cells += [""] * (len(report.columns) - len(cells))
                table.add_row(*(Text(plain(cell)) for cell in cells[: len(report.columns)]))

    def _headings(self, report: Report) -> Headings:
        """The column names, folded onto two lines where the table would not fit the
        screen otherwise (the forecast's stages at 80 columns)."""
        widths = [0] * len(report.columns)
        for part in report.parts:  # a further table's title and names share the grid
            widths[0] = max(widths[0], cell_width(part.title))
            for n, c in enumerate(part.columns[: len(widths)]):
                widths[n] = max(widths[n], cell_width(c.label))
        for part in (report, *report.parts):
            for row in part.all_rows():
                for n, c in enumerate(part.columns[: len(widths)]):
                    text = plain(shown_cell(row, c))
                    widths[n] = max(widths[n], cell_width(text))
        labels = [column.label for column in report.columns]
        room = self.size.width - 2  # the table's vertical scrollbar
        return fit_headings(labels, widths, room)

    def on_resize(self) -> None:
        if self.report is not None:
            self._fill_table(self.report)

    def _show_tabs(self) -> None:
        tabs = Text()
        names = tab_names()
        for n, name in enumerate(REPORTS, 1):
            style = "bold reverse" if name == self.name_shown else ""
            tabs.append(f" {n} {names.get(name, name)} ", style=style)
        self.query_one("#tabs", TextBlock).show(tabs)

    # --------------------------------------------------------------- actions

    def action_show_report(self, name: str) -> None:
        self.name_shown = name
        self.report = None
        self._show_tabs()
        self.query_one("#heading", TextBlock).show(
            Text(_("Computing {report}…").format(report=_(REPORTS[name].title)), style="dim")
        )
        self.compute()

    def action_toggle_table(self) -> None:
        self.toggle_class("table")
        if self.has_class("table"):
            self.query_one(DataTable).focus()
        else:
            self.query_one(ReportChart).focus()

    def action_next_split(self) -> None:
        splits = list(REPORTS[self.name_shown].splits)
        if len(splits) < 2:
            title = _(REPORTS[self.name_shown].title)
            self.notify(_("{report} has no other split.").format(report=title))
            return
        current = self.by.get(self.name_shown) or splits[0]
        following = splits[(splits.index(current) + 1) % len(splits)]
        self.by[self.name_shown] = following or None
        self.compute()

    def action_next_currency(self) -> None:
        if self.report is None or not self.report.currency:
            self.notify(_("This report has no amounts."))
            return
        choices = self.currencies or [self.report.currency]
        current = self.report.currency
        self.currency = (
            choices[(choices.index(current) + 1) % len(choices)]
            if current in choices
            else choices[0]
        )
        self.compute()

    def action_period(self) -> None:
        rules = self.app.rules
        dialog = PeriodDialog(self.start, self.end, rules.today(), self.app.config.date_order)

        def chosen(days) -> None:
            if days is not None:
                self.start, self.end = days
                self.compute()

        self.app.push_screen(dialog, chosen)

    def action_chart_column(self, by: int) -> None:
        report = self.report
        if (
            report is None
            or report.chart is None
            or report.chart.kind in (FUNNEL_CHART, TREND_CHART)
        ):
            return
        source = chart_source(report)
        measures = [c.key for c in source.columns if c.kind != TEXT]
        chart = self.query_one(ReportChart)
        current = chart.key if chart.key in measures else measures[0]
        self.measure[self.name_shown] = measures[(measures.index(current) + by) % len(measures)]
        chart.show(report, self.measure[self.name_shown])

    def action_open_records(self) -> None:
        report = self.report
        if report is None:
            return
        if self.has_class("table"):
            self._open_from_table(report)
            return
        chart = self.query_one(ReportChart)
        if report.chart and report.chart.kind == FUNNEL_CHART and report.total:
            steps = chart.choices()
            if steps:
                self._open(report.total.drills.get(steps[chart.selected].key))
            return
        rows = chart_rows(report, chart.key)
        column = chart_column(report, chart.key)
        if rows and column is not None and report.chart and report.chart.kind != TREND_CHART:
            row = rows[min(chart.selected, len(rows) - 1)]
            drill = row.drills.get(column.key) or next(iter(row.drills.values()), None)
            self._open(drill)
        else:
            self.notify(_("Press t for the table: each figure there opens its records."))

    def _open_from_table(self, report: Report) -> None:
        table = self.query_one(DataTable)
        coordinate = table.cursor_coordinate
        rows = report.all_rows()
        if coordinate.row >= len(rows):
            self.notify(_("Open the loss reasons' records from the chart (↑/↓, enter)."))
            return
        row = rows[coordinate.row]
        column = report.columns[coordinate.column]
        self._open(row.drills.get(column.key))

    def _open(self, drill: Drill | None) -> None:
        if drill is None:
            self.notify(_("This figure is worked out from others: open one of those."))
            return

        def opened(record: Record | None) -> None:
            if record is None:
                return
            if record.entity == "opportunity":
                self.app.open_opportunity(record.id)
            else:
                self.app.open_lead(record.id, here=True)

        self.app.push_screen(RecordsDialog(drill, self.app.rules.zone), opened)

    @on(DataTable.CellSelected)
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.report is not None:
            self._open_from_table(self.report)
