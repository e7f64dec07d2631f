"""Log an activity on a lead or a deal: type, direction, outcome, a note and the next
action with its due date, the date read back in words while it is typed.

From the Today queue a call that reached someone is `l r ctrl+s`. What is typed is kept
on disk as a draft of the record (form_draft): esc, a dropped connection or a crash
leave it for when the form is opened on that record again; a refused save keeps the form
as it is and puts the cursor on the field to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from funnel_tui.core.errors import DueDateError, NoDueDate, Refused
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language, pgettext
from funnel_tui.core.labels import field_label
from funnel_tui.core.output import plain
from funnel_tui.core.times import (
    When,
    describe_when,
    due_text,
    parse_when,
    split_when,
    when_forms,
)
from funnel_tui.core.vocab import ACTIVITY_KINDS, OUTCOMES
from funnel_tui.live.drafts import form_key
from funnel_tui.tui.form_draft import KeepsDraft
from funnel_tui.tui.screens.current_row import MarksCurrentRow
from funnel_tui.tui.widgets.choice_row import ChoiceRow, hotkeys
from funnel_tui.tui.widgets.text_input import TextInput
from funnel_tui.tui.workers import run_write, write_worker

# The kinds as the form's choice row names them in English (their keys come from these).
KIND_LABELS = {
    "call": "call",
    "email": "email",
    "meeting": "meeting",
    "sms": "SMS",
    "social": "social",
    "in_person": "in person",
    "note": "note",
}
FIELD_OF = {"due": "due", "next_action": "next", "note": "note", "outcome": "outcome"}


def _kind_words() -> dict[str, str]:
    # Short forms of their own (not the history's words): seven fit one 80-column row.
    return {
        "call": pgettext("log kind", "call"),
        "email": pgettext("log kind", "email"),
        "meeting": pgettext("log kind", "meeting"),
        "sms": pgettext("log kind", "SMS"),
        "social": pgettext("log kind", "social"),
        "in_person": pgettext("log kind", "in person"),
        "note": pgettext("log kind", "note"),
    }


def _outcome_words() -> dict[str, str]:
    return {
        "reached": pgettext("log outcome", "reached"),
        "no_answer": pgettext("log outcome", "no answer"),
        "left_voicemail": pgettext("log outcome", "left voicemail"),
        "busy": pgettext("log outcome", "busy"),
        "wrong_number": pgettext("log outcome", "wrong number"),
        "sent": pgettext("log outcome", "sent"),
        "replied": pgettext("log outcome", "replied"),
        "bounced": pgettext("log outcome", "bounced"),
        "held": pgettext("log outcome", "held"),
        "no_show": pgettext("log outcome", "no show"),
        "rescheduled": pgettext("log outcome", "rescheduled"),
        "connected": pgettext("log outcome", "connected"),
        "met": pgettext("log outcome", "met"),
    }


def kind_label(kind: str) -> str:
    """An activity's kind as the form and its outcome line name it: `call`, `SMS`."""
    return _kind_words().get(kind) or kind.replace("_", " ")


def outcome_label(outcome: str) -> str:
    """An outcome as the form names it: `no answer` (the stored `no_answer`)."""
    return _outcome_words().get(outcome) or outcome.replace("_", " ")


def keyed(choices: list[tuple[str, str]], english: list[str]) -> list[tuple[str, str]]:
    """The choices with their English key letter before a label written without Latin
    letters (Chinese): `c 電話` is picked with c, as `call` is."""
    keys = hotkeys(english)
    return [
        (value, label if _latin(label) or not key else f"{key} {label}")
        for (value, label), key in zip(choices, keys, strict=True)
    ]


def _latin(label: str) -> bool:
    return any(c.isascii() and c.isalpha() for c in label)


def _field_shown(field: str) -> str:
    """The form's field a refusal names: English says its id (`due`, `next`)."""
    if current_language() == ENGLISH:
        return field
    return field_label({"next": "next action", "note": "notes"}.get(field, field))


def kind_choices() -> list[tuple[str, str]]:
    choices = [(k, kind_label(k)) for k in ACTIVITY_KINDS]
    return keyed(choices, [KIND_LABELS[k] for k in ACTIVITY_KINDS])


