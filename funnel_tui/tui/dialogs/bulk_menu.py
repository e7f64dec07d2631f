"""What to do with the marked leads (the lead list's `b`): set a status, log an activity,
export, assign, merge. A letter picks its entry at once; an entry that cannot run says
why beside it (merge needs exactly two leads; assign needs the hand-over)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.i18n import N_, _
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS
from funnel_tui.tui.widgets.scroll_keys import KeyedOptions


@dataclass(frozen=True)
class BulkEntry:
    key: str  # the letter that picks it, also its id
    title: str
    why_not: str = ""  # set: shown dimmed beside the title, and not picked


class BulkMenu(ModalScreen[str | None]):
    TITLE = N_("Act on leads")
    DEFAULT_CSS = DIALOG_CSS.format(name="BulkMenu")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
    ]

    def __init__(self, heading: str, entries: list[BulkEntry]):
        """`heading`: what the actions apply to ("3 marked leads")."""
        super().__init__()
        self.heading, self.entries = heading, entries

    def compose(self) -> ComposeResult:
        options = []
        for entry in self.entries:
            label = Text.assemble((f"{entry.key}  ", "bold"), entry.title)
            if entry.why_not:
                label.append(f"  ({entry.why_not})", style="dim")
            options.append(Option(label, id=entry.key, disabled=bool(entry.why_not)))
        with Vertical():
            yield Label(Text(_("Act on {what}").format(what=self.heading)), classes="title")
            yield KeyedOptions(*options, id="actions")
            yield Static(Text(_("letter or enter choose  ·  esc cancel")), classes="keys")

    def on_key(self, event: events.Key) -> None:
        letter = (event.character or "").casefold()
        entry = next((e for e in self.entries if e.key == letter), None)
        if entry is None:
            return
        event.stop()
        if not entry.why_not:
            self.dismiss(entry.key)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
