"""The Import screen: a file's columns mapped to lead fields, shown and changeable before
anything is written; then the import in a worker, with a progress bar, rows/s and time
left, the app usable meanwhile; then the report. The engine is funnel_tui.transfer, the
same as `funnel import`.

The mapping step lists, beside the columns, the distinct values of each list-bound
column (source, country, owner) with their rows, counted by a worker that reads the
whole file: enter on a value maps it to a listed one, adds it to the team's list, or
keeps its rows with the field empty (transfer.values.ValueMap, as `--map-value`).
Going back from the report keeps the mapping; going back from the mapping keeps the
path.

The file is untrusted: its name, headers, cells and every message quoting them are shown
through output.terminal_safe, as Text (never markup), so a cell carrying escape codes is
seen as what it is and cannot act on the terminal."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import DataTable, Label, ProgressBar, Static

from funnel_tui.core.countries import country_code
from funnel_tui.core.errors import FileRefused, MappingRefused, ReadOnlyDatabase
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language, ngettext
from funnel_tui.core.output import terminal_safe
from funnel_tui.read.connection import connected
from funnel_tui.rules.history_words import many
from funnel_tui.transfer.columns import FIELDS, field_shown
from funnel_tui.transfer.importer import (
    DUPLICATE,
    INSERTED,
    REFUSED,
    UNCHANGED,
    UPDATED,
    ImportReport,
    Progress,
    format_eta,
    import_lists,
    run_import,
)
from funnel_tui.transfer.plan import ImportOptions, ImportPlan, plan_import
from funnel_tui.transfer.values import (
    ADDED,
    EMPTY,
    LIST_FIELDS,
    MAPPED,
    NO_USER,
    OFF_LIST,
    ON_LIST,
    Lists,
    ValueCounts,
    ValueMap,
    ValueState,
    count_values,
    value_states,
)
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog, TextDialog
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.scroll_keys import KeyedScroll, KeyedTable
from funnel_tui.tui.widgets.text_input import TextInput

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes

FILE, MAPPING, RUNNING, REPORT = "file", "mapping", "running", "report"
CHOICES = (*FIELDS, "")  # what enter steps a column through; "" is not imported
SAMPLES_SHOWN = 2
# How each state of a value reads in the values table: a mark, then what it becomes.
STATE_MARKS = {
    ON_LIST: ("=", ""),
    MAPPED: ("→", "green"),
    ADDED: ("+", "green"),
    EMPTY: ("∅", "yellow"),
    OFF_LIST: ("✘", "bold red"),
    NO_USER: ("→", "yellow"),
}


# What the progress line calls each pass over the file (importer.Progress.phase).
PHASES = {"checking": N_("checking"), "importing": N_("importing"), "dry run": N_("dry run")}


def _heading(label: str) -> str:
    """A label ending in a colon, and the space after it: none after a Chinese colon."""
    return label if label.endswith("：") else label + " "


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


def _shown_path(path: Path) -> str:
    """A path as short as it can be said: from the working folder when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class PathSuggester(Suggester):
    """Completes a path as it is typed, from the folder it names."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        folder, stem = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
        except OSError:
            return None
        for name in names:
            if not name.isprintable():  # a name that would act on the terminal as typed
                continue
            if name.startswith(stem) and name != stem and not name.startswith("."):
                return value + name[len(stem) :]
        return None


class ColumnsTable(KeyedTable):
    """The file's columns and the field each is imported as."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("enter", "select_cursor", "Next field", show=False, id="import.column"),
    ]


