"""Small modal questions: yes/no, a duplicate warning, a choice from a list, a line.

Every text that comes from user data is put into `Text`, never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.i18n import N_, _, pgettext
from funnel_tui.core.labels import field_label
from funnel_tui.tui.form_draft import KeepsDraft
from funnel_tui.tui.widgets.scroll_keys import KeyedOptions
from funnel_tui.tui.widgets.text_input import TextInput

DIALOG_CSS = """
    {name} {{ align: center middle; }}
    {name} > Vertical {{
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: round $warning; background: $surface; padding: 0 1;
    }}
    {name} .title {{ text-style: bold; }}
    {name} .keys {{ color: $text-muted; margin-top: 1; }}
    {name} .error {{ color: $error; }}
"""


def record_field_labels(fields) -> dict[str, str]:
    """The labels of a company's or a deal's fields ((name, label) pairs) in the rep's
    language: their name is a thing's name (名稱, Nazwa), not a person's (姓名, imię i
    nazwisko) as on the capture form, hence its own context."""
    return {
        name: pgettext("record name", "Name") if name == "name" else _(label)
        for name, label in fields
    }


def label_width(labels: list[str], least: int) -> int:
    """Cells for a form's labels column: `least` (what English takes), or wider when a
    language's longest label needs it (a CJK character takes two cells)."""
    return max(least, max((cell_len(label) for label in labels), default=0) + 2)


class ConfirmDialog(ModalScreen[bool]):
    TITLE = N_("Question")
    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: Text | str, yes: str = "", no: str = ""):
        super().__init__()
        self.title_text, self.body = title, body
        self.yes, self.no = yes or _("Yes"), no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="title")
            yield Static(self.body if isinstance(self.body, Text) else Text(self.body))
            yield Static(
                Text(_("y {yes}   ·   n / esc {no}").format(yes=self.yes, no=self.no)),
                classes="keys",
            )

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def on_key(self, event) -> None:
        # The language's own letter for yes (j in German, t in Polish) answers as y does.
        yes = pgettext("confirm", "y").lower()
        if yes != "y" and (event.character or "").lower() == yes:
            event.stop()
            self.dismiss(True)


class DuplicateDialog(ModalScreen[str | None]):
    """The lead being captured looks like one already stored: open it, save anyway, or
    save it and merge it into the one stored (the merge choice picks what stays)."""

    TITLE = N_("Possible duplicate")
    DEFAULT_CSS = DIALOG_CSS.format(name="DuplicateDialog")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("o", "choose('open')", "Open the existing lead", id="duplicate.open"),
        Binding("s", "choose('save')", "Save anyway", id="duplicate.save"),
        Binding("m", "choose('merge')", "Save, then merge into it", id="duplicate.merge"),
        Binding("escape,b", "choose(None)", "Back to the form", id="duplicate.back"),
    ]

    def __init__(self, matches: list[tuple[int, str, str]]):
        super().__init__()
        self.matches = matches  # (lead id, name, why)

    def compose(self) -> ComposeResult:
        body = Text()
        for index, (lead_id, name, why) in enumerate(self.matches):
            body.append("\n" if index else "")
            body.append(f"#{lead_id} ", style="bold")
            body.append(name)
            body.append("  " + _("(same {what})").format(what=field_label(why)), style="dim")
        with Vertical():
            yield Label(Text(_("⚠ This lead may already be here")), classes="title")
            yield Static(body)
            yield Static(
                Text(_("o open it  ·  s save anyway  ·  m save and merge  ·  esc back")),
                classes="keys",
            )

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a configured list (a loss or disqualification reason)."""

    TITLE = N_("Choose")
    DEFAULT_CSS = DIALOG_CSS.format(name="ChoiceDialog")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
    ]

    def __init__(self, title: str, choices: tuple[str, ...]):
        super().__init__()
        self.title_text, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="title")
            yield KeyedOptions(*(Option(Text(c), id=str(i)) for i, c in enumerate(self.choices)))
            yield Static(Text(_("enter choose  ·  esc cancel")), classes="keys")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(KeepsDraft, ModalScreen[str | None]):
    """Ask for one line of text (an evidence note, a figure), starting from `initial`.
    With `draft` (a drafts.form_key), the text is kept on disk as it is typed and taken
    back when the dialog is opened there again; the caller drops it once the text is
    stored (its `drop_draft`), esc drops it."""

    TITLE = N_("Text")
    DEFAULT_CSS = DIALOG_CSS.format(name="TextDialog")
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="text.cancel"),
    ]

    def __init__(
        self,
        title: str,
        initial: str = "",
        placeholder: str = "",
        draft: str | None = None,
        label: str = "",
    ):
        super().__init__()
        self.title_text, self.initial, self.placeholder = title, initial, placeholder
        self.draft, self.label = draft, label

    def on_mount(self) -> None:
        self.take_draft()

    def draft_key(self) -> str | None:
        return self.draft

    def draft_label(self) -> str:
        return self.label or self.title_text

    def draft_values(self) -> dict[str, str]:
        return {"text": self.query_one("#text", TextInput).value}

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        return values["text"].strip() != self.initial.strip()

    def apply_draft(self, values: dict[str, str]) -> None:
        self.query_one("#text", TextInput).value = values.get("text", "")

    def on_input_changed(self) -> None:
        self.draft_typed()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="title")
            yield TextInput(
                value=self.initial, placeholder=self.placeholder, compact=True, id="text"
            )
            yield Static(Text(_("enter keep  ·  esc cancel")), classes="keys")

    def on_input_submitted(self, event: TextInput.Submitted) -> None:
        event.stop()
        self.keep_draft()  # until the caller has stored it
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.drop_draft()
        self.dismiss(None)
