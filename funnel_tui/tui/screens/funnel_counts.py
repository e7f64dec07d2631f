"""How many records stand at each step of the funnel, counted by the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.read.queries import LeadQuery, StageCount, funnel_counts, status_counts
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


BAR_WIDTH = 30
LABEL_WIDTH = 24
NOTE_WIDTH = 74  # the room under the bars at 80 columns
# Bars are drawn with characters, so the counts read the same without colour.
GROUP_STYLES = {"lead": "cyan", "prospect": "yellow", "opportunity": "green", "closed": "magenta"}


class FunnelCounts(Static):
    """Counts per funnel step with a bar each; text is built as Text, never as markup."""

    def show_counts(self, rows: list[StageCount], statuses: dict[str, int] | None = None) -> None:
        """`statuses`: every record by status whatever its step, as the lead list counts
        them; said under the bars so the two sets of figures are not taken for one."""
        biggest = max((r.count for r in rows), default=0) or 1
        text = Text()
        group = None
        labels = [row_label(row) for row in rows]
        # Wider than the English 24 cells where a language's step names are longer.
        width = max([LABEL_WIDTH, *(cell_len(label) + 1 for label in labels)])
        for row, label in zip(rows, labels, strict=True):
            if group is not None and row.group != group:
                text.append("\n")
            group = row.group
            # Any count above zero shows at least one block: "few" must not read as "none".
            filled = max(1, round(BAR_WIDTH * row.count / biggest)) if row.count else 0
            text.append(label + " " * (width - cell_len(label)), style="bold")
            text.append(f"{number(row.count):>9}  ")
            text.append("█" * filled, style=GROUP_STYLES[row.group])
            text.append("·" * (BAR_WIDTH - filled), style="dim")
            text.append("\n")
        if statuses is not None:
            text.append_text(_status_note(statuses))
        self.update(text)


def row_label(row: StageCount) -> str:
    """A step of the funnel as this rep reads it ("Leads · new", "Leads · In Bearbeitung",
    a stage's name while it is a shipped default translated)."""
    if row.group == "lead":
        return _("Leads · {status}").format(status=vocab_label(row.key))
    if row.group == "prospect":
        return _("Prospects")
    if row.key == "customer":
        return _("Customers")
    return shown_name(row.label)


def _status_note(statuses: dict[str, int]) -> Text:
    counts = [f"{vocab_label(status)} {number(count)}" for status, count in statuses.items()]
    line = _("statuses at every step: {counts}").format(counts=" · ".join(counts))
    gap = "\n"  # a blank line between the bars and the note
    if cell_len(line) > NOTE_WIDTH:
        # Longer words than English: the statuses take two lines, and the blank line
        # goes, so the note still ends on the screen at 80×24.
        lines, fresh = [_("statuses at every step: {counts}").format(counts="")], True
        for count in counts:
            if not fresh and cell_len(lines[-1]) + 3 + cell_len(count) > NOTE_WIDTH:
                lines.append("  ")
                fresh = True
            lines[-1] += count if fresh else " · " + count
            fresh = False
        line, gap = "\n".join(lines), ""
    note = Text(gap + _("Leads · … count records not yet promoted; the lead list counts"), "dim")
    note.append("\n" + line, "dim")
    return note


class FunnelScreen(Screen[None]):
    TITLE = N_("Funnel")
    DEFAULT_CSS = """
    FunnelScreen #body { padding: 1 2; }
    FunnelScreen #heading { text-style: bold; margin-bottom: 1; }
    FunnelScreen #counts { width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="body"):
            yield Static(_("Funnel"), id="heading")
            yield FunnelCounts(_("Loading…"), id="counts")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self, changes: Changes | None = None) -> None:
        self.load_counts()

    @read_worker("counts", exclusive=True)
    def load_counts(self) -> None:
        # The database is read in a worker thread so the screen never waits on it.
        rows = funnel_counts(self.app.config)
        statuses = status_counts(LeadQuery())  # the list's own count, unfiltered
        self.app.call_from_thread(self.query_one(FunnelCounts).show_counts, rows, statuses)
