"""The question before an erasure on request: what goes and what stays, and the lead's
name typed to confirm (rules.erasure). The name is user data, shown as text."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.rules.erasure import confirms
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS
from funnel_tui.tui.widgets.text_input import TextInput


class EraseDialog(ModalScreen[str | None]):
    """Dismissed with the name as typed once it is the lead's; None on esc."""

    TITLE = N_("Erase on request")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="EraseDialog") + "EraseDialog #typed-label { margin-top: 1; }"
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="erase.cancel"),
    ]

    def __init__(self, lead_id: int, name: str, open_deals: int) -> None:
        super().__init__()
        self.lead_id, self.name_shown, self.open_deals = lead_id, name, open_deals

    def compose(self) -> ComposeResult:
        head = _("Erase the personal data of lead #{id} {name} for good?")
        with Vertical():
            yield Label(Text(head.format(id=self.lead_id, name=self.name_shown)), classes="title")
            body = _(
                "Its name, phone, email, notes and the text of its activities and history "
                "go. The record stays, anonymous, so counts, deals and reports add up. "
                "This cannot be undone."
            )
            if self.open_deals:
                body += " " + ngettext(
                    "Its open deal stays, without the person's data.",
                    "Its {count} open deals stay, without the person's data.",
                    self.open_deals,
                ).format(count=self.open_deals)
            yield Static(Text(body))
            yield Label(Text(_("Type the name to confirm:")), id="typed-label")
            yield TextInput(compact=True, id="typed")
            yield Static(Text(""), classes="error", id="erase-error")
            yield Static(Text(_("enter erase  ·  esc cancel")), classes="keys")

    def on_input_submitted(self, event: TextInput.Submitted) -> None:
        event.stop()
        if confirms(self.name_shown, event.value):
            self.dismiss(event.value)
            return
        said = _("that is not the lead's name; type {name!r} exactly").format(name=self.name_shown)
        self.query_one("#erase-error", Static).update(Text(said))

    def action_cancel(self) -> None:
        self.dismiss(None)
