"""A save refused because someone else changed the same fields meanwhile: each clashing
field shows their value (who, when) and the user's own, and the user keeps one or the
other field by field, then saves again. Nothing typed is lost on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from funnel_tui.core.i18n import N_, _
from funnel_tui.core.output import plain
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS

MINE, THEIRS = "mine", "theirs"
CLASH_LINES = 4  # a field's label, theirs, mine, and the blank line before the next


@dataclass(frozen=True)
class Clash:
    """One field both users changed: the label, what is stored now (theirs), who stored
    it and when (in the user's time), and what this user typed (mine)."""

    field: str
    label: str
    theirs: str
    by: str
    at: dt.datetime | None
    mine: str


class ConflictDialog(ModalScreen[dict[str, str] | None]):
    """Returns {field: "mine" | "theirs"} to save with, or None to go back to the form
    (the edits stay there)."""

    TITLE = N_("Changed meanwhile")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ConflictDialog")
        + """
    ConflictDialog > Vertical { width: 76; border: round $error; }
    ConflictDialog #rows-box { height: auto; max-height: 70vh; }
    """
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("down,j,tab", "move(1)", "Next field", id="conflict.next", show=False),
        Binding("up,k,shift+tab", "move(-1)", "Previous field", id="conflict.prev", show=False),
        Binding("pagedown", "page(1)", "Page down", id="conflict.pagedown", show=False),
        Binding("pageup", "page(-1)", "Page up", id="conflict.pageup", show=False),
        Binding("home", "jump(0)", "First field", id="conflict.first", show=False),
        Binding("end", "jump(-1)", "Last field", id="conflict.last", show=False),
        Binding("m", "keep('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "keep('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("M", "keep_all('mine')", "All mine", id="conflict.all_mine"),
        Binding("T", "keep_all('theirs')", "All theirs", id="conflict.all_theirs"),
        Binding("enter,ctrl+s", "apply", "Save with these", id="conflict.apply"),
        Binding("escape", "dismiss(None)", "Back to my edits", id="conflict.back"),
    ]

    def __init__(self, record: str, clashes: list[Clash]) -> None:
        super().__init__()
        self.record = record
        self.clashes = clashes
        # Theirs by default: saving over a colleague's work takes a deliberate key.
        self.choice = {c.field: THEIRS for c in clashes}
        self.cursor = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Text(
                    _("✘ {record} was changed while you edited it").format(record=self.record),
                    style="bold",
                ),
                classes="title",
            )
            with VerticalScroll(id="rows-box", can_focus=False):
                yield Static(id="rows")
            yield Static(
                Text(
                    _(
                        "↑↓ field · m keep mine · t take theirs · M / T all · "
                        "enter save with these · esc back to my edits"
                    )
                ),
                classes="keys",
            )

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        text = Text()
        for index, clash in enumerate(self.clashes):
            here = index == self.cursor
            text.append("\n" if index else "")
            text.append("▶ " if here else "  ", style="bold")
            text.append(f"{clash.label}\n", style="bold reverse" if here else "bold")
            by = clash.by
            if clash.at:
                by = _("{user} at {time}").format(user=clash.by, time=f"{clash.at:%H:%M}")
            for side, value, who in ((THEIRS, clash.theirs, by), (MINE, clash.mine, _("you"))):
                chosen = self.choice[clash.field] == side
                text.append("    ● " if chosen else "    ○ ", style="bold green" if chosen else "")
                text.append(_("{who}: ").format(who=who), style="bold" if chosen else "dim")
                text.append(plain(value) or _("(empty)"), style="" if chosen else "dim")
                text.append("\n")
        text.rstrip()
        self.query_one("#rows", Static).update(text)
        self.call_after_refresh(self._cursor_in_view)

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.clashes)
        self._draw()

    def action_page(self, direction: int) -> None:
        fits = max(1, self.query_one("#rows-box").size.height // CLASH_LINES)
        self._go(self.cursor + direction * fits)

    def action_jump(self, where: int) -> None:
        self._go(0 if where == 0 else len(self.clashes) - 1)

    def _go(self, index: int) -> None:
        self.cursor = max(0, min(len(self.clashes) - 1, index))
        self._draw()

    def _cursor_in_view(self) -> None:
        """Many fields changed (more than fit at 80×24): the one under the cursor, its
        label and both values, stays in view."""
        region = Region(0, self.cursor * CLASH_LINES, 1, CLASH_LINES - 1)
        self.query_one("#rows-box").scroll_to_region(region, animate=False, immediate=True)

    def action_keep(self, side: str) -> None:
        self.choice[self.clashes[self.cursor].field] = side
        if self.cursor < len(self.clashes) - 1:
            self.cursor += 1
        self._draw()

    def action_keep_all(self, side: str) -> None:
        self.choice = dict.fromkeys(self.choice, side)
        self._draw()

    def action_apply(self) -> None:
        self.dismiss(dict(self.choice))
