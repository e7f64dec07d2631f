"""One lead: every field editable in place, status actions, and its timeline."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from .. import validators as v
from ..dates import describe_due
from ..funnel import StaleEdit
from ..models import database
from ..output import plain
from ..queries import lead_record
from ..widgets.bars import KeyBar, TitleBar
from ..widgets.field_feedback import CHECKED_FIELDS, feedback, show_hint
from ..widgets.status import level_text, status_text
from ..widgets.text_input import TextInput
from ..widgets.timeline import Event, activity_event, history_event, timeline_text
from .dialogs import ChoiceDialog
from .status_actions import LeadStatusActions

# (form field, lead column holding what was typed, label)
FIELDS = (
    ("name", "name", "Name"),
    ("company", None, "Company"),
    ("title", "title", "Title"),
    ("phone", "phone_raw", "Phone"),
    ("email", "email_raw", "Email"),
    ("country", "country", "Country"),
    ("source", "source", "Source"),
    ("notes", "notes", "Notes"),
)


def lead_events(record: dict[str, Any]) -> list[Event]:
    """The lead's activities (its deals' marked with the deal) and the history of the
    lead and its deals."""
    events = [
        activity_event(a, f"${a.opportunity_id}" if a.opportunity_id else "")
        for a in record["activities"]
    ]
    return events + [history_event(entry) for entry in record["history"]]


def opportunity_link(opp: Any) -> Text:
    """The lead's forward link to a deal it became: "→ $ #12 Proposal 40,000.00 EUR"."""
    text = Text("   → ", style="dim")
    text.append(f"$ #{opp.id} ", style="bold green")
    text.append(plain(opp.stage))
    text.append(f" {opp.amount_cents / 100:,.2f} {opp.currency}")
    if opp.state != "open":
        text.append(f" ({opp.state})", style="dim")
    return text


def open_deal(screen: Screen, deals: list[Any]) -> None:
    """The forward link: open the lead's deal, or ask which when it has several."""
    if not deals:
        screen.notify("This lead has no deal yet: promote it, then convert it.", timeout=4)
        return
    if len(deals) == 1:
        screen.app.open_opportunity(deals[0].id)
        return
    labels = {opportunity_link(o).plain.strip("→ "): o.id for o in reversed(deals)}

    def chosen(label: str | None) -> None:
        if label:
            screen.app.open_opportunity(labels[label])

    screen.app.push_screen(ChoiceDialog("Which deal?", tuple(labels)), chosen)


