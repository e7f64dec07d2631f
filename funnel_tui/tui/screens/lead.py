"""One lead: every field editable in place, status actions, and its timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from funnel_tui.core import validators as v
from funnel_tui.core.contact_urls import mail_url, tel_url
from funnel_tui.core.dates import to_local
from funnel_tui.core.errors import StaleEdit
from funnel_tui.core.formats import date_short
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language
from funnel_tui.core.labels import shown_name, typed_name
from funnel_tui.core.money import exact_figure
from funnel_tui.core.output import plain
from funnel_tui.core.times import When, describe_when
from funnel_tui.core.vocab import STATUS_NURTURING, STATUS_UNQUALIFIED
from funnel_tui.live.drafts import form_key
from funnel_tui.read.queries import lead_record
from funnel_tui.tui.actions.copy_contact import CopiesContact, copy_binding
from funnel_tui.tui.actions.erase_action import ErasesOnRequest
from funnel_tui.tui.actions.hand_over import HandOverTarget, HandsOver, hand_over_binding
from funnel_tui.tui.actions.status_actions import LeadStatusActions
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog
from funnel_tui.tui.form_draft import KeepsDraft
from funnel_tui.tui.links import linked
from funnel_tui.tui.screens.current_row import MarksCurrentRow
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.field_feedback import CHECKED_FIELDS, feedback, named, show_hint
from funnel_tui.tui.widgets.here_line import HereLine
from funnel_tui.tui.widgets.scroll_keys import KeyedScroll
from funnel_tui.tui.widgets.status import level_text, status_text
from funnel_tui.tui.widgets.text_input import TextInput
from funnel_tui.tui.widgets.timeline import Event, activity_event, history_events, timeline_text
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes

# The history's field names (columns) as the form's fields.
FORM_FIELD = {
    "phone_raw": "phone",
    "phone_e164": "phone",
    "phone_type": "phone",
    "email_raw": "email",
    "email_norm": "email",
}

# (form field, lead column holding what was typed, label)
FIELDS = (
    ("name", "name", N_("Name")),
    ("company", None, N_("Company")),
    ("title", "title", N_("Title")),
    ("phone", "phone_raw", N_("Phone")),
    ("email", "email_raw", N_("Email")),
    ("country", "country", N_("Country")),
    ("source", "source", N_("Source")),
    ("notes", "notes", N_("Notes")),
)


def stored_values(record: dict[str, Any]) -> dict[str, str]:
    """The record's values as the form shows them, by form field (a source by the name
    the rep reads: "Messe" for the shipped "Trade show")."""
    lead, company = record["lead"], record["company"]
    values = {
        name: (company.name if company else "")
        if name == "company"
        else (getattr(lead, column) or "")
        for name, column, _label in FIELDS
    }
    values["source"] = shown_name(values["source"]) if values["source"] else ""
    return values


def typed_values(changes: dict[str, str], sources: Iterable[str]) -> dict[str, str]:
    """The edits as the rules take them: a source typed as the rep reads it ("Messe",
    "展覽") is the stored name; English sends what was typed, as it always has."""
    if "source" not in changes or current_language() == ENGLISH:
        return changes
    typed = changes["source"]
    return {**changes, "source": typed_name(typed, sources) or typed}


def lead_events(record: dict[str, Any], rules: Any = None) -> list[Event]:
    """The lead's activities and the history of the lead and its deals, in words (the
    config's checklist labels and the user's zone from `rules`); a deal's marked with
    the deal."""
    events = [
        activity_event(
            a, f"${a.opportunity_id}" if a.opportunity_id else "", rules.zone if rules else None
        )
        for a in record["activities"]
    ]
    company = record["company"]
    words = {"config": rules.config, "zone": rules.zone} if rules else {}
    return events + history_events(
        record["history"],
        companies={company.id: company.name} if company else {},
        mark_deals=True,
        **words,
    )


def opportunity_link(opp: Any) -> Text:
    """The lead's forward link to a deal it became: "→ $ #12 Proposal 40,000.00 EUR"."""
    text = Text("   → ", style="dim")
    text.append(f"$ #{opp.id} ", style="bold green")
    text.append(plain(opp.stage))
    text.append(f" {exact_figure(opp.amount_cents)} {opp.currency}")
    if opp.state != "open":
        text.append(f" ({opp.state})", style="dim")
    return text


