"""The question before the terminal UI opens on a path where no database is: make a new,
empty one there, or leave with nothing created.

A small app of its own, run before funnel's (which needs its database open to start):
`y` makes the database, `n`, esc or ctrl+q leave. The path is shown as typed text, never
markup, and whether its folder is there: a mistyped folder is the likeliest slip.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.binding import Binding

from funnel_tui.core.i18n import _
from funnel_tui.core.output import terminal_safe
from funnel_tui.tui.dialogs.dialogs import ConfirmDialog
from funnel_tui.tui.no_color import safe_filters


class NewDatabaseQuestion(App[bool]):
    """Returns True (run's result) for a yes; False or None otherwise."""

    TITLE = "funnel"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+q", "answer(False)", "Quit", id="new_database.quit", priority=True),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._filters = safe_filters(self._filters)
        self.path = path

    def on_mount(self) -> None:
        self.push_screen(
            ConfirmDialog(
                _("No database here"),
                self.question(),
                yes=_("create it"),
                no=_("leave; nothing is created"),
            ),
            self.exit,
        )

    def question(self) -> Text:
        folder = self.path.parent
        if folder.is_dir():
            said = _(
                "There is no database at\n{path}\n(its folder is there, the file is not).\n\n"
                "Create a new, empty database there? If you meant your team's database, "
                "leave and check the path: `funnel where` shows the one in use."
            )
        else:
            said = _(
                "There is no database at\n{path}\nnor is its folder {folder} there.\n\n"
                "Create a new, empty database there, with its folder? If you meant your "
                "team's database, leave and check the path: `funnel where` shows the one "
                "in use."
            )
        # A path is text the user typed: its control characters shown, never acted on.
        shown = said.format(path=terminal_safe(str(self.path)), folder=terminal_safe(str(folder)))
        return Text(shown)

    def action_answer(self, value: bool) -> None:
        self.exit(value)
