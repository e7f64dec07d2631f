"""Choose the lead list's order from all its sort keys at once (o), instead of stepping
through ten of them one key press at a time. A letter moves to the next key starting
with it; enter chooses; choosing the order in force again reverses it."""

from __future__ import annotations

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


class SortDialog(ModalScreen[str | None]):
    TITLE = N_("Sort")
    DEFAULT_CSS = DIALOG_CSS.format(name="SortDialog")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="sort.cancel"),
    ]

    def __init__(
        self,
        titles: dict[str, str],
        current: str,
        descending: bool,
        heading: str = "",
    ):
        """`titles`: sort key → what the list calls it; `current`: the key in force."""
        super().__init__()
        self.titles, self.current, self.descending = titles, current, descending
        self.heading = heading or _("Sort the leads by")

    def compose(self) -> ComposeResult:
        arrow = "▼" if self.descending else "▲"
        options = []
        for key, title in self.titles.items():
            label = Text(title)
            if key == self.current:
                label.append(
                    "  " + _("{arrow} now (enter reverses)").format(arrow=arrow), style="dim"
                )
            options.append(Option(label, id=key))
        with Vertical():
            yield Label(Text(self.heading), classes="title")
            yield KeyedOptions(*options, id="sorts")
            yield Static(Text(_("letter jumps  ·  enter choose  ·  esc cancel")), classes="keys")

    def on_mount(self) -> None:
        sorts = self.query_one(OptionList)
        keys = list(self.titles)
        sorts.highlighted = keys.index(self.current) if self.current in keys else 0

    def on_key(self, event: events.Key) -> None:
        letter = (event.character or "").casefold()
        if len(letter) != 1 or not letter.isalpha():
            return
        event.stop()
        sorts, keys = self.query_one(OptionList), list(self.titles)
        start = (sorts.highlighted or 0) + 1
        for step in range(len(keys)):
            index = (start + step) % len(keys)
            if self.titles[keys[index]].casefold().startswith(letter):
                sorts.highlighted = index
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
