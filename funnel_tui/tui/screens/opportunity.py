"""An opportunity's record: the deal, the lead it came from (one key back to it), its
moves across the board and the latest activities; e edits its fields (deal_editing.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from funnel_tui.core.dates import day_text, to_local
from funnel_tui.core.formats import date_short
from funnel_tui.core.i18n import N_, _, pgettext
from funnel_tui.core.labels import shown_name
from funnel_tui.core.money import format_amount, warm, weighted
from funnel_tui.core.output import plain
from funnel_tui.core.times import clock_text, local_moment
from funnel_tui.core.vocab import OPP_LOST, OPP_OPEN, OPP_WON
from funnel_tui.read.pipeline import Card, DealRecord, card_marks, deal_record
from funnel_tui.rules.history_words import days_from_today, many
from funnel_tui.tui.actions.deal_actions import DealActions
from funnel_tui.tui.actions.hand_over import HandOverTarget, HandsOver, hand_over_binding
from funnel_tui.tui.screens.deal_editing import DealEditing
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.here_line import HereLine
from funnel_tui.tui.widgets.scroll_keys import KeyedScroll
from funnel_tui.tui.widgets.timeline import (
    activity_event,
    history_events,
    move_event,
    timeline_text,
)
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


class OpportunityScreen(DealEditing, DealActions, HandsOver, Screen[None]):
    TITLE = N_("Deal")
    DEFAULT_CSS = """
    OpportunityScreen #summary { height: auto; padding: 0 1; background: $boost; }
    OpportunityScreen #fields { height: auto; padding: 0 1; }
    OpportunityScreen #outcome { height: auto; padding: 0 1; }

    OpportunityScreen #timeline { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "back", "Back", id="deal.back"),
        Binding("e", "edit", "Edit…", id="deal.edit"),
        Binding("l", "lead", "Lead", id="deal.lead"),
        Binding("c", "company", "Company", id="deal.company", show=False),
        Binding("q", "checklist", "Checklist", id="deal.checklist"),
        Binding("greater_than_sign,full_stop,shift+right", "step(1)", "Next stage", id="deal.next"),
        Binding("less_than_sign,comma,shift+left", "step(-1)", "Back a stage", id="deal.prev"),
        Binding("w", "won", "Won", id="deal.won"),
        Binding("x", "lost", "Lost…", id="deal.lost"),
        Binding("o", "reopen", "Reopen", id="deal.reopen"),
        Binding("a,ctrl+l", "log", "Log…", id="deal.log"),
        Binding("ctrl+z", "undo", "Undo my last change", id="deal.undo"),
        hand_over_binding("deal"),
    ]

    def __init__(self, opp_id: int, then: str = "") -> None:
        """`then`: "log" ("edit") opens the log form (the edit form) once the deal is
        shown (its draft)."""
        super().__init__()
        self.opp_id = opp_id
        self.then = then
        self.record: DealRecord | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text(_("Loading deal #{id}…").format(id=self.opp_id)), id="summary")
        yield HereLine("opportunity", self.opp_id)
        yield Static("", id="fields")
        yield Static("", id="outcome")
        with KeyedScroll(id="timeline"):
            yield Static("", id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#outcome").display = False
        self.load()

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Reload when this deal or its lead was written (activities on either count)."""
        lead_id = self.record.lead.id if self.record is not None else None
        if (
            changes is None
            or changes.touches("opportunity", self.opp_id)
            or (lead_id is not None and changes.touches("lead", lead_id))
        ):
            self.load()

    def showing(self) -> tuple[str, int, bool]:
        """The record this screen shows, for the others' presence (changes.py)."""
        return ("opportunity", self.opp_id, False)

    @read_worker("deal-load", exclusive=True)
    def load(self) -> None:
        warm(self.app.rules.locale)  # the amount in the rep's format (Babel's data)
        record = deal_record(self.opp_id)
        self.app.call_from_thread(self._show, record)

    def _show(self, record: DealRecord | None) -> None:
        self.record = record
        if record is None:
            self.query_one("#summary", Static).update(
                Text(_("No deal #{id}").format(id=self.opp_id))
            )
            return
        card = record.card
        self.query_one("#summary", Static).update(self._summary(card))
        self.query_one("#fields", Static).update(self._fields(record))
        self.query_one("#events", Static).update(self._timeline(record))
        if self.then in ("log", "edit"):
            then, self.then = self.then, ""
            if then == "log":
                self.action_log()
            else:
                self.action_edit()

    def _summary(self, card: Card) -> Text:
        text = Text.assemble((f"$ #{card.id} ", "bold green"), (plain(card.name), "bold"))
        state = {
            OPP_OPEN: (_("● open"), "cyan"),
            OPP_WON: (_("✔ won"), "green"),
            OPP_LOST: (_("✕ lost"), "red"),
        }[card.state]
        text.append("   ")
        text.append(*state)
        text.append(f" · {plain(shown_name(card.stage))}")
        return text

    def _fields(self, record: DealRecord) -> Table:
        card, lead, opp = record.card, record.lead, record.opportunity
        config, now = self.app.config, self.app.now()
        marks = card_marks(config, card, now, self.app.today())
        stage = config.stage(card.stage)
        probability = stage.probability if stage else 0
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        locale = self.app.rules.locale
        amount = Text(format_amount(card.amount_cents, card.currency, locale))
        worth = weighted(card.amount_cents, probability)
        weighted_at = _("   weighted {amount} at {percent} %").format(
            amount=format_amount(worth, card.currency, locale), percent=probability
        )
        amount.append(weighted_at, style="dim")
        table.add_row(pgettext("deal record", "Amount"), amount)
        close = Text(day_text(card.expected_close) if card.expected_close else _("not set"))
        if card.expected_close and card.state == OPP_OPEN:
            days = (card.expected_close - self.app.today()).days
            close.append(f"   {days_from_today(days)}", style="dim" if days >= 0 else "yellow")
        if card.state != OPP_OPEN and card.closed_at is not None:
            # A closed deal's date is the day it was won or lost; the expected one
            # stays beside it, for how the forecast fared.
            closed = Text(day_text(to_local(card.closed_at, self.app.rules.zone).date()))
            if card.expected_close:
                expected = _("   expected {date}").format(date=day_text(card.expected_close))
                closed.append(expected, style="dim")
            close = closed
        close_label = {
            OPP_WON: pgettext("deal record", "Won"),
            OPP_LOST: pgettext("deal record", "Closed"),
        }.get(card.state, pgettext("deal record", "Close"))
        table.add_row(close_label, close)
        stage_line = Text(
            many(marks.days_in_stage, "stage_for_days", stage=plain(shown_name(card.stage)))
        )
        if marks.stale:
            stage_line.append(_("   ◷ stale"), style="bold")
        table.add_row(pgettext("deal record", "Stage"), stage_line)
        table.add_row(pgettext("deal record", "Next"), self._next_action(card, marks))
        if card.state == OPP_LOST:
            reason = Text(plain(shown_name(card.lost_reason)), style="red")
            table.add_row(pgettext("deal record", "Lost"), reason)
        company = Text(plain(card.company) or "—")
        table.add_row(pgettext("deal record", "Company"), company)
        contact = Text(plain(lead.name))
        for part in (lead.title, lead.phone_display or lead.phone_raw, lead.email_norm):
            if part:
                contact.append(f" · {plain(part)}")
        table.add_row(pgettext("deal record", "Contact"), contact)
        link = Text.assemble((f"#{lead.id} ", "bold"), plain(lead.name))
        link.append(_("   l opens the lead · q its checklist"), style="dim")
        table.add_row(pgettext("deal record", "Lead"), link)
        table.add_row(pgettext("deal record", "Owner"), Text(plain(card.owner)))
        if opp.notes:
            table.add_row(pgettext("deal record", "Notes"), Text(plain(opp.notes)))
        return table

    def _next_action(self, card: Card, marks) -> Text:
        if card.state != OPP_OPEN:
            return Text("—", style="dim")
        if card.next_action_due is None:
            return Text(_("○ nothing scheduled"), style="yellow")
        action = plain(card.next_action) or _("next action")
        due = date_short(card.next_action_due)
        if card.next_action_at is not None:
            due += " " + clock_text(local_moment(card.next_action_at, self.app.zone))
        text = Text(f"{action} · {due}")
        if marks.overdue:
            text = Text("‼ ", style="bold red") + text
            text.stylize("red")
        return text

    def _timeline(self, record: DealRecord) -> Text:
        """Moves, changes and activities interleaved; the lead's own activities (from
        before the deal, and since) marked as the lead's."""
        rules = self.app.rules
        events = [move_event(m, rules.config) for m in record.moves]
        events += history_events(record.history, rules.config, rules.zone)
        events += [
            activity_event(a, "" if a.opportunity_id == self.opp_id else "lead", self.app.zone)
            for a in record.activities
        ]
        text = Text()
        text.append(
            _("Timeline · moves, changes and activities, the lead's marked") + "\n", style="bold"
        )
        return text + timeline_text(events, rules.zone, rules.today())

    # ------------------------------------------------------------------ keys

    def current_deal(self) -> Card | None:
        return self.record.card if self.record else None

    def _deal_written(self, opp_id: int, done: Text, fresh) -> None:
        self._deal_message(done)
        self.load()

    def _deal_message(self, text: Text | None) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.update(text or "")
        outcome.display = text is not None

    def _deal_reload(self) -> None:
        self.load()

    def hand_over_target(self) -> HandOverTarget | None:
        card = self.current_deal()
        if card is None:
            return None
        return HandOverTarget("opportunity", card.id, card.name, card.owner, card.version)

    def _hand_over_said(self, text: Text) -> None:
        self._deal_message(text)

    def action_lead(self) -> None:
        if self.record:
            from funnel_tui.tui.screens.lead import LeadScreen

            self.app.push_screen(LeadScreen(self.record.lead.id))

    def action_checklist(self) -> None:
        if self.record:
            self.app.open_checklist(self.record.lead.id)

    def action_company(self) -> None:
        """The record of the deal's company (the account)."""
        if self.record is None:
            return
        company_id = self.record.opportunity.company_id or self.record.lead.company_id
        if company_id is not None:
            self.app.open_company(company_id)
        else:
            self._deal_message(Text(_("This deal has no company."), style="yellow"))

    def action_back(self) -> None:
        self.dismiss()
