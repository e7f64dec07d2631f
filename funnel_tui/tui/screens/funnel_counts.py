"""How many records stand at each step of the funnel, counted by the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from funnel_tui.core.i18n import N_
from funnel_tui.read.queries import LeadQuery, StageCount, funnel_counts, status_counts
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


BAR_WIDTH = 30
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
        for row in rows:
            if group is not None and row.group != group:
                text.append("\n")
            group = row.group
            # Any count above zero shows at least one block: "few" must not read as "none".
            filled = max(1, round(BAR_WIDTH * row.count / biggest)) if row.count else 0
            text.append(f"{row.label:<24}", style="bold")
            text.append(f"{row.count:>9,}  ")
            text.append("█" * filled, style=GROUP_STYLES[row.group])
            text.append("·" * (BAR_WIDTH - filled), style="dim")
            text.append("\n")
        if statuses is not None:
            text.append_text(_status_note(statuses))
        self.update(text)


def _status_note(statuses: dict[str, int]) -> Text:
    by_status = " · ".join(f"{status} {count:,}" for status, count in statuses.items())
    note = Text("\nLeads · … count records not yet promoted; the lead list counts", "dim")
    note.append(f"\nstatuses at every step: {by_status}", "dim")
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
            yield Static("Funnel", id="heading")
            yield FunnelCounts("Loading…", id="counts")
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