def directions() -> list[tuple[str, str]]:
    """Which way the activity went: `out`, `in`."""
    choices = [("outbound", pgettext("way", "out")), ("inbound", pgettext("way", "in"))]
    return keyed(choices, ["out", "in"])


@dataclass(frozen=True)
class LogTarget:
    """What the activity is logged on, and what the form shows about it."""

    lead_id: int | None
    opportunity_id: int | None
    title: str  # "Anna Kowalski · Acme GmbH", user data (shown as text)
    next_action: str = ""
    due: dt.date | None = None
    at: dt.datetime | None = None  # the moment of a timed next action (naive UTC)

    @property
    def key(self) -> tuple[str, int]:
        if self.opportunity_id is not None:
            return ("deal", self.opportunity_id)
        return ("lead", self.lead_id or 0)


@dataclass(frozen=True)
class Logged:
    """What the form saved, for the screen that opened it to say."""

    kind: str
    outcome: str
    next_action: str
    when: When | None

    @property
    def due(self) -> dt.date | None:
        return None if self.when is None else self.when.day

    def summary(self, now: dt.datetime, zone: dt.tzinfo) -> Text:
        words = (kind_label(self.kind), outcome_label(self.outcome) if self.outcome else "")
        what = " ".join(p for p in words if p)
        text = Text(_("✔ Logged {what}").format(what=what), style="green")
        if self.when is not None:
            text.append(_(" · next: "))
            text.append(plain(self.next_action))
            # The short form: a status line of 80 columns cut the long one mid-word.
            due = due_text(self.when.day, self.when.at, now, zone)
            text.append(f" {due}", style="dim")
        return text


def log_title(*parts: str) -> str:
    """The form's heading from user data: "Anna Kowalska · Acme GmbH"."""
    return " · ".join(plain(p) for p in parts if p)


def outcome_choices(kind: str) -> list[tuple[str, str]]:
    outcomes = OUTCOMES.get(kind, ())
    choices = [(o, outcome_label(o)) for o in outcomes]
    return keyed(choices, [o.replace("_", " ") for o in outcomes])


