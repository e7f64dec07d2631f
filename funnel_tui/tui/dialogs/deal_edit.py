"""The form that edits a deal after conversion: name, amount, currency, expected close and
notes. The amount and the date are read back as they are typed (`= EUR 1.250,50`, `=
Fri 18 Dec 2026, in 2 weeks`). It only collects what was typed, with the values and the
version it was opened on; the deal's screen saves the fields that differ from those,
so that a colleague's change to another field is kept (screens/opportunity.py).

What is typed is kept as a draft (form_draft.py) with the values and version it stands
on: restored after a dropped session, a field changed meanwhile is asked about, never
overwritten unseen."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from funnel_tui.core.dates import describe_due
from funnel_tui.core.i18n import N_, _
from funnel_tui.rules.deal_edits import read_close
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS, label_width, record_field_labels
from funnel_tui.tui.form_draft import KeepsDraft
from funnel_tui.tui.widgets.amount_readback import AmountReadBack, warm_then
from funnel_tui.tui.widgets.text_input import TextInput

FIELDS = (
    ("name", N_("Name")),
    ("amount", N_("Amount")),
    ("currency", N_("Currency")),
    ("close", N_("Close by")),
    ("notes", N_("Notes")),
)
LABEL_WIDTH = 10  # the labels' column in English; wider where a language needs it


def field_labels() -> dict[str, str]:
    """Each field's label in the rep's language (record_field_labels)."""
    return record_field_labels(FIELDS)


class DealEditDialog(KeepsDraft, ModalScreen[dict | None]):
    """Returns {"typed": {field: text}, "base": {field: text}, "version": n} on ctrl+s,
    None on esc (which drops the draft)."""

    TITLE = N_("Edit deal")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="DealEditDialog")
        + """
    DealEditDialog .row { height: 1; }
    DealEditDialog .label { width: 10; text-style: bold; }
    DealEditDialog .row Input { width: 1fr; }
    DealEditDialog .error { padding-left: 10; height: auto; }
    DealEditDialog .readback { padding-left: 10; height: 1; color: $text-muted; }
    """
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "submit", "Save", id="deal_edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="deal_edit.cancel"),
    ]

    def __init__(
        self,
        title: str,
        base: dict[str, str],
        version: int,
        typed: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        draft: str | None = None,
        today: dt.date | None = None,
    ):
        super().__init__()
        self.title_text, self.base, self.version = title, dict(base), version
        self.typed = dict(typed or base)
        self.errors = errors or {}
        self.draft = draft
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical():
            # The deal's title is data: a Text, never markup.
            yield Label(Text(_("Edit {what}").format(what=self.title_text)), classes="title")
            labels = field_labels()
            for name in labels:
                with Horizontal(classes="row"):
                    yield Label(Text(labels[name]), classes="label")
                    yield TextInput(value=self.typed.get(name, ""), id=f"d-{name}")
                yield Static(Text(self.errors.get(name, "")), classes="error", id=f"e-{name}")
                if name == "amount":
                    yield AmountReadBack(id="r-amount")
                if name == "close":
                    yield Static("", classes="readback", id="r-close")
            yield Static(Text(self.errors.get("", "")), classes="error", id="e-other")
            yield Static(Text(_("tab moves  ·  ctrl+s save  ·  esc cancel")), classes="keys")

    def on_mount(self) -> None:
        self._fit_labels()
        if not self.errors:  # shown again after a refusal: it holds what was typed
            self.take_draft()
        for name, _label in FIELDS:
            self.query_one(f"#e-{name}").display = bool(self.errors.get(name))
        self.query_one("#e-other").display = bool(self.errors.get(""))
        self._read_close()
        warm_then(self, self._read_amount)
        first = next((n for n, _label in FIELDS if n in self.errors), "amount")
        self.query_one(f"#d-{first}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "d-notes":
            self.action_submit()
        else:
            self.focus_next()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("d-amount", "d-currency"):
            self._read_amount()
        elif event.input.id == "d-close":
            self._read_close()
        self.draft_typed()

    def _fit_labels(self) -> None:
        """The labels' column as wide as this language's longest label, and what stands
        under a field in line with it."""
        width = label_width(list(field_labels().values()), LABEL_WIDTH)
        if width == LABEL_WIDTH:
            return
        for label in self.query(".label"):
            label.styles.width = width
        for line in (*self.query(".error"), *self.query(".readback"), self.query_one("#r-amount")):
            line.styles.padding = (0, 0, 0, width)

    def _read_amount(self) -> None:
        self.query_one("#r-amount", AmountReadBack).show(
            self._value("amount"),
            self._value("currency"),
            self.app.rules.locale,
            self.app.config.max_amount,
        )

    def _read_close(self) -> None:
        today = self.today or self.app.today()
        line = self.query_one("#r-close", Static)
        try:
            close = read_close(self._value("close"), today, self.app.config.date_order)
        except ValueError as exc:
            line.update(Text(f"✘ {exc}", style="yellow"))
            return
        if close is None:
            line.update(Text(_("no date: +2w, fri, 12/01 or 2026-12-01 set one")))
        else:
            line.update(Text.assemble("= ", (describe_due(close, today), "bold")))

    def _value(self, name: str) -> str:
        return self.query_one(f"#d-{name}", Input).value

    def _typed_values(self) -> dict[str, str]:
        return {name: self._value(name) for name, _label in FIELDS}

    def action_submit(self) -> None:
        self.keep_draft()  # until the deal is saved
        self.dismiss({"typed": self._typed_values(), "base": self.base, "version": self.version})

    def action_cancel(self) -> None:
        self.drop_draft()
        self.dismiss(None)

    # ------------------------------------------------------------------ the draft

    def draft_key(self) -> str | None:
        return self.draft

    def draft_label(self) -> str:
        return _("edits to the deal {name}").format(name=self.base.get("name", ""))

    def draft_values(self) -> dict[str, str]:
        values = {}
        for name, typed in self._typed_values().items():
            if typed != self.base.get(name, ""):
                values[f"typed:{name}"] = typed
                values[f"from:{name}"] = self.base.get(name, "")
        if values:
            values["version"] = str(self.version)
        return values

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        return any(key.startswith("typed:") for key in values)

    def apply_draft(self, values: dict[str, str]) -> None:
        """The edits as typed, standing on the values and version they were typed on:
        saving them then merges with what changed since, or asks."""
        for key, typed in values.items():
            name = key.removeprefix("typed:")
            if key.startswith("typed:") and name in self.base:
                self.query_one(f"#d-{name}", Input).value = typed
                self.base[name] = values.get(f"from:{name}", self.base[name])
        if values.get("version", "").isdigit():
            self.version = int(values["version"])
