"""Ask for one date (a nurture date, …) in the quick forms every date field takes
(dates.parse_date), the date read back in words while it is typed. A date that cannot
be read, or is too early, is refused in place with the field's name; the text stays."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from funnel_tui.core.dates import describe_due, parse_date, quick_forms
from funnel_tui.core.errors import DueDateError
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language, pgettext
from funnel_tui.core.labels import field_label
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS
from funnel_tui.tui.widgets.text_input import TextInput


class DateDialog(ModalScreen[dt.date | None]):
    TITLE = N_("Date")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="DateDialog")
        + """
    DateDialog #date-read { height: auto; max-height: 3; }
    """
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="date.cancel"),
    ]

    def __init__(
        self,
        title: str,
        today: dt.date,
        order: str,
        field: str = "date",
        earliest: dt.date | None = None,
    ):
        """`field` names the date in messages ("until: …"); `earliest` refuses dates
        before it."""
        super().__init__()
        self.title_text, self.today, self.order = title, today, order
        self.field, self.earliest = field, earliest

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="title")
            yield TextInput(placeholder=quick_forms(self.order), compact=True, id="date")
            yield Static("", id="date-read")
            yield Static(Text(_("enter accept  ·  esc cancel")), classes="keys")

    def _field_name(self) -> str:
        """The field as messages name it: its key in English (`until: …`)."""
        if current_language() == ENGLISH:
            return self.field
        return pgettext("field", "date") if self.field == "date" else field_label(self.field)

    def _read(self, text: str) -> tuple[dt.date | None, Text]:
        """The date typed, or None, with what the line under the field says."""
        if not text.strip():
            return None, Text("")
        try:
            day = parse_date(text, self.today, self.order)
        except DueDateError as exc:
            return None, Text(
                _("✘ {field}: {reason}").format(field=self._field_name(), reason=exc), style="red"
            )
        if self.earliest and day < self.earliest:
            said = describe_due(day, self.today)
            return None, Text(
                _("✘ {field}: {day} is in the past").format(field=self._field_name(), day=said),
                style="red",
            )
        return day, Text(f"→ {describe_due(day, self.today)}", style="green")

    @on(Input.Changed, "#date")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#date-read", Static).update(self._read(event.value)[1])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        day, said = self._read(event.value)
        if day is None and not event.value.strip():
            said = Text(
                _("✘ {field}: a date is needed, e.g. {forms}").format(
                    field=self._field_name(), forms=quick_forms(self.order)
                )
            )
            said.stylize("red")
        self.query_one("#date-read", Static).update(said)
        if day is not None:
            self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