class LogActivityScreen(MarksCurrentRow, KeepsDraft, ModalScreen[Logged | None]):
    TITLE = N_("Log activity")
    DEFAULT_CSS = """
    LogActivityScreen { align: center middle; }
    LogActivityScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    LogActivityScreen .title { text-style: bold; }
    LogActivityScreen .row { height: 1; }
    LogActivityScreen .label { width: 9; text-style: bold; }
    LogActivityScreen .row.-current .label { text-style: bold reverse; }
    LogActivityScreen Input { width: 1fr; margin-left: 1; }
    LogActivityScreen #due-read { padding-left: 10; height: auto; max-height: 4; }
    LogActivityScreen #message { height: auto; }
    LogActivityScreen .keys { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "save", "Save", id="log.save", priority=True),
        Binding("escape", "cancel", "Cancel (keeps a draft)", id="log.cancel"),
    ]

    def __init__(self, target: LogTarget, kind: str = "call", at_outcome: bool = False) -> None:
        """`at_outcome`: the cursor starts on the outcome (the queue, where a call is the
        usual thing to log), else on the type."""
        super().__init__()
        self.target = target
        self.kind = kind
        self.at_outcome = at_outcome
        self.saving = False
        self._refused_field: str | None = None  # the field the message refuses

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text(_("Log · "), style="bold")
            title.append(plain(self.target.title))
            yield Label(title, classes="title")
            yield Static(self._current_action(), id="current")
            with Horizontal(classes="row"):
                yield Label(pgettext("log form", "Type"), classes="label")
                yield ChoiceRow(kind_choices(), self.kind, id="kind")
            with Horizontal(classes="row", id="direction-row"):
                yield Label(pgettext("log form", "Way"), classes="label")
                yield ChoiceRow(directions(), "outbound", id="direction")
            with Horizontal(classes="row", id="outcome-row"):
                yield Label(pgettext("log form", "Outcome"), classes="label")
                yield ChoiceRow(outcome_choices(self.kind), id="outcome")
            with Horizontal(classes="row"):
                yield Label(pgettext("log form", "Note"), classes="label")
                yield TextInput(id="note", placeholder=_("what was said"))
            with Horizontal(classes="row"):
                yield Label(pgettext("log form", "Next"), classes="label")
                yield TextInput(id="next", placeholder=_("next action, e.g. +3d Call back"))
            with Horizontal(classes="row"):
                yield Label(pgettext("log form", "Due"), classes="label")
                yield TextInput(id="due", placeholder=when_forms(self.app.config.date_order))
            yield Static("", id="due-read")
            yield Static("", id="message")
            yield Static(
                Text(_("letters pick · tab next field · ctrl+s save · esc cancel")), classes="keys"
            )

    def on_mount(self) -> None:
        draft = self.take_draft()
        if draft:
            self._show_message(Text(_("Your draft is back."), style="dim"))
        self._read_due()
        first = "#outcome" if self.at_outcome and OUTCOMES.get(self.kind) and not draft else "#kind"
        if draft:  # back where the typing stopped: letters on Type would pick another type
            typed = [f for f in ("#due", "#next", "#note") if self.query_one(f, Input).value]
            if typed:
                field = self.query_one(typed[0], Input)
                # At its end, nothing selected: a key typed on must not replace the draft.
                field.select_on_focus = False
                field.focus()
                field.cursor_position = len(field.value)
                self.call_after_refresh(setattr, field, "select_on_focus", True)
                return
        self.query_one(first).focus()

    # ------------------------------------------------------------------ the draft

    def draft_key(self) -> str:
        entity, ident = self.target.key
        return form_key("log", entity, ident)

    def draft_label(self) -> str:
        return _("a {kind} log on {record}").format(
            kind=kind_label(self.kind), record=self.target.title
        )

    def draft_values(self) -> dict[str, str]:
        return self.values()

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        return any(values[name].strip() for name in ("note", "next", "due"))

    def apply_draft(self, values: dict[str, str]) -> None:
        kind = values.get("kind") if values.get("kind") in KIND_LABELS else self.kind
        self.query_one("#kind", ChoiceRow).set_choices(kind_choices(), kind)
        self._kind_changed(kind)
        direction = values.get("direction", "outbound")
        self.query_one("#direction", ChoiceRow).set_choices(directions(), direction)
        self.query_one("#outcome", ChoiceRow).set_choices(
            outcome_choices(kind), values.get("outcome", "")
        )
        for name in ("note", "next", "due"):
            self.query_one(f"#{name}", Input).value = values.get(name, "")

    @on(Input.Changed)
    def _typed(self) -> None:
        self.draft_typed()

    # ------------------------------------------------------------------ fields

    def _current_action(self) -> Text:
        target = self.target
        if target.due is None:
            return Text(_("Nothing scheduled yet."), style="dim")
        now = self.app.now()
        text = Text(_("Now: "), style="dim")
        text.append(plain(target.next_action) or _("next action"))
        late = target.due < self.app.today() or (target.at is not None and target.at < now)
        said = describe_when(When(target.due, target.at), now, self.app.zone)
        text.append(f" · {said}", style="red" if late else "dim")
        return text

    @on(ChoiceRow.Picked)
    def _picked(self, event: ChoiceRow.Picked) -> None:
        self.draft_typed()
        if event.row.id == "kind":
            self._kind_changed(event.value)
        if event.by_key:
            self.focus_next()

    def _kind_changed(self, kind: str) -> None:
        self.kind = kind
        choices = outcome_choices(kind)
        self.query_one("#outcome", ChoiceRow).set_choices(choices)
        self.query_one("#outcome-row").display = bool(choices)
        self.query_one("#direction-row").display = kind != "note"

    @on(Input.Changed, "#due")
    @on(Input.Changed, "#next")
    def _due_typed(self) -> None:
        when = self._read_due()
        if when is not None and self._refused_field in ("due", "next"):
            self._show_message(Text(""))  # the due it was about reads now: said no more

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "due":
            self.action_save()
        else:
            self.focus_next()

    def _reading(self) -> tuple[When | None, str, Text]:
        """(the due date and time, the next action, the line under Due) from both
        fields. The Due field wins; left empty, a date (and time) leading or closing the
        Next line is the due, as `funnel log --next "fri 14:30 call back"` reads it."""
        typed, action = self.query_one("#due", Input).value, self._next_text()
        now, zone, order = self.app.now(), self.app.zone, self.app.config.date_order
        if typed.strip():
            try:
                when = parse_when(typed, now, zone, order)
            except DueDateError as exc:
                return None, action, Text(f"✘ {exc}", style="red")
            return when, action, Text(f"→ {describe_when(when, now, zone)}", style="green")
        if not action:
            return None, "", Text(_("no next action"), style="dim")
        try:
            when, rest = split_when(action, now, zone, order)
        except NoDueDate:
            asked = _("when is it due? e.g. {forms}").format(forms=when_forms(order))
            return None, action, Text(asked, style="yellow")
        except DueDateError as exc:  # a date with a time that cannot be
            return None, action, Text(f"✘ {exc}", style="red")
        said = Text(f"→ {describe_when(when, now, zone)} · ", style="green")
        said.append(plain(rest) or _("Follow up"))
        return when, rest, said

    def _read_due(self) -> When | None:
        """The due typed (in Due, or at the edge of Next), read back under Due; None
        when there is none or it cannot be read."""
        when, _action, said = self._reading()
        self.query_one("#due-read", Static).update(said)
        return when

    def _next_text(self) -> str:
        return self.query_one("#next", Input).value.strip()

    def values(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "direction": self.query_one("#direction", ChoiceRow).value,
            "outcome": self.query_one("#outcome", ChoiceRow).value
            if outcome_choices(self.kind)
            else "",
            "note": self.query_one("#note", Input).value,
            "next": self.query_one("#next", Input).value,
            "due": self.query_one("#due", Input).value,
        }

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.saving:
            return
        values = self.values()
        when, action, said = self._reading()
        self._read_due()
        if values["due"].strip():
            if when is None:
                self._refuse("due", _("the due date cannot be used: see under it"))
                return
        elif action and when is None:
            if said.style == "red":  # a time in Next that cannot be: said under Due
                self._refuse("next", said.plain.removeprefix("✘ "))
                return
            order = self.app.config.date_order
            self._refuse("due", _("when is it due? e.g. {forms}").format(forms=when_forms(order)))
            return
        if when is not None:
            action = action or _("Follow up")  # as a snooze stores it: in the rep's words
        self.saving = True
        self._save(values, action, when)

    @write_worker("log-save")
    def _save(self, values: dict[str, str], action: str, when: When | None) -> None:
        target = self.target
        run_write(
            self.app,
            lambda rules: rules.log_activity(
                lead_id=None if target.opportunity_id else target.lead_id,
                opportunity_id=target.opportunity_id,
                kind=values["kind"],
                direction=values["direction"],
                outcome=values["outcome"],
                note=values["note"],
                next_action=action,
                next_due=None if when is None else when.day,
                next_at=None if when is None else when.at,
            ),
            done=lambda _r: self._saved(Logged(values["kind"], values["outcome"], action, when)),
            refused=self._refused,
            failed=self._failed,
            retry=lambda: self._save(values, action, when),
        )

    def _saved(self, done: Logged) -> None:
        self.drop_draft()
        self.dismiss(done)

    def _refused(self, exc: Refused) -> None:
        self.saving = False
        self.app.discard_typed_ahead()  # typed for after the save: not for the bad field
        first = exc.problems[0]
        field = FIELD_OF.get(first.field, "")
        # The first problem's field heads the line ("✘ Due: …"): not named twice.
        said = [p.message if FIELD_OF.get(p.field) == field else str(p) for p in exc.problems]
        self._refuse(field, "; ".join(said))

    def _failed(self, reason: str) -> None:
        self.saving = False
        self._show_message(
            Text(
                _("✘ Not saved ({reason}). The form is kept: ctrl+s tries again.").format(
                    reason=reason
                ),
                style="red",
            )
        )

    def _refuse(self, field: str, message: str) -> None:
        text = Text(
            _("✘ {field}: ").format(field=_field_shown(field)) if field else "✘ ", style="bold red"
        )
        text.append(message, style="red")
        self._show_message(text)
        self._refused_field = field
        if field:
            self.query_one(f"#{field}").focus()

    def _show_message(self, text: Text) -> None:
        self._refused_field = None
        self.query_one("#message", Static).update(text)

    def action_cancel(self) -> None:
        self.keep_draft()
        if self.draft_worth_keeping(self.values()):
            self.app.notify(_("Draft kept: open the form on this record again to finish it."))
        self.dismiss(None)