def open_deal(screen: Screen, deals: list[Any]) -> None:
    """The forward link: open the lead's deal, or ask which when it has several."""
    if not deals:
        screen.notify(_("This lead has no deal yet: promote it, then convert it."), timeout=4)
        return
    if len(deals) == 1:
        screen.app.open_opportunity(deals[0].id)
        return
    labels = {opportunity_link(o).plain.strip("→ "): o.id for o in reversed(deals)}

    def chosen(label: str | None) -> None:
        if label:
            screen.app.open_opportunity(labels[label])

    screen.app.push_screen(ChoiceDialog(_("Which deal?"), tuple(labels)), chosen)


LABEL_WIDTH = 10  # cells; wider where the language's longest label needs it


class LeadScreen(
    MarksCurrentRow,
    KeepsDraft,
    ErasesOnRequest,
    LeadStatusActions,
    HandsOver,
    CopiesContact,
    Screen[None],
):
    TITLE = N_("Lead")
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
        Binding("ctrl+z", "undo", "Undo my last change", id="lead.undo"),
        Binding("ctrl+y", "company", "Company", id="lead.company"),
        copy_binding("lead"),
        hand_over_binding("lead"),
        # Rare and for good: named in the help and the palette, off the key bar.
        Binding("shift+delete", "erase", "Erase on request…", id="lead.erase", show=False),
        # From the fields too (an input takes pgdn for nothing), and named there; on the
        # timeline (tab reaches it) its own keys scroll it: ↓ ↑ pgdn pgup home end.
        Binding(
            "pagedown",
            "timeline('page_down')",
            "Timeline page down",
            id="lead.tl_down",
            show=False,
            priority=True,
        ),
        Binding(
            "pageup",
            "timeline('page_up')",
            "Timeline page up",
            id="lead.tl_up",
            show=False,
            priority=True,
        ),
    ]

    def __init__(self, lead_id: int, focus: str = "", then: str = "") -> None:
        """`then`: "log" opens the log form once the record is shown (its draft)."""
        super().__init__()
        self.lead_id = lead_id
        self.focus_field = focus
        self.then = then
        self.loaded: dict[str, str] = {}
        self._leaving = False  # esc warned of unsaved edits: the next one leaves
        self.version: int | None = None
        self.deals: list[Any] = []  # the lead's opportunities, for F10
        self.record: dict[str, Any] | None = None  # as last shown, for the log form
        self.stale: StaleEdit | None = None  # a refused save, waiting for the record
        self._shown = False  # the record was shown once (its draft is then taken back)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(_("Loading…"), id="summary")
        yield HereLine("lead", self.lead_id)
        width = max(LABEL_WIDTH, *(cell_len(_(label)) + 1 for _name, _c, label in FIELDS))
        with Vertical(id="fields"):
            for name, _column, label in FIELDS:
                with Horizontal(classes="row"):
                    shown = Label(_(label), classes="label")
                    shown.styles.width = width
                    yield shown
                    yield TextInput(compact=True, id=f"f-{name}", select_on_focus=False)
                hint = Static("", classes="hint", id=f"hint-{name}")
                hint.styles.padding = (0, 0, 0, width)
                yield hint
        yield Static("", id="outcome")
        with KeyedScroll(id="timeline"):
            yield Static("", id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        for hint in self.query(".hint"):
            hint.display = False
        # Keys typed ahead (enter ctrl+l on the list) wait for the record: before it is
        # shown, ctrl+l had nothing to log on and typing went into empty fields.
        self.app.hold_keys_for(self.load())

    def showing(self) -> tuple[str, int, bool]:
        """The record this screen shows, and whether it holds unsaved edits, for the
        others' presence (changes.py)."""
        return ("lead", self.lead_id, bool(self.loaded) and bool(self.changes()))

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Someone wrote this lead: show it as it is now. Fields being edited keep what
        was typed (see _fill)."""
        if changes is None or changes.touches("lead", self.lead_id):
            self.load()

    @on(Input.Changed)
    def _typed(self) -> None:
        self._leaving = False  # typed on after the warning: esc warns again
        # Editing or not is part of this instance's presence on the record.
        self.app.show_record()
        if self._shown:
            self.draft_typed()

    # ------------------------------------------------------------------ the draft

    def draft_key(self) -> str:
        return form_key("edit", "lead", self.lead_id)

    def draft_label(self) -> str:
        name = self.loaded.get("name") or _("lead #{id}").format(id=self.lead_id)
        return _("edits to {name} (lead #{id})").format(name=name, id=self.lead_id)

    def draft_values(self) -> dict[str, str]:
        """The edited fields as typed, each with the value it was edited from, and the
        version they stand on: taken back later, a field changed meanwhile is asked
        about, never overwritten unseen."""
        values = {}
        for name, typed in self.changes().items():
            values[f"typed:{name}"] = typed
            values[f"from:{name}"] = self.loaded.get(name, "")
        if values and self.version is not None:
            values["version"] = str(self.version)
        return values

    def draft_worth_keeping(self, values: dict[str, str]) -> bool:
        return any(key.startswith("typed:") for key in values)

    def apply_draft(self, values: dict[str, str]) -> None:
        names = {name for name, _column, _label in FIELDS}
        base_version = values.get("version", "")
        for key, typed in values.items():
            name = key.removeprefix("typed:")
            if not key.startswith("typed:") or name not in names:
                continue
            base = values.get(f"from:{name}", "")
            stored = self.loaded.get(name, "")
            self.query_one(f"#f-{name}", Input).value = typed
            if stored != base:
                self._changed_meanwhile(name, stored)
            self.loaded[name] = base
        if base_version.isdigit():
            self.version = int(base_version)

    @read_worker("lead-load", exclusive=True)
    def load(self) -> None:
        record = lead_record(self.lead_id)
        self.app.call_from_thread(self._show, record)

    def _show(self, record: dict[str, Any] | None) -> None:
        if record is None:
            self.query_one("#summary", Static).update(
                Text(_("No lead #{id}").format(id=self.lead_id))
            )
            return
        lead = record["lead"]
        summary = Text()
        summary.append(f"#{lead.id} ", style="bold")
        summary.append(plain(lead.name), style="bold")
        summary.append("   ")
        summary.append_text(status_text(lead.status))
        summary.append("  ·  ")
        summary.append_text(level_text(lead.level))
        score = _("score {score}").format(score=getattr(lead, "score", 0) or 0)
        summary.append(f"   {score}   " + _("owner {owner}").format(owner=plain(record["owner"])))
        if lead.status == STATUS_UNQUALIFIED and lead.unqualified_reason:
            summary.append(f"   ({plain(shown_name(lead.unqualified_reason))})", style="dim")
        if lead.status == STATUS_NURTURING and lead.nurture_until:
            until = _("until {date}").format(date=date_short(lead.nurture_until))
            summary.append(f"   {until}", style="dim")
        summary.append_text(contact_line(lead))
        if lead.next_action_due is not None:
            now = self.app.now()
            late = lead.next_action_due < self.app.today() or (
                lead.next_action_at is not None and lead.next_action_at < now
            )
            summary.append("   ⇒ ", style="dim")
            summary.append(plain(lead.next_action) or _("next action"), style="red" if late else "")
            due = When(lead.next_action_due, lead.next_action_at)
            when = describe_when(due, now, self.app.zone)
            summary.append(f" {when}", style="red" if late else "dim")
        self.deals = record["opportunities"]
        for opp in self.deals:
            summary.append_text(opportunity_link(opp))
        if self.deals:
            summary.append(
                "  " + _("(F10 opens it)") if len(self.deals) == 1 else "  (F10)", style="dim"
            )
        if lead.merged_into_id is not None:
            summary.append(
                "\n"
                + _("⤷ merged into #{id}: kept as it was; changes go there").format(
                    id=lead.merged_into_id
                ),
                style="yellow",
            )
        self.query_one("#summary", Static).update(summary)
        self._fill(record)
        rules = self.app.rules
        self.query_one("#events", Static).update(
            timeline_text(lead_events(record, rules), rules.zone, rules.today())
        )
        self.record = record
        if not self._shown:
            self._shown = True
            if self.take_draft():
                self._outcome(
                    Text(
                        _("Your unsaved edits are back: ctrl+s saves them, esc twice drops them."),
                        style="yellow",
                    )
                )
        if self.focus_field:
            self.query_one(f"#f-{self.focus_field}", Input).focus()
            self.focus_field = ""

        if self.stale is not None:
            stale, self.stale = self.stale, None
            self._ask_which(stale, record)
        if self.then == "log":
            self.then = ""
            self.action_log()

    def _fill(self, record: dict[str, Any]) -> None:
        """Show the stored values, except in fields holding unsaved edits: those keep
        what was typed, with a word when someone else changed the same field, and the
        version the edits were made on stays, so saving them asks which to keep."""
        dirty = False
        for name, stored in stored_values(record).items():
            field = self.query_one(f"#f-{name}", Input)
            base = self.loaded.get(name, "")
            if field.value in (base, stored):
                if field.value != stored:
                    field.value = stored
                self.loaded[name] = stored
                continue
            dirty = True
            if stored != base:
                self._changed_meanwhile(name, stored)
        if not dirty or self.version is None:
            self.version = record["lead"].version
        self._show_stored_phone(record)

    def _show_stored_phone(self, record: dict[str, Any]) -> None:
        """Under a phone not being edited: the number in its international form, when
        it differs from what was typed (0912-345-678 is +886 912 345 678)."""
        international = record["lead"].phone_display or ""
        typed = self.query_one("#f-phone", Input).value
        if not international or typed != self.loaded.get("phone") or typed == international:
            return
        self._hint(
            "phone",
            Text.assemble(
                ("☎ ", "dim"), international, ("  " + _("stored in international form"), "dim")
            ),
        )

    # ---------------------------------------------------------------- editing

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("f-")
        if name in CHECKED_FIELDS:
            values = {n: self.query_one(f"#f-{n}", Input).value for n, *_rest in FIELDS}
            self._hint(name, feedback(name, values, self.app.config.default_region))

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _changed_meanwhile(self, name: str, stored: str) -> None:
        """Under a field holding edits: someone saved another value meanwhile."""
        self._hint(
            name,
            Text.assemble(
                ("✎ " + _("changed meanwhile to") + " ", "yellow"),
                plain(stored) or _("(empty)"),
                (": " + _("ctrl+s asks which to keep"), "dim"),
            ),
        )

    def _hint(self, name: str, text: Text | None) -> None:
        show_hint(self.query_one(f"#hint-{name}", Static), text)

    def changes(self) -> dict[str, str]:
        current = {
            name: self.query_one(f"#f-{name}", Input).value for name, _column, _label in FIELDS
        }
        return {k: val for k, val in current.items() if val != self.loaded.get(k, "")}

    def action_save(self) -> None:
        changes = self.changes()
        if not changes:
            self._outcome(Text(_("Nothing changed."), style="dim"))
            return
        self._write(
            lambda rules: rules.update_lead(
                self.lead_id,
                typed_values(changes, self.app.config.lead_sources),
                expected_version=self.version,
            ),
            _("Saved."),
        )

    def _failed(self, reason: str) -> None:
        self._outcome(
            Text(
                _("✘ Could not save ({reason}). Your edits are kept: ctrl+s tries again.").format(
                    reason=reason
                ),
                style="red",
            )
        )

    def _written(self, done: str) -> None:
        self.drop_draft()
        self._outcome(Text(f"✔ {done}", style="green"))
        for name, _column, _label in FIELDS:
            self._hint(name, None)
        self.app.data_changed()  # this screen reloads too, through refresh_data

    def _refused(self, problems: list[v.Problem]) -> None:
        self.app.discard_typed_ahead()  # typed for after the save: not for the bad field
        names = {name for name, _column, _label in FIELDS}
        first = None
        for problem in problems:
            if problem.field in names:
                self._hint(
                    problem.field, Text(f"✘ {named(problem.field, problem.message)}", style="red")
                )
                first = first or problem.field
        self._outcome(Text("✘ " + "; ".join(str(p) for p in problems), style="red"))
        if first:
            self.query_one(f"#f-{first}").focus()

    def _stale(self, exc: StaleEdit) -> None:
        """Saved on a stale copy: read the record as it is now, then ask field by field
        (_ask_which). The form keeps every edit meanwhile."""
        self._outcome(Text(_("✘ Changed meanwhile; nothing was saved. Reading it…"), style="red"))
        self.stale = exc
        self.load()

    def _ask_which(self, exc: StaleEdit, record: dict[str, Any]) -> None:
        from funnel_tui.tui.dialogs.conflict import Clash, ConflictDialog

        stored = stored_values(record)
        labels = {name: _(label) for name, _column, label in FIELDS}
        latest = {}
        for change in exc.changes:
            latest[FORM_FIELD.get(change["field"], change["field"])] = change
        clashes = []
        for name in dict.fromkeys(FORM_FIELD.get(f, f) for f in exc.fields):
            if name not in labels:
                continue
            change = latest.get(name, {})
            at = change.get("at")
            clashes.append(
                Clash(
                    name,
                    labels[name],
                    stored[name],
                    change.get("user", "someone"),
                    to_local(at, self.app.rules.zone) if at else None,
                    self.query_one(f"#f-{name}", Input).value,
                )
            )
        if not clashes:
            # Only fields the form does not edit changed meanwhile (a status, a score,
            # one's own checklist answer): the edits merge over them as they are.
            self.loaded = dict(stored)
            self.version = record["lead"].version
            self.action_save()
            return

        def chosen(choice: dict[str, str] | None) -> None:
            if choice is None:
                self._outcome(
                    Text(
                        _("Nothing saved; your edits are kept: ctrl+s asks again."), style="yellow"
                    )
                )
                return
            for name, side in choice.items():
                if side == "theirs":
                    self.query_one(f"#f-{name}", Input).value = stored[name]
                    self._hint(name, None)
            # The edits now stand on the record as it is: save them over it.
            self.loaded = dict(stored)
            self.version = record["lead"].version
            self.action_save()

        self.app.push_screen(
            ConflictDialog(_("Lead #{id}").format(id=self.lead_id), clashes), chosen
        )

    def _outcome(self, text: Text) -> None:
        self.query_one("#outcome", Static).update(text)

    def contact(self) -> tuple[str, str]:
        lead = self.record["lead"] if self.record else None
        return (lead.phone_e164 or "", lead.email_norm or "") if lead else ("", "")

    def say(self, text: Text) -> None:
        self._outcome(text)

    def action_checklist(self) -> None:
        self.app.open_checklist(self.lead_id)

    def action_log(self) -> None:
        from funnel_tui.tui.screens.log_activity import LogTarget, log_title

        if self.record is None:
            return  # not loaded yet
        lead, company = self.record["lead"], self.record["company"]
        title = log_title(lead.name, company.name if company else "")
        target = LogTarget(
            self.lead_id, None, title, lead.next_action, lead.next_action_due, lead.next_action_at
        )

        def done(logged) -> None:
            if logged is not None:
                self._outcome(logged.summary(self.app.now(), self.app.zone))
                self.load()  # edits in the form stay as typed (_fill)

        self.app.open_log(target, done)

    def action_timeline(self, how: str) -> None:
        getattr(self.query_one("#timeline", KeyedScroll), f"action_{how}")()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "timeline" and self.focused is self.query_one("#timeline"):
            return False  # its own keys scroll it (and F1 names them once)
        return super().check_action(action, parameters)

    def action_undo(self) -> None:
        """Undo my latest change to this lead; refused (with why) when someone else has
        changed those fields since."""
        self._write(
            lambda rules: rules.undo_last("lead", self.lead_id), lambda undone: undone.summary()
        )

    def action_deal(self) -> None:
        open_deal(self, self.deals)

    def action_company(self) -> None:
        """The record of the company the lead is at (the account)."""
        company = self.record["company"] if self.record else None
        if company is not None:
            self.app.open_company(company.id)
        elif self.record is not None:
            self._outcome(Text(_("This lead is at no company: type one above."), style="yellow"))

    def hand_over_target(self) -> HandOverTarget | None:
        if self.record is None:
            return None  # not loaded yet
        lead = self.record["lead"]
        return HandOverTarget("lead", lead.id, lead.name, self.record["owner"], lead.version)

    def _hand_over_said(self, text: Text) -> None:
        self._outcome(text)

    def action_back(self) -> None:
        if self.changes() and not self._leaving:
            self._outcome(
                Text(
                    _("Unsaved edits: ctrl+s saves them; esc again leaves without."), style="yellow"
                )
            )
            # The edits stay edits (another way out keeps them as a draft); only a
            # second esc leaves without them. Keys typed on after this esc were meant
            # for the screen it was to lead to: not for the fields it stays on.
            self._leaving = True
            self.app.drop_keys_of_this_burst()
            return
        self.drop_draft()
        self.app.pop_screen()


def contact_line(lead) -> Text:
    """`\n☎ +48 512 345 678  ✉ lucja@kowalski.pl`: the lead's phone and email on a line of
    their own under its heading, each a link to call or write where the terminal takes
    one (tui.links); nothing when it has neither."""
    parts = []
    if lead.phone_display or lead.phone_raw:
        shown = Text("☎ ", style="dim")
        shown.append_text(
            linked(Text(plain(lead.phone_display or lead.phone_raw)), tel_url(lead.phone_e164))
        )
        parts.append(shown)
    if lead.email_norm or lead.email_raw:
        shown = Text("✉ ", style="dim")
        email = lead.email_norm or lead.email_raw
        shown.append_text(linked(Text(plain(email)), mail_url(lead.email_norm or "")))
        parts.append(shown)
    if not parts:
        return Text()
    return Text("\n").join([Text(), Text("  ").join(parts)])
