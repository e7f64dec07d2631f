"""The Import screen: a file's columns mapped to lead fields, shown and changeable before
anything is written; then the import in a worker, with a progress bar, rows/s and time
left, the app usable meanwhile; then the report. The engine is funnel_tui.transfer, the
same as `funnel import`.

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

from ..history_words import many
from ..models import database
from ..output import terminal_safe
from ..transfer.columns import FIELD_LABELS, FIELDS, MappingRefused
from ..transfer.importer import (
    DUPLICATE,
    INSERTED,
    REFUSED,
    UNCHANGED,
    UPDATED,
    ImportOptions,
    ImportPlan,
    ImportReport,
    Progress,
    format_eta,
    plan_import,
    run_import,
)
from ..transfer.textfile import FileRefused
from ..widgets.bars import KeyBar, TitleBar
from ..widgets.text_input import TextInput

if TYPE_CHECKING:
    from ..changes import Changes

FILE, MAPPING, RUNNING, REPORT = "file", "mapping", "running", "report"
CHOICES = (*FIELDS, "")  # what enter steps a column through; "" is not imported
SAMPLES_SHOWN = 2
REPORT_EXAMPLES = 6


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


class ImportScreen(Screen[None]):
    TITLE = "Import"
    DEFAULT_CSS = """
    ImportScreen #body { padding: 0 1; }
    ImportScreen .heading { text-style: bold; margin-top: 1; }
    ImportScreen .hint { color: $text-muted; }
    ImportScreen .error { color: $text-error; }
    ImportScreen #path { width: 1fr; margin-top: 1; }
    ImportScreen #columns { height: 1fr; margin-top: 1; }
    ImportScreen #progress { margin-top: 1; }
    ImportScreen #progress Bar { width: 1fr; }
    ImportScreen #report { height: 1fr; }
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
        Binding("n", "again", "New import", id="import.again"),
        Binding("tab", "complete", "Complete", id="import.complete", show=False),
    ]
    # The keys each step offers (the others are hidden and do nothing).
    STEP_ACTIONS: ClassVar[dict[str, set[str]]] = {
        FILE: {"complete"},
        MAPPING: {"start", "step_field", "skip_column", "toggle", "back"},
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

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="body"):
            yield Label("Import leads from a CSV or vCard file", classes="heading")
            yield TextInput(
                placeholder="path of a .csv or .vcf file (tab completes)",
                id="path",
                suggester=PathSuggester(),
            )
            yield Static("", id="file-facts", classes="hint")
            yield Static("", id="problem", classes="error")
            yield DataTable(id="columns", cursor_type="row", zebra_stripes=True)
            yield Static("", id="mode")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
            yield Static("", id="speed")
            yield Static("", id="report")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_step(FILE)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _STEPPED_ACTIONS:
            return action in self.STEP_ACTIONS[self.step]
        return True

    def _show_step(self, step: str) -> None:
        self.step = step
        shown = {
            "#path": step == FILE,
            "#file-facts": step != FILE,
            "#columns": step == MAPPING,
            "#mode": step in (MAPPING, RUNNING),
            "#progress": step == RUNNING,
            "#speed": step == RUNNING,
            "#report": step == REPORT,
        }
        for selector, visible in shown.items():
            self.query_one(selector).display = visible
        self.query_one("#path", TextInput).disabled = step != FILE
        if step == FILE:
            self.query_one("#path").focus()
        elif step == MAPPING:
            self.query_one("#columns").focus()
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
            self._say("path: type the path of a file to import")
            return
        self._say("Reading the file…", error=False)
        self.read_file(str(Path(path).expanduser().absolute()))

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
        table.add_column(Text("Column"), key="column")
        table.add_column(Text("→ Field"), key="field")
        for i, row in enumerate(plan.samples[:SAMPLES_SHOWN]):
            table.add_column(Text(f"Row {row.number}"), key=f"sample{i}")
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

    @staticmethod
    def _field_text(field: str, how: str) -> Text:
        if field:
            return Text(f"{FIELD_LABELS[field]}" + (" ✎" if how == "chosen" else ""))
        return Text(f"– {how}", style="dim")

    # ------------------------------------------------------------------ mapping

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a column steps it to the next field (and at last to none)."""
        event.stop()
        self.action_step_field(1)

    def action_step_field(self, step: int) -> None:
        table = self.query_one("#columns", DataTable)
        if self.plan is None or not table.row_count:
            return
        number = table.cursor_row + 1
        current = self.plan.column_map.columns[number - 1].field
        self._set_field(number, CHOICES[(CHOICES.index(current) + step) % len(CHOICES)])

    def action_skip_column(self) -> None:
        table = self.query_one("#columns", DataTable)
        if self.plan is not None and table.row_count:
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
        mode = "update matching leads" if o.update else "insert new leads only"
        if o.overwrite:
            mode += ", overwriting their fields"
        elif o.update:
            mode += " (empty fields only)"
        text = Text.assemble(("Mode: ", "bold"), mode)
        if o.strict:
            text.append(" · strict: any refusal writes nothing")
        assert self.plan is not None
        problems = self.plan.column_map.problems()
        if problems:
            text.append(f"\n{terminal_safe(problems[0])}", style="bold red")
        else:
            text.append(
                "\n←/→ or enter: change the column's field · del: leave it out\n"
                "u update matching · o overwrite · s strict · ctrl+s import · ctrl+d dry run",
                style="dim",
            )
        self.query_one("#mode", Static).update(text)

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
        )
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, self.plan.facts.size), progress=0)
        self.query_one("#speed", Static).update(Text("Starting…"))
        self._show_step(RUNNING)
        self.run_import_worker(self.plan, options)

    @work(thread=True, exclusive=True, group="import-run")
    def run_import_worker(self, plan: ImportPlan, options: ImportOptions) -> None:
        def progress(p: Progress) -> None:
            self.app.call_from_thread(self._show_progress, p)

        with database.connection_context():
            try:
                report = run_import(self.app.rules, plan, options, progress, self.cancel)
            except FileRefused as exc:
                self.app.call_from_thread(self._failed, str(exc))  # _say makes it safe
                return
        self.app.call_from_thread(self._show_report, report)

    def _show_progress(self, p: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(progress=p.done_bytes)
        line = (
            f"{p.phase}: {many(p.rows, 'row')} · {p.rows_per_second:,.0f} rows/s  "
            f"{format_eta(p.eta_seconds)}\nesc stops after the batch in hand"
        )
        self.query_one("#speed", Static).update(Text(line))

    def _failed(self, message: str) -> None:
        self._show_step(MAPPING)
        self._say(message)

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        c = report.counts
        verb = "would be " if report.dry_run else ""
        text = Text()
        text.append(
            "Dry run: nothing was written, and no reject file\n\n" if report.dry_run else "\n",
            style="bold",
        )
        rows = [
            (f"{verb}inserted", c[INSERTED], "green"),
            (f"{verb}updated", c[UPDATED], "green"),
            ("unchanged", c[UNCHANGED], ""),
            ("duplicates skipped", c[DUPLICATE], "yellow"),
            ("refused", c[REFUSED], "red"),
        ]
        for label, count, style in rows:
            if label.endswith(("updated", "unchanged")) and not report.update:
                continue
            text.append(f"  {count:>9,}  ", style=f"bold {style}".strip())
            text.append(f"{label}\n")
        text.append(f"  {report.rows_read:>9,}  ", style="bold")
        text.append("rows read\n")
        if report.aborted:
            text.append(f"\n{terminal_safe(report.aborted)}\n", style="bold red")
        if report.rejects_problem:
            text.append(f"\n{terminal_safe(report.rejects_problem)}\n", style="bold red")
        if report.rejects:
            text.append("\nRefused rows, with the reasons, are in\n  ")
            text.append(terminal_safe(_shown_path(report.rejects)), style="bold")
            if report.rejects_note != str(report.rejects):
                text.append(" (a file of that name was there already, and is kept)")
            text.append("\n  fix them there and import that file.\n")
        for o in report.examples[:REPORT_EXAMPLES]:
            mark = "✘" if o.outcome == REFUSED else "="
            text.append(f"\n{mark} row {o.row}: ", style="bold")
            text.append(terminal_safe(o.reason))
        more = c[DUPLICATE] + c[REFUSED] - REPORT_EXAMPLES
        if more > 0:
            text.append(f"\n… and {more:,} more")
        self.query_one("#report", Static).update(text)
        self._show_step(REPORT)

    # ------------------------------------------------------------------ keys

    def action_back(self) -> None:
        if self.step == RUNNING:
            self.cancel.set()
            self.query_one("#speed", Static).update(Text("Stopping after this batch…"))
        elif self.step == MAPPING:
            self._say("", error=False)
            self._show_step(FILE)
        elif self.step == REPORT:
            self.action_again()

    def action_again(self) -> None:
        self.plan, self.report = None, None
        self._say("", error=False)
        self.query_one("#path", TextInput).value = ""
        self._show_step(FILE)

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Nothing here shows stored data: others' writes change nothing on screen."""


# The screen's own actions, each offered only in the steps STEP_ACTIONS gives it.
_STEPPED_ACTIONS = frozenset(b.action.split("(")[0] for b in ImportScreen.BINDINGS)
