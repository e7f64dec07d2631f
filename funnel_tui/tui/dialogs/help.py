"""`?` / F1: the keys of the screen underneath, from its binding declarations."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from funnel_tui.core.i18n import _
from funnel_tui.tui.widgets.keymap import screen_actions
from funnel_tui.tui.widgets.scroll_keys import KeyedScroll


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > KeyedScroll {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        text = Text()
        title = _(getattr(self.under, "TITLE", None) or type(self.under).__name__)
        text.append(_("Keys — {screen}").format(screen=title) + "\n", style="bold")
        group = None
        for action in screen_actions(self.under):
            if action.group != group:
                group = action.group
                text.append(f"\n{group}\n", style="bold underline")
            text.append(f"  {action.keys:<22}", style="bold")
            text.append(f"{action.description}\n")
        text.append(
            "\n" + _("ctrl+p opens the command palette: every screen and action by name."),
            style="dim",
        )
        with KeyedScroll():
            yield Static(text)

    def on_mount(self) -> None:
        self.call_after_refresh(self._name_keys)

    def _name_keys(self) -> None:
        """A help longer than the screen says on its frame how to read the rest (F1 here
        closes it, so the frame is where its own keys are named)."""
        scroll = self.query_one(KeyedScroll)
        if scroll.max_scroll_y > 0:
            scroll.border_subtitle = _("↓ ↑ PgDn PgUp Home End scroll · esc closes")
        else:
            scroll.border_subtitle = _("esc closes")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
