"""The form that turns a prospect into an opportunity: amount, currency, expected close
date and first stage, with the config's defaults. The amount is read back as it is typed,
in the rep's own number format (`= EUR 1.250,50`), or why it would be refused. It only
collects the values; the
checklist screen hands them to the rules layer, and shows the form again, as typed and
with the reasons, when they are refused."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from funnel_tui.core.dates import describe_due, parse_date, quick_forms
from funnel_tui.core.errors import DueDateError
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.labels import shown_name
from funnel_tui.tui.dialogs.dialogs import DIALOG_CSS, label_width
from funnel_tui.tui.form_draft import KeepsDraft
from funnel_tui.tui.widgets.amount_readback import AmountReadBack, warm_then
from funnel_tui.tui.widgets.text_input import TextInput

CLOSE_IN_DAYS = 30  # the expected close date offered by default
FIELDS = (("amount", N_("Amount")), ("currency", N_("Currency")), ("close", N_("Close by")))
LABEL_WIDTH = 10  # the labels' column in English; wider where a language needs it


class ConvertDialog(KeepsDraft, ModalScreen[dict[str, str] | None]):
    """With `draft` (a drafts.form_key), what is typed is kept on disk and taken back
    when the form is opened there again; the checklist drops it once the deal exists,
    esc drops it."""

    TITLE = N_("Convert to opportunity")
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ConvertDialog")
        + """
    ConvertDialog .row { height: 1; }
    ConvertDialog .label { width: 10; text-style: bold; }
    ConvertDialog .row Input, ConvertDialog .row Select { width: 1fr; }
    ConvertDialog .error { padding-left: 10; height: auto; }
    ConvertDialog #close-read { padding-left: 10; height: 1; }
    """
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "submit", "Create", id="convert.create", priority=True),
        Binding("escape", "cancel", "Cancel", id="convert.cancel"),
    ]

    def __init__(
        self,
        lead_name: str,
        stages: tuple[str, ...],
        values: dict[str, str],
        errors: dict[str, str] | None = None,
        draft: str | None = None,
    ):
        super().__init__()
        self.lead_name, self.stages = lead_name, stages
        self.values, self.errors = values, errors or {}
        self.draft = draft

    @staticmethod
    def defaults(currency: str, stage: str, today: dt.date) -> dict[str, str]:
        close = today + dt.timedelta(days=CLOSE_IN_DAYS)
        return {"amount": "", "currency": currency, "close": close.isoformat(), "stage": stage}

    def compose(self) -> ComposeResult:
        with Vertical():
            # The lead's name is data: a Text, never markup.
            title = _("New opportunity for {name}").format(name=self.lead_name)
            yield Label(Text(title), classes="title")
            for name, label in FIELDS:
                with Horizontal(classes="row"):
                    yield Label(Text(_(label)), classes="label")
                    yield TextInput(value=self.values.get(name, ""), id=f"c-{name}")
                yield Static(Text(self.errors.get(name, "")), classes="error", id=f"e-{name}")
                if name == "amount":
                    yield AmountReadBack(id="r-amount")
                if name == "close":
                    yield Static("", id="close-read")
            with Horizontal(classes="row"):
                yield Label(Text(_("Stage")), classes="label")
                options = [(Text(shown_name(s)), s) for s in self.stages]
                stage = self.values.get("stage")
                yield Select(
                    options,
                    value=stage if stage in self.stages else self.stages[0],
                    allow_blank=False,
                    compact=True,
                    id="c-stage",
                )
            yield Static(Text(self.errors.get("stage", "")), classes="error", id="e-stage")
            other = self.errors.get("", "")
            yield Static(Text(other), classes="error", id="e-other")
            yield Static(Text(_("tab moves  ·  ctrl+s create  ·  esc cancel")), classes="keys")

    def on_mount(self) -> None:
        self._fit_labels()
        if not self.errors:  # a form shown again after a refusal holds what was typed
            self.take_draft()
        warm_then(self, self._read_back)
        for name in (*(n for n, _label in FIELDS), "stage"):
            self.query_one(f"#e-{name}").display = bool(self.errors.get(name))
        self.query_one("#e-other").display = bool(self.errors.get(""))
        self.query_one("#c-close", Input).placeholder = quick_forms(self.app.config.date_order)
        self._read_close()
        first = next((n for n, _label in FIELDS if n in self.errors), "amount")
        self.query_one(f"#c-{first}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "c-close":
            self.action_submit()
        else:
            self.focus_next()

    def _typed_values(self) -> dict[str, str]:
        values = {name: self.query_one(f"#c-{name}", Input).value for name, _label in FIELDS}
        values["stage"] = str(self.query_one("#c-stage", Select).value)
        return values

    def action_submit(self) -> None:
        self.keep_draft()  # until the deal exists
        self.dismiss(self._typed_values())

    def action_cancel(self) -> None:
        self.drop_draft()
        self.dismiss(None)

    # ------------------------------------------------------------------ the draft

    def draft_key(self) -> str | None:
        return self.draft

    def draft_label(self) -> str:
        return _("a new opportunity for {name}").format(name=self.lead_name)

    def draft_values(self) -> dict[str, str]:
        return self._typed_values()

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        return any(values[name] != self.values.get(name, "") for name in values)

    def apply_draft(self, values: dict[str, str]) -> None:
        for name, _label in FIELDS:
            if name in values:
                self.query_one(f"#c-{name}", Input).value = values[name]
        if values.get("stage") in self.stages:
            self.query_one("#c-stage", Select).value = values["stage"]

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("c-amount", "c-currency"):
            self._read_back()
        self.draft_typed()
        if event.input.id == "c-close":
            self._read_close()

    def _read_close(self) -> None:
        """The close date typed, read back under it (the checklist reads it alike)."""
        text, today = self.query_one("#c-close", Input).value, self.app.today()
        read = Text("")
        if text.strip():
            try:
                day = parse_date(text, today, self.app.config.date_order)
            except DueDateError as exc:
                read = Text(_("✘ close: {reason}").format(reason=exc), style="red")
            else:
                read = Text(f"→ {describe_due(day, today)}", style="green")
        self.query_one("#close-read", Static).update(read)

    def _fit_labels(self) -> None:
        """The labels' column as wide as this language's longest label, and what stands
        under a field in line with it."""
        width = label_width([_(label) for _name, label in FIELDS] + [_("Stage")], LABEL_WIDTH)
        if width == LABEL_WIDTH:
            return
        for label in self.query(".label"):
            label.styles.width = width
        for line in (
            *self.query(".error"),
            self.query_one("#close-read"),
            self.query_one("#r-amount"),
        ):
            line.styles.padding = (0, 0, 0, width)

    def _read_back(self) -> None:
        self.query_one("#r-amount", AmountReadBack).show(
            self.query_one("#c-amount", Input).value,
            self.query_one("#c-currency", Input).value,
            self.app.rules.locale,
            self.app.config.max_amount,
        )

    def on_select_changed(self) -> None:
        self.draft_typed()
