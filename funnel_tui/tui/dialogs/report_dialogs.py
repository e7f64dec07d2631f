"""The Reports screen's questions: which period, and the records behind a figure."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.dates import day_text, parse_since, quick_forms, to_local
from funnel_tui.core.errors import DueDateError
from funnel_tui.core.formats import date_short
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.output import plain
from funnel_tui.read.reports import Drill, Record, records
from funnel_tui.rules.history_words import many
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS
from funnel_tui.tui.widgets.scroll_keys import KeyedOptions
from funnel_tui.tui.widgets.text_input import TextInput
from funnel_tui.tui.workers import read_worker

RECORDS_SHOWN = 1000


class PeriodDialog(ModalScreen[tuple[dt.date | None, dt.date | None] | None]):
    """From and to, each in any form `--from` takes (2026-01-01, 30d, 3m, monday …);
    empty: open. A bad one is refused in place, naming the field, and what was typed
    stays."""

    TITLE = N_("Period")
    DEFAULT_CSS = DIALOG_CSS.format(name="PeriodDialog")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="period.cancel"),
    ]

    def __init__(self, start: dt.date | None, end: dt.date | None, today: dt.date, order: str):
        super().__init__()
        self.start, self.end, self.today, self.order = start, end, today, order

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(_("Report period")), classes="title")
            yield Static(Text(_("From (empty: from the first record)")))
            yield TextInput(
                value=self.start.isoformat() if self.start else "",
                placeholder=quick_forms(self.order, back=True),
                compact=True,
                id="from",
            )
            yield Static(Text(_("To, included (empty: up to the last record)")))
            yield TextInput(
                value=self.end.isoformat() if self.end else "",
                placeholder=quick_forms(self.order, back=True),
                compact=True,
                id="to",
            )
            yield Static("", id="period-read")
            yield Static("", classes="error", id="period-error")
            yield Static(Text(_("enter apply  ·  tab next field  ·  esc cancel")), classes="keys")

    def on_mount(self) -> None:
        self._read_back()

    def on_input_changed(self, event: TextInput.Changed) -> None:
        event.stop()
        self._read_back()

    def _read_back(self) -> None:
        """Both days in words as they are typed: `Mon 1 Jun 2026 → Tue 30 Jun 2026`."""
        said = []
        for field, open_end in (("from", _("the first record")), ("to", _("the last record"))):
            typed = self.query_one(f"#{field}", TextInput).value.strip()
            try:
                said.append(
                    day_text(parse_since(typed, self.today, self.order)) if typed else open_end
                )
            except DueDateError:
                said.append("?")
        read = _("→ {start} to {end}").format(start=said[0], end=said[1])
        self.query_one("#period-read", Static).update(Text(read, "green"))

    def on_input_submitted(self, event: TextInput.Submitted) -> None:
        event.stop()
        days = []
        for field, refused in (("from", _("From: {reason}")), ("to", _("To: {reason}"))):
            typed = self.query_one(f"#{field}", TextInput).value.strip()
            if not typed:
                days.append(None)
                continue
            try:
                days.append(parse_since(typed, self.today, self.order))
            except DueDateError as exc:
                self._error(refused.format(reason=exc))
                self.query_one(f"#{field}", TextInput).focus()
                return
        if days[0] and days[1] and days[1] < days[0]:
            self._error(
                _("To: {end} is before From, {start}").format(
                    end=date_short(days[1]), start=date_short(days[0])
                )
            )
            return
        self.dismiss((days[0], days[1]))

    def _error(self, message: str) -> None:
        self.query_one("#period-error", Static).update(Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecordsDialog(ModalScreen[Record | None]):
    """The records behind a figure, loaded in a worker; enter opens one."""

    TITLE = N_("Records")
    DEFAULT_CSS = DIALOG_CSS.format(name="RecordsDialog").replace("width: 70;", "width: 76;") + (
        "RecordsDialog OptionList { height: auto; max-height: 16; }"
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,q", "cancel", "Close", id="records.close"),
    ]

    def __init__(self, drill: Drill, zone: dt.tzinfo):
        super().__init__()
        self.drill, self.zone = drill, zone
        self.found: list[Record] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.drill.title), classes="title", id="records-title")
            yield KeyedOptions(Option(Text(_("Loading…"), style="dim"), disabled=True))
            yield Static(Text(_("enter open  ·  esc close")), classes="keys")

    def on_mount(self) -> None:
        self.load()

    @read_worker(exclusive=True)
    def load(self) -> None:
        found = records(self.drill, RECORDS_SHOWN + 1)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[Record]) -> None:
        self.found = found[:RECORDS_SHOWN]
        options = self.query_one(OptionList)
        options.clear_options()
        for record in self.found:
            when = date_short(to_local(record.when, self.zone).date()) if record.when else ""
            line = Text.assemble((f"{when:<11}", "dim"), plain(record.label) or _("(no name)"))
            options.add_option(Option(line))
        if not self.found:
            options.add_option(
                Option(Text(_("No records behind this figure."), style="dim"), disabled=True)
            )
        shown = min(len(found), RECORDS_SHOWN)
        count = many(shown, "record")
        if len(found) > shown:
            count = _("the first {records}").format(records=count)
        title = Text.assemble((self.drill.title, "bold"), (f" · {count}", "dim"))
        self.query_one("#records-title", Label).update(title)
        if self.found:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.found):
            self.dismiss(self.found[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
