"""ctrl+c on a lead's record: its phone in E.164 (+48512345678, what any phone or
softphone dials), or its email when the email field has the cursor or there is no phone,
put on the clipboard with OSC 52 (Textual's copy_to_clipboard), and said in the
record's message line. Text selected in a field is copied as a field copies it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Input

from funnel_tui.core.i18n import _

COPY_KEY = "ctrl+c"


def copy_binding(screen: str) -> Binding:
    """The copy key on `screen` (its id `screen.copy`, for [keys]); before a field's own
    ctrl+c, which it does as the field would when text is selected."""
    key = screen + ".copy"  # built apart: an f-string in the call stops extraction
    return Binding(COPY_KEY, "copy_contact", "Copy phone/email", id=key, priority=True, show=False)


class CopiesContact:
    """For a screen showing one lead: `contact()` gives (E.164 phone, email) as stored,
    `say(text)` shows the outcome."""

    def contact(self) -> tuple[str, str]:
        raise NotImplementedError

    def say(self, text: Text) -> None:
        raise NotImplementedError

    def action_copy_contact(self: Any) -> None:
        focused = self.app.focused
        if isinstance(focused, Input) and focused.selected_text:
            self.app.copy_to_clipboard(focused.selected_text)
            return
        phone, email = self.contact()
        on_email = isinstance(focused, Input) and (focused.id or "").endswith("email")
        if email and (on_email or not phone):
            value, said = email, _("Copied the email {value} to the clipboard.")
        elif phone:
            value, said = phone, _("Copied the phone {value} to the clipboard.")
        else:
            self.say(Text(_("Nothing to copy: no phone or email is stored yet."), style="yellow"))
            return
        self.app.copy_to_clipboard(value)
        self.say(Text(said.format(value=value), style="green"))