class LeadScreen(LeadStatusActions, Screen[None]):
    TITLE = "Lead"
    CSS_PATH = "lead.tcss"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "save", "Save changes", id="lead.save", priority=True),
        Binding("escape", "back", "Back", id="lead.back"),
        # Function keys: the fields are inputs, where letters and ctrl+w/ctrl+u edit text.
        # F5 is the app's (the board); F6 nurtures here as on the checklist.
        Binding("f6", "nurture", "Nurture…", id="lead.nurture"),
        Binding("f7", "unqualify", "Unqualify…", id="lead.unqualify"),
        Binding("f8", "status('working')", "Working", id="lead.working"),
        Binding("f9", "checklist", "Checklist", id="lead.checklist"),
        Binding("f10", "deal", "Deal", id="lead.deal"),
        Binding("f11", "status('new')", "Back to new", id="lead.reopen", show=False),
        Binding("ctrl+l", "log", "Log…", id="lead.log"),
    ]

    def __init__(self, lead_id: int, focus: str = "") -> None:
        super().__init__()
        self.lead_id = lead_id
        self.focus_field = focus
        self.loaded: dict[str, str] = {}
        self.version: int | None = None
        self.deals: list[Any] = []  # the lead's opportunities, for F10
        self.record: dict[str, Any] | None = None  # as last shown, for the log form
        self.keep_fields = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading…", id="summary")
        with Vertical(id="fields"):
            for name, _, label in FIELDS:
                with Horizontal(classes="row"):
                    yield Label(label, classes="label")
                    yield TextInput(compact=True, id=f"f-{name}", select_on_focus=False)
                yield Static("", classes="hint", id=f"hint-{name}")
        yield Static("", id="outcome")
        with VerticalScroll(id="timeline"):
            yield Static("", id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        for hint in self.query(".hint"):
            hint.display = False
        self.load()

    @work(thread=True, exclusive=True, group="lead-load")
    def load(self) -> None:
        with database.connection_context():
            record = lead_record(self.lead_id)
        self.app.call_from_thread(self._show, record)

    def _show(self, record: dict[str, Any] | None) -> None:
        if record is None:
            self.query_one("#summary", Static).update(Text(f"No lead #{self.lead_id}"))
            return
        lead = record["lead"]
        self.version = lead.version
        summary = Text()
        summary.append(f"#{lead.id} ", style="bold")
        summary.append(lead.name, style="bold")
        summary.append("   ")
        summary.append_text(status_text(lead.status))
        summary.append("  ·  ")
        summary.append_text(level_text(lead.level))
        summary.append(f"   score {getattr(lead, 'score', 0) or 0}   owner ")
        summary.append(record["owner"])
        if lead.status == "unqualified" and lead.unqualified_reason:
            summary.append(f"   ({lead.unqualified_reason})", style="dim")
        if lead.status == "nurturing" and lead.nurture_until:
            summary.append(f"   until {lead.nurture_until}", style="dim")
        if lead.next_action_due is not None:
            today = self.app.rules.today()
            late = lead.next_action_due < today
            summary.append("   ⇒ ", style="dim")
            summary.append(plain(lead.next_action) or "next action", style="red" if late else "")
            summary.append(
                f" {describe_due(lead.next_action_due, today)}", style="red" if late else "dim"
            )
        self.deals = record["opportunities"]
        for opp in self.deals:
            summary.append_text(opportunity_link(opp))
        if self.deals:
            summary.append("  (F10 opens it)" if len(self.deals) == 1 else "  (F10)", style="dim")
        self.query_one("#summary", Static).update(summary)
        if self.keep_fields:
            # Reloaded after a log with edits in the form: the edits stay as typed.
            self.keep_fields = False
        else:
            self._fill(record)
        rules = self.app.rules
        self.query_one("#events", Static).update(
            timeline_text(lead_events(record), rules.zone, rules.today())
        )
        self.record = record
        if self.focus_field:
            self.query_one(f"#f-{self.focus_field}", Input).focus()
            self.focus_field = ""

    def _fill(self, record: dict[str, Any]) -> None:
        lead = record["lead"]
        self.loaded = {}
        for name, column, _ in FIELDS:
            value = (
                record["company"].name
                if name == "company" and record["company"]
                else (getattr(lead, column) if column else "")
            )
            self.loaded[name] = value or ""
            self.query_one(f"#f-{name}", Input).value = value or ""

    # ---------------------------------------------------------------- editing

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("f-")
        if name in CHECKED_FIELDS:
            values = {n: self.query_one(f"#f-{n}", Input).value for n, _, _ in FIELDS}
            self._hint(name, feedback(name, values, self.app.config.default_region))

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _hint(self, name: str, text: Text | None) -> None:
        show_hint(self.query_one(f"#hint-{name}", Static), text)

    def changes(self) -> dict[str, str]:
        current = {name: self.query_one(f"#f-{name}", Input).value for name, _, _ in FIELDS}
        return {k: val for k, val in current.items() if val != self.loaded.get(k, "")}

    def action_save(self) -> None:
        changes = self.changes()
        if not changes:
            self._outcome(Text("Nothing changed.", style="dim"))
            return
        self._write(
            lambda rules: rules.update_lead(self.lead_id, changes, expected_version=self.version),
            "Saved.",
        )

    def _failed(self, reason: str) -> None:
        self._outcome(
            Text(
                f"✘ Could not save ({reason}). Your edits are kept: ctrl+s tries again.",
                style="red",
            )
        )

    def _written(self, done: str) -> None:
        self._outcome(Text(f"✔ {done}", style="green"))
        for name, _, _ in FIELDS:
            self._hint(name, None)
        self.load()
        self.app.data_changed()

    def _refused(self, problems: list[v.Problem]) -> None:
        names = {name for name, _, _ in FIELDS}
        first = None
        for problem in problems:
            if problem.field in names:
                self._hint(problem.field, Text(f"✘ {problem.message}", style="red"))
                first = first or problem.field
        self._outcome(Text("✘ " + "; ".join(str(p) for p in problems), style="red"))
        if first:
            self.query_one(f"#f-{first}").focus()

    def _stale(self, exc: StaleEdit) -> None:
        text = Text("✘ Someone changed this lead meanwhile; nothing was saved. ", style="red")
        for change in exc.changes[:4]:
            text.append(f"{change['user']}: {change['field']} → ")
            text.append(plain(change["new"]))
            text.append("  ")
        text.append("Your edits are still in the form; esc and reopen to reload.", style="dim")
        self._outcome(text)

    def _outcome(self, text: Text) -> None:
        self.query_one("#outcome", Static).update(text)

    def action_checklist(self) -> None:
        self.app.open_checklist(self.lead_id)

    def action_log(self) -> None:
        from .log_activity import LogTarget, log_title

        if self.record is None:
            return  # not loaded yet
        lead, company = self.record["lead"], self.record["company"]
        title = log_title(lead.name, company.name if company else "")
        target = LogTarget(self.lead_id, None, title, lead.next_action, lead.next_action_due)

        def done(logged) -> None:
            if logged is not None:
                self._outcome(logged.summary(self.app.rules.today()))
                self.keep_fields = bool(self.changes())
                self.load()

        self.app.open_log(target, done)

    def action_deal(self) -> None:
        open_deal(self, self.deals)

    def action_back(self) -> None:
        if self.changes():
            self._outcome(
                Text("Unsaved edits: ctrl+s saves them; esc again leaves without.", style="yellow")
            )
            self.loaded = {name: self.query_one(f"#f-{name}", Input).value for name, _, _ in FIELDS}
            return
        self.app.pop_screen()