class ValuesTable(KeyedTable):
    """The distinct values of the list-bound columns and what each is stored as."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("enter", "select_cursor", "Map the value", show=False, id="import.value"),
    ]


class ImportScreen(Screen[None]):
    TITLE = N_("Import")
    DEFAULT_CSS = """
    ImportScreen #body { padding: 0 1; }
    ImportScreen .heading { text-style: bold; margin-top: 1; }
    ImportScreen .hint { color: $text-muted; }
    ImportScreen .error { color: $text-error; }
    ImportScreen #path { width: 1fr; margin-top: 1; }
    ImportScreen #columns { height: 1fr; margin-top: 1; }
    ImportScreen #values { height: auto; max-height: 7; }
    ImportScreen #values-note { color: $text-muted; }
    ImportScreen #progress { margin-top: 1; }
    ImportScreen #progress Bar { width: 1fr; }
    ImportScreen #report-scroll { height: 1fr; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "start(False)", "Import", id="import.start", priority=True),
        Binding("ctrl+d", "start(True)", "Dry run", id="import.dry", priority=True),
        # Priority: the table would scroll sideways with them.
        Binding(
            "right", "step_field(1)", "Next field", id="import.next", show=False, priority=True
        ),
        Binding(
            "left",
            "step_field(-1)",
            "Previous field",
            id="import.previous",
            show=False,
            priority=True,
        ),
        Binding("delete,backspace", "skip_column", "Not imported", id="import.skip"),
        Binding("u", "toggle('update')", "Update matching", id="import.update"),
        Binding("o", "toggle('overwrite')", "Overwrite", id="import.overwrite"),
        Binding("s", "toggle('strict')", "Strict", id="import.strict"),
        Binding("escape", "back", "Back", id="import.back"),
        Binding("n", "again", "Another file", id="import.again"),
        Binding("tab", "complete", "Complete / next list", id="import.complete", show=False),
    ]
    # The keys each step offers (the others are hidden and do nothing).
    STEP_ACTIONS: ClassVar[dict[str, set[str]]] = {
        FILE: {"complete"},
        MAPPING: {"start", "step_field", "skip_column", "toggle", "back", "complete"},
        RUNNING: {"back"},
        REPORT: {"again", "back"},
    }

    def __init__(self) -> None:
        super().__init__()
        self.step = FILE
        self.plan: ImportPlan | None = None
        self.options = ImportOptions()
        self.cancel = threading.Event()
        self.report: ImportReport | None = None
        self.value_map = ValueMap()
        self.counts: ValueCounts | None = None
        self.lists: Lists | None = None
        self.states: list[ValueState] = []
        self._counting = threading.Event()  # set: the count under way is no longer wanted
        self._counted_for: tuple = ()
        self._order: dict[tuple[str, str], int] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="body"):
            yield Label(_("Import leads from a CSV, Excel or vCard file"), classes="heading")
            yield TextInput(
                placeholder=_("path of a .csv, .xlsx or .vcf file (tab completes)"),
                id="path",
                suggester=PathSuggester(),
            )
            yield Static("", id="file-facts", classes="hint")
            yield Static("", id="problem", classes="error")
            yield ColumnsTable(id="columns", cursor_type="row", zebra_stripes=True)
            yield Static("", id="values-note")
            yield ValuesTable(id="values", cursor_type="row", zebra_stripes=True)
            yield Static("", id="mode")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
            yield Static("", id="speed")
            with KeyedScroll(id="report-scroll"):
                yield Static("", id="report")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_step(FILE)

    def on_unmount(self) -> None:
        # The app is closing (ctrl+q, a hangup, SIGTERM): an import under way stops after
        # the batch in hand, whole, and its scratch files go; a count stops reading.
        self.cancel.set()
        self._counting.set()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        focused = self.focused.id if self.focused is not None else None
        if action in ("step_field", "skip_column") and focused == "values":
            return False  # the keys of a column, not of a value
        if action in _STEPPED_ACTIONS:
            return action in self.STEP_ACTIONS[self.step]
        return True

    def _show_step(self, step: str) -> None:
        self.step = step
        shown = {
            "#path": step == FILE,
            "#file-facts": step != FILE,
            "#columns": step == MAPPING,
            "#values-note": step == MAPPING and bool(self._list_columns()),
            "#values": step == MAPPING and bool(self.states),
            "#mode": step in (MAPPING, RUNNING),
            "#progress": step == RUNNING,
            "#speed": step == RUNNING,
            "#report-scroll": step == REPORT,
        }
        for selector, visible in shown.items():
            self.query_one(selector).display = visible
        self.query_one("#path", TextInput).disabled = step != FILE
        if step == FILE:
            self.query_one("#path").focus()
        elif step == MAPPING:
            self.query_one("#columns").focus()
        elif step == REPORT:
            scroll = self.query_one("#report-scroll", KeyedScroll)
            scroll.scroll_home(animate=False)
            scroll.focus()
        self.refresh_bindings()

    # ------------------------------------------------------------------ file

    def action_complete(self) -> None:
        """Tab takes the path suggested, as a shell would; with none, focus moves on."""
        path = self.query_one("#path", TextInput)
        if path.has_focus and path._suggestion and path.value != path._suggestion:
            path.value = path._suggestion
            path.cursor_position = len(path.value)
        else:
            self.focus_next()

    def on_input_submitted(self, event: TextInput.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        if not path:
            self._say(_("path: type the path of a file to import"))
            return
        self._say(_("Reading the file…"), error=False)
        # Keys typed ahead (the mapping's) wait for the file to be read and its values
        # counted: they are meant for the step that follows.
        self.app.hold_keys_for(self.read_file(str(Path(path).expanduser().absolute())))

    @work(thread=True, exclusive=True, group="import-plan")
    def read_file(self, path: str) -> None:
        try:
            plan = plan_import(path)
        except (FileRefused, MappingRefused) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.app.call_from_thread(self._show_plan, plan)

    def _say(self, message: str, error: bool = True) -> None:
        problem = self.query_one("#problem", Static)
        problem.set_class(error, "error")
        problem.update(Text(terminal_safe(message)))
        problem.display = bool(message)

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.value_map = ValueMap()
        self.counts, self.states, self._counted_for = None, [], ()
        self._say("", error=False)
        facts = Text.assemble(
            (terminal_safe(plan.facts.path.name), "bold"),
            f" · {plan.kind_label} · {plan.facts.encoding.label}",
        )
        for note in plan.facts.notes:
            facts.append(f"\n{terminal_safe(note)}")
        self.query_one("#file-facts", Static).update(facts)
        table = self.query_one("#columns", DataTable)
        table.clear(columns=True)
        table.add_column(Text(_("Column")), key="column")
        table.add_column(Text(_("→ Field")), key="field")
        for i, row in enumerate(plan.samples[:SAMPLES_SHOWN]):
            table.add_column(Text(_("Row {row}").format(row=row.number)), key=f"sample{i}")
        for column in plan.column_map.columns:
            samples = [
                Text(
                    terminal_safe(row.cells[column.number - 1])
                    if column.number <= len(row.cells)
                    else ""
                )
                for row in plan.samples[:SAMPLES_SHOWN]
            ]
            table.add_row(
                Text(f"{column.number}. {terminal_safe(column.header)}"),
                self._field_text(column.field, column.how),
                *samples,
                key=str(column.number),
            )
        self._show_mode()
        self._show_step(MAPPING)
        self._count_values()

    @staticmethod
    def _field_text(field: str, how: str) -> Text:
        if field:
            return Text(field_shown(field) + (" ✎" if how == "chosen" else ""))
        return Text(f"– {how}", style="dim")

    # ------------------------------------------------------------------ mapping

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: on a column, step it to the next field (and at last to none); on a
        value, choose what it becomes."""
        event.stop()
        if event.data_table.id == "values":
            self._choose_value()
        else:
            self.action_step_field(1)

    def action_step_field(self, step: int) -> None:
        table = self.query_one("#columns", DataTable)
        if self.plan is None or not table.row_count or not table.has_focus:
            return
        number = table.cursor_row + 1
        current = self.plan.column_map.columns[number - 1].field
        self._set_field(number, CHOICES[(CHOICES.index(current) + step) % len(CHOICES)])

    def action_skip_column(self) -> None:
        table = self.query_one("#columns", DataTable)
        if self.plan is not None and table.row_count and table.has_focus:
            self._set_field(table.cursor_row + 1, "")

    def _set_field(self, number: int, field: str) -> None:
        assert self.plan is not None
        self.plan.column_map = self.plan.column_map.with_field(number, field)
        column = self.plan.column_map.columns[number - 1]
        table = self.query_one("#columns", DataTable)
        table.update_cell(
            str(number), "field", self._field_text(column.field, column.how), update_width=True
        )
        self._show_mode()
        if self._list_columns() != self._counted_for:
            self._count_values()

    # ------------------------------------------------------------------ values

    def _list_columns(self) -> tuple:
        """Which columns feed the list-bound fields: their values are counted again
        when this changes."""
        if self.plan is None:
            return ()
        return tuple(
            (c.number, c.field) for c in self.plan.column_map.columns if c.field in LIST_FIELDS
        )

    def _count_values(self) -> None:
        self._counting.set()  # a count of another mapping is not wanted any more
        self._counting = threading.Event()
        self.counts, self.states = None, []
        self._counted_for = self._list_columns()
        note = self.query_one("#values-note", Static)
        if self._counted_for:
            note.update(Text(_("Values of the list columns: reading the file…")))
        self._show_values()
        if self.plan is not None and self._counted_for:
            self.app.hold_keys_for(self.count_worker(self.plan, self._counted_for, self._counting))

    @work(thread=True, exclusive=True, group="import-values")
    def count_worker(self, plan: ImportPlan, wanted: tuple, stop: threading.Event) -> None:
        def progress(rows: int, done: int, total: int) -> None:
            if not total:
                share = ""
            elif current_language() == ENGLISH:
                share = f" ({done / total:.0%})"
            else:
                share = " ({})".format(
                    _("{percent}%").format(percent=number(round(100 * done / total)))
                )
            self.app.call_from_thread(self._counting_progress, stop, rows, share)

        try:
            counts = count_values(plan, progress, stop)
            with connected():
                lists = import_lists(self.app.rules.config)
        except (FileRefused, OSError) as exc:
            self.app.call_from_thread(self._say, f"{plan.facts.path.name}: {exc}")
            return
        if not stop.is_set():
            self.app.call_from_thread(self._counted, wanted, counts, lists)

    def _counting_progress(self, stop: threading.Event, rows: int, share: str) -> None:
        if not stop.is_set():
            line = _("Values of the list columns: reading the file… {rows}").format(
                rows=many(rows, "row")
            )
            self.query_one("#values-note", Static).update(Text(line + share))

    def _counted(self, wanted: tuple, counts: ValueCounts, lists: Lists) -> None:
        if wanted != self._counted_for:
            return
        self.counts, self.lists, self._order = counts, lists, {}
        self._show_values()

    def _show_values(self) -> None:
        table = self.query_one("#values", DataTable)
        note = self.query_one("#values-note", Static)
        if not table.columns:
            table.add_column(Text(_("Field")), key="field")
            table.add_column(Text(_("Value in the file")), key="value")
            table.add_column(Text(_("Rows")), key="rows")
            table.add_column(Text(_("→ Stored as")), key="becomes")
        at = table.cursor_row if table.row_count else 0
        table.clear()
        if self.counts is None or self.lists is None:
            self.states = []
            self._show_step_widgets()
            return
        states = value_states(self.counts, self.value_map, self.lists, self.app.rules.login)
        # The order they were first listed in (what cost rows first), kept as values
        # are mapped: the row under the cursor does not jump away.
        if not self._order:
            self._order = {(s.field, s.value): i for i, s in enumerate(states)}
        self.states = sorted(states, key=lambda s: self._order.get((s.field, s.value), 0))
        for i, state in enumerate(self.states):
            mark, style = STATE_MARKS[state.state]
            table.add_row(
                Text(field_shown(state.field)),
                Text(terminal_safe(state.value)),
                Text(number(state.rows), justify="right"),
                Text(f"{mark} {terminal_safe(self._becomes(state))}", style=style),
                key=str(i),
            )
        if self.states:
            table.move_cursor(row=min(at, len(self.states) - 1))
        refused = [s for s in self.states if s.state == OFF_LIST]
        rows = sum(s.rows for s in refused)
        fields = ", ".join(field_shown(f) for f in self.counts.counts)
        text = Text(_heading(_("Values of {fields}:").format(fields=fields)), style="bold")
        if refused:
            off_list = ngettext(
                "{count} not on the list ({rows} refused)",
                "{count} not on the list ({rows} refused)",
                len(refused),
            )
            text.append(
                off_list.format(count=number(len(refused)), rows=many(rows, "row")),
                style="bold red",
            )
        else:
            text.append(_("every row keeps its values"))
        text.append(" · " + _("tab: values"), style="dim")
        for name, extra in self.counts.more.items():
            more = ngettext(
                "{count} more row of {field} values not listed",
                "{count} more rows of {field} values not listed",
                extra,
            )
            text.append("\n" + more.format(count=number(extra), field=field_shown(name)))
        note.update(text)
        self._show_step_widgets()

    def _show_step_widgets(self) -> None:
        if self.step == MAPPING:
            self.query_one("#values-note").display = bool(self._list_columns())
            self.query_one("#values").display = bool(self.states)

    @staticmethod
    def _becomes(state: ValueState) -> str:
        if state.state == OFF_LIST:
            return _("not on the list: row refused")
        if state.state == NO_USER:
            return _("{login}: no such user").format(login=state.becomes)
        if state.state == ADDED:
            return _("{value} (added to the list)").format(value=state.becomes)
        if state.state == EMPTY:
            return state.becomes or _("kept, field empty")
        return state.becomes

    def _choose_value(self) -> None:
        table = self.query_one("#values", DataTable)
        if not self.states or self.lists is None or not table.row_count:
            return
        state = self.states[table.cursor_row]
        name, value = state.field, state.value
        shown = terminal_safe(value)
        login = self.app.rules.login
        if name == "country":
            self.app.push_screen(
                TextDialog(
                    _("Country for {value} (a code such as US, or a name)").format(
                        value=repr(shown)
                    ),
                    placeholder=_("empty: keep the rows with no country"),
                ),
                lambda typed: self._country_chosen(value, typed),
            )
            return
        options: dict[str, tuple[str, bool] | None] = {}
        for choice in self.lists.choices(name):
            options[f"→ {terminal_safe(choice)}"] = (choice, False)
        if name == "source":
            options[_("+ add {value} to the team's sources").format(value=repr(shown))] = (
                value,
                True,
            )
            options[_("∅ keep the rows, source empty")] = ("", False)
        else:
            importing = _("∅ the importing user ({login})").format(login=terminal_safe(login))
            options[importing] = ("", False)
        if self.value_map.rule(name, value) is not None:
            options[_("✘ as in the file (no mapping)")] = None
        labels = tuple(options)

        def chosen(label: str | None) -> None:
            if label is None:
                return
            picked = options[label]
            if picked is None:
                self.value_map = self.value_map.without_rule(name, value)
            else:
                self.value_map = self.value_map.with_rule(name, value, picked[0], picked[1])
            self._show_values()

        self.app.push_screen(
            ChoiceDialog(
                _("{field} {value} becomes").format(
                    field=_capitalised(field_shown(name)), value=repr(shown)
                ),
                labels,
            ),
            chosen,
        )

    def _country_chosen(self, value: str, typed: str | None) -> None:
        if typed is None:
            return
        typed = typed.strip()
        code = country_code(typed) if typed else ""
        if code is None:
            self._say(
                _("country: {typed} is not a country funnel knows; use a code such as DE").format(
                    typed=repr(typed)
                )
            )
            return
        self._say("", error=False)
        self.value_map = self.value_map.with_rule("country", value, code)
        self._show_values()

    def action_toggle(self, option: str) -> None:
        values = {
            "update": self.options.update,
            "overwrite": self.options.overwrite,
            "strict": self.options.strict,
        }
        values[option] = not values[option]
        if option == "overwrite" and values["overwrite"]:
            values["update"] = True
        if option == "update" and not values["update"]:
            values["overwrite"] = False
        self.options = ImportOptions(**values)
        self._show_mode()

    def _show_mode(self) -> None:
        o = self.options
        if o.overwrite:
            mode = _("update matching leads, overwriting their fields")
        elif o.update:
            mode = _("update matching leads (empty fields only)")
        else:
            mode = _("insert new leads only")
        text = Text.assemble((_heading(_("Mode:")), "bold"), mode)
        if o.strict:
            text.append(" · " + _("strict: any refusal writes nothing"))
        assert self.plan is not None
        problems = self.plan.column_map.problems()
        if problems:
            text.append(f"\n{terminal_safe(problems[0])}", style="bold red")
        else:
            if self.query_one("#values", DataTable).has_focus:
                keys = _("enter: what the value is stored as · tab: the columns")
            else:
                keys = _("←/→ or enter: the column's field · del: leave it out")
                keys += " · " + _("tab: the values") if self.states else ""
            options = _(
                "u update matching · o overwrite · s strict · ctrl+s import · ctrl+d dry run"
            )
            text.append(f"\n{keys}\n{options}", style="dim")
        self.query_one("#mode", Static).update(text)

    def on_descendant_focus(self) -> None:
        if self.step == MAPPING and self.plan is not None:
            self._show_mode()
            self.refresh_bindings()

    # ------------------------------------------------------------------ running

    def action_start(self, dry_run: bool) -> None:
        if self.plan is None or self.plan.column_map.problems():
            return
        self.cancel = threading.Event()
        options = ImportOptions(
            update=self.options.update,
            overwrite=self.options.overwrite,
            strict=self.options.strict,
            dry_run=dry_run,
            values=self.value_map,
        )
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, self.plan.facts.size), progress=0)
        self.query_one("#speed", Static).update(Text(_("Starting…")))
        self._show_step(RUNNING)
        self.run_import_worker(self.plan, options)

    @work(thread=True, exclusive=True, group="import-run")
    def run_import_worker(self, plan: ImportPlan, options: ImportOptions) -> None:
        def progress(p: Progress) -> None:
            self.app.call_from_thread(self._show_progress, p)

        with connected():
            try:
                report = run_import(self.app.rules, plan, options, progress, self.cancel)
            except FileRefused as exc:
                self.app.call_from_thread(self._failed, str(exc))  # _say makes it safe
                return
            except ReadOnlyDatabase as exc:
                self.app.call_from_thread(self._failed, exc.reason)
                return
        self.app.call_from_thread(self._show_report, report)

    def _show_progress(self, p: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(progress=p.done_bytes)
        phase = PHASES.get(p.phase, p.phase)
        speed = _("{phase}: {rows} · {speed} rows/s").format(
            phase=_(phase),
            rows=many(p.rows, "row"),
            speed=number(p.rows_per_second, 0),
        )
        stops = _("esc stops after the batch in hand")
        line = f"{speed}  {format_eta(p.eta_seconds)}\n{stops}"
        self.query_one("#speed", Static).update(Text(line))

    def _failed(self, message: str) -> None:
        self._show_step(MAPPING)
        self._say(message)

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        if report.added:
            # The team's lists as stored now: the capture form offers the new sources.
            self.app.config = self.app.rules.config
        self.query_one("#report", Static).update(report_text(report, self.app.rules.login))
        self._show_step(REPORT)
        if report.written:
            # Our own writes: the counts in the title bar and the screens below show
            # them now, not when the change watcher next looks (as after a capture).
            self.app.data_changed()

    # ------------------------------------------------------------------ keys

    def action_back(self) -> None:
        """esc: stop a run; from the report back to the mapping as it was (a dry run's
        report, to change what it showed); from the mapping back to the path, kept."""
        if self.step == RUNNING:
            self.cancel.set()
            self.query_one("#speed", Static).update(Text(_("Stopping after this batch…")))
        elif self.step == MAPPING:
            self._say("", error=False)
            self._counting.set()
            self._show_step(FILE)
        elif self.step == REPORT:
            self.report = None
            self._show_mode()
            self._show_step(MAPPING)
            self._show_step_widgets()

    def action_again(self) -> None:
        """n: another file; the path stays typed, to change or take again."""
        self.plan, self.report = None, None
        self.counts, self.states = None, []
        self._say("", error=False)
        self._show_step(FILE)

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Nothing here shows stored data: others' writes change nothing on screen."""


# The screen's own actions, each offered only in the steps STEP_ACTIONS gives it.
_STEPPED_ACTIONS = frozenset(b.action.split("(")[0] for b in ImportScreen.BINDINGS)


def report_text(report: ImportReport, login: str) -> Text:
    """The report as the screen shows it: the counts, where the refused rows went, the
    values not on a list, and every refused, duplicate and possibly duplicate row kept
    (importer.EXAMPLES_KEPT), for a list that scrolls."""
    c = report.counts
    dry = report.dry_run
    text = Text()
    text.append(
        _("Dry run: nothing was written, and no reject file") + "\n" if dry else "",
        style="bold",
    )
    rows = [
        (_("would be inserted") if dry else _("inserted"), c[INSERTED], "green", True),
        (_("would be updated") if dry else _("updated"), c[UPDATED], "green", report.update),
        (_("unchanged"), c[UNCHANGED], "", report.update),
        (_("duplicates skipped"), c[DUPLICATE], "yellow", True),
        (_("refused"), c[REFUSED], "red", True),
    ]
    for label, count, style, shown in rows:
        if not shown:
            continue
        text.append(f"  {number(count):>9}  ", style=f"bold {style}".strip())
        text.append(f"{label}\n")
    text.append(f"  {number(report.rows_read):>9}  ", style="bold")
    text.append(_("rows read") + "\n")
    if report.possible_count:
        text.append(f"  {number(report.possible_count):>9}  ", style="bold yellow")
        if dry:
            possible = _("would be inserted sharing a phone with another name: possible duplicates")
        else:
            possible = _("inserted sharing a phone with another name: possible duplicates")
        text.append(possible + "\n")
    if report.left_out:
        note = report.left_out_note()
        text.append(f"\n{terminal_safe(note[:1].upper() + note[1:])}\n")
    if report.aborted:
        text.append(f"\n{terminal_safe(report.aborted)}\n", style="bold red")
    if report.rejects_problem:
        text.append(f"\n{terminal_safe(report.rejects_problem)}\n", style="bold red")
    if report.rejects:
        text.append("\n" + _("Refused rows, with the reasons, are in") + "\n  ")
        text.append(terminal_safe(_shown_path(report.rejects)), style="bold")
        if report.rejects_asked and report.rejects_asked != report.rejects:
            kept = _("({file} was there already, and is kept as it is)")
            text.append("\n  " + kept.format(file=terminal_safe(report.rejects_asked.name)))
        text.append("\n  " + _("fix them there and import that file.") + "\n")
    for name, values in report.added.items():
        added = _("Added to the team's {field} list:").format(field=field_shown(name))
        text.append("\n" + _heading(added), style="bold")
        text.append(terminal_safe(", ".join(values)) + "\n")
    for name in ("source", "country"):
        values = report.off_list_values(name)
        if values:
            listed = ", ".join(f"{v!r} ({number(n)})" for v, n in values[:8])
            if len(values) > 8:
                listed = _("{values} and {count} more").format(
                    values=listed, count=number(len(values) - 8)
                )
            off_list = _("{field} not on the list:").format(field=_capitalised(field_shown(name)))
            text.append("\n" + _heading(off_list), style="bold")
            text.append(_("{values}; esc, then map them").format(values=terminal_safe(listed)))
            text.append("\n")
    owners = report.off_list_values("owner")
    if owners:
        listed = ", ".join(f"{v!r} ({number(n)})" for v, n in owners[:8])
        text.append("\n" + _heading(_("Owner is no user here:")), style="bold")
        theirs = _("{values}; those leads are {login}'s")
        text.append(theirs.format(values=terminal_safe(listed), login=terminal_safe(login)))
        text.append("\n")
    for o in report.examples:
        mark = "✘" if o.outcome == REFUSED else "="
        text.append(f"\n{mark} " + _heading(_("row {row}:").format(row=o.row)), style="bold")
        text.append(terminal_safe(o.reason))
    for o in report.possible:
        text.append("\n? " + _heading(_("row {row}:").format(row=o.row)), style="bold yellow")
        text.append(_("possible duplicate, {reason}").format(reason=terminal_safe(o.reason)))
    more = c[DUPLICATE] + c[REFUSED] - len(report.examples)
    if more > 0:
        if report.rejects:
            rest = _("… and {count} more (every refused row is in the reject file)")
        else:
            rest = _("… and {count} more")
        text.append("\n" + rest.format(count=number(more)))
    return text
