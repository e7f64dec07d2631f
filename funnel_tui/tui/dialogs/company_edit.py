"""The form that edits a company's fields: name, industry, employees, country, website. It
only collects what was typed, with the values and the version it was opened on; the
company's screen saves the fields that differ from those (screens/company.py), so that a
colleague's change to another field is kept. Shown again after a refusal with what was
typed and each field's reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from funnel_tui.core.i18n import N_, _
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS, label_width, record_field_labels
from funnel_tui.tui.widgets.text_input import TextInput

FIELDS = (
    ("name", N_("Name")),
    ("industry", N_("Industry")),
    ("employees", N_("Employees")),
    ("country", N_("Country")),
    ("website", N_("Website")),
)
LABEL_WIDTH = 11  # the labels' column in English; wider where a language needs it


def field_labels() -> dict[str, str]:
    """Each field's label in the rep's language (record_field_labels)."""
    return record_field_labels(FIELDS)


class CompanyEditDialog(ModalScreen[dict | None]):
    """Returns {"typed": {field: text}, "base": {field: text}, "version": n} on ctrl+s,
    None on esc."""

    TITLE = N_("Edit company")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="CompanyEditDialog")
        + """
    CompanyEditDialog .row { height: 1; }
    CompanyEditDialog .label { width: 11; text-style: bold; }
    CompanyEditDialog .row Input { width: 1fr; }
    CompanyEditDialog .error { padding-left: 11; height: auto; }
    """
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "submit", "Save", id="company_edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="company_edit.cancel"),
    ]

    def __init__(
        self,
        title: str,
        base: dict[str, str],
        version: int,
        typed: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ):
        super().__init__()
        self.title_text, self.base, self.version = title, dict(base), version
        self.typed = dict(typed or base)
        self.errors = errors or {}

    def compose(self) -> ComposeResult:
        with Vertical():
            # The company's name is data: a Text, never markup.
            yield Label(Text(_("Edit {what}").format(what=self.title_text)), classes="title")
            labels = field_labels()
            for name in labels:
                with Horizontal(classes="row"):
                    yield Label(Text(labels[name]), classes="label")
                    yield TextInput(value=self.typed.get(name, ""), id=f"c-{name}")
                yield Static(Text(self.errors.get(name, "")), classes="error", id=f"e-{name}")
            yield Static(Text(self.errors.get("", "")), classes="error", id="e-other")
            yield Static(Text(_("tab moves  ·  ctrl+s save  ·  esc cancel")), classes="keys")

    def on_mount(self) -> None:
        width = label_width(list(field_labels().values()), LABEL_WIDTH)
        if width != LABEL_WIDTH:  # a language whose labels need a wider column
            for label in self.query(".label"):
                label.styles.width = width
            for line in self.query(".error"):
                line.styles.padding = (0, 0, 0, width)
        for name, _label in FIELDS:
            self.query_one(f"#e-{name}").display = bool(self.errors.get(name))
        self.query_one("#e-other").display = bool(self.errors.get(""))
        first = next((n for n, _label in FIELDS if n in self.errors), "industry")
        self.query_one(f"#c-{first}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "c-website":
            self.action_submit()
        else:
            self.focus_next()

    def typed_values(self) -> dict[str, str]:
        return {name: self.query_one(f"#c-{name}", Input).value for name, _label in FIELDS}

    def action_submit(self) -> None:
        self.dismiss({"typed": self.typed_values(), "base": self.base, "version": self.version})

    def action_cancel(self) -> None:
        self.dismiss(None)
