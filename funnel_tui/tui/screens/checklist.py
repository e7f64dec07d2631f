"""The qualification checklist of one lead: BANT and the ideal customer profile, each
answer changed with one key, the score explained item by item, the engagement signal,
and the promotion gate, whose every reason has a key that jumps to what fixes it.

Nothing here is typed into a field, so single letters are the keys: y / n / u answer
the item under the cursor, e notes the evidence, p asks the gate, c converts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

from funnel_tui.core import validators as v
from funnel_tui.core.dates import parse_date
from funnel_tui.core.errors import DueDateError, StaleEdit
from funnel_tui.core.formats import date_short, day_month
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language
from funnel_tui.core.labels import vocab_label
from funnel_tui.core.output import fit, plain
from funnel_tui.core.vocab import ANSWER_NO, ANSWER_UNKNOWN, ANSWER_YES, BANT_ITEMS, LEVEL_LEAD
from funnel_tui.live.drafts import form_key
from funnel_tui.read.checklist import ChecklistState, load_checklist, reload_answers
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.history_words import with_article
from funnel_tui.rules.scoring import BANT_LABELS
from funnel_tui.tui.actions.status_actions import LeadStatusActions
from funnel_tui.tui.dialogs.convert import ConvertDialog
from funnel_tui.tui.dialogs.dialogs import ConfirmDialog, TextDialog
from funnel_tui.tui.screens.lead import open_deal, opportunity_link
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.status import level_text, status_text
from funnel_tui.tui.widgets.text_block import TextBlock
from funnel_tui.tui.workers import read_worker, run_write, write_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


ANSWER_MARKS = {
    ANSWER_YES: ("✔", "green"),
    ANSWER_NO: ("✘", "red"),
    ANSWER_UNKNOWN: ("?", "yellow"),
}
MAX_REASON_KEYS = 9  # reasons 1–9 of a refusal each get a digit key
# Each digit's description whole, for the key bar and the help to look up.
FIX_REASONS = (
    N_("Fix reason 1"),
    N_("Fix reason 2"),
    N_("Fix reason 3"),
    N_("Fix reason 4"),
    N_("Fix reason 5"),
    N_("Fix reason 6"),
    N_("Fix reason 7"),
    N_("Fix reason 8"),
    N_("Fix reason 9"),
)


class ChecklistView(Widget, can_focus=True):
    """The checklist's items as lines, one of them under the cursor."""

    DEFAULT_CSS = """
    ChecklistView { height: auto; padding: 0 1; }
    ChecklistView > .checklist--cursor { background: $accent 40%; text-style: bold; }
    ChecklistView:focus > .checklist--cursor { background: $accent; }
    ChecklistView > .checklist--section { color: $text-muted; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"checklist--cursor", "checklist--section"}
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("down,j", "move(1)", "Down", show=False, id="checklist.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="checklist.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="checklist.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="checklist.pageup"),
        Binding("home", "jump(0)", "First", show=False, id="checklist.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="checklist.last"),
    ]

    cursor = reactive(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state: ChecklistState | None = None
        self.label_width = 16

    @property
    def keys(self) -> list[str]:
        return [i.key for i in self.state.score.items] if self.state else []

    @property
    def current(self) -> str | None:
        keys = self.keys
        return keys[self.cursor] if keys else None

    def clear(self) -> None:
        self.state, self.cursor = None, 0
        self.refresh(layout=True)

    def show(self, state: ChecklistState) -> None:
        rows_before = len(self.keys) if self.state else None
        if self.state is None or self.state.lead.id != state.lead.id:
            self.cursor = 0  # another lead's checklist starts at its first item
        self.state = state
        self.label_width = min(26, max(cell_len(_(i.label)) for i in state.score.items))
        self.cursor = min(self.cursor, max(0, len(self.keys) - 1))
        # A new layout only when the height changes: an answer changes lines, not rows.
        self.refresh(layout=len(self.keys) != rows_before)

    def go_to(self, key: str) -> None:
        if key in self.keys:
            self.cursor = self.keys.index(key)

    def action_move(self, delta: int) -> None:
        if self.keys:
            self.cursor = max(0, min(len(self.keys) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        box = self.parent if isinstance(self.parent, Widget) else self
        self.action_move(direction * max(1, box.size.height - 2))

    def action_jump(self, where: int) -> None:
        self.action_move(-len(self.keys) if where == 0 else len(self.keys))

    def watch_cursor(self) -> None:
        # The whole note under the list follows the cursor, and its height with it.
        self.refresh(layout=True)
        self.call_after_refresh(self._cursor_in_view)

    def _cursor_in_view(self) -> None:
        """More items than fit (a long ICP) scroll with the totals and the gate under
        them: the cursor's line, and the heading above the first item, stay in view; on
        the last item, the totals and the gate show under it."""
        box = self.parent
        if not isinstance(box, Widget) or not box.allow_vertical_scroll:
            return
        line = self.cursor + 1 + (self.cursor >= len(BANT_ITEMS))
        if self.cursor == len(self.keys) - 1:  # the last: what is under it too
            box.scroll_to(y=min(box.max_scroll_y, line), animate=False, immediate=True)
            return
        y = 0 if self.cursor == 0 else line
        box.scroll_to_region(Region(0, y, 1, 1), animate=False, immediate=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self.state:
            return 1
        return len(self.keys) + 2 + len(self._whole_note(width))

    def render(self) -> Text:
        if self.state is None:
            return Text(_("Loading…"), style="dim")
        section = self.get_component_rich_style("checklist--section", partial=True)
        cursor = self.get_component_rich_style("checklist--cursor", partial=True)
        width = max(40, self.size.width)
        out = Text(no_wrap=True, overflow="ellipsis")
        for index, item in enumerate(self.state.score.items):
            if index == 0:
                out.append("BANT\n", style=section)
            elif index == len(BANT_ITEMS):
                out.append(_("Ideal customer profile") + "\n", style=section)
            line = self._line(item, width)
            if index == self.cursor:
                line.stylize(cursor)
            out.append_text(line)
            out.append("\n")
        for line in self._whole_note(self.size.width):
            out.append_text(line)
            out.append("\n")
        out.rstrip()
        return out

    def _whole_note(self, width: int) -> list[Text]:
        """The evidence (or fact) of the item under the cursor, whole, wrapped to the
        width: its line in the list has room for the start of it only."""
        if not self.state or not self.keys:
            return []
        item = self.state.score.items[self.cursor]
        note, who = self._note(item)
        if not note:
            return []
        text = Text.assemble(
            (f"{plain(_(item.label))}: ", "bold"),
            (note, "italic"),
            (f"  {who}" if who else "", "dim"),
        )
        return list(text.wrap(self.app.console, max(20, width - 2)))

    def _note(self, item) -> tuple[str, str]:
        """What an item's line says after its points: the evidence (a figure before
        it, or the fact it was read from), and who answered when."""
        answered = self.state.answered.get(item.key)
        note = plain(item.evidence)
        if item.source != "checklist":
            fact = plain(self.state.facts.get(item.key, ""))
            note = _("{value} (from the company data)").format(value=fact)
        elif answered and answered.value:
            note = f"{plain(answered.value)} · {note}" if note else plain(answered.value)
        asked = answered and item.source == "checklist"
        who = f"{plain(answered.by)[:8]} {answered.at:%m-%d}" if asked else ""
        return note, who

    def _line(self, item, width: int) -> Text:
        glyph, colour = ANSWER_MARKS.get(item.answer, ("", ""))
        mark = f"{glyph} {vocab_label(item.answer)}".strip()
        line = Text()
        line.append("▸ " if self.keys[self.cursor] == item.key else "  ")
        label = fit(plain(_(item.label)), self.label_width)
        line.append(label + " " * (self.label_width + 1 - cell_len(label)))
        line.append(mark + " " * max(1, 10 - cell_len(mark)), style=colour)
        points = f"{item.points:>2}/{item.max_points:<2}"
        line.append(f"{points}  ", style="bold" if item.points else "dim")
        note, who = self._note(item)
        room = width - line.cell_len - len(who) - 1
        shown = Text(note, style="italic" if item.source != "checklist" else "")
        shown.truncate(max(0, room), overflow="ellipsis", pad=True)
        line.append_text(shown)
        line.append(" ")
        line.append(who, style="dim")
        return line


# The digit keys' actions and ids, made before the bindings so that the catalog's
# extractor, which reads each Binding's description, meets no f-string in the call.
_FIX_ACTIONS = tuple(f"fix({n})" for n in range(1, MAX_REASON_KEYS + 1))
_FIX_IDS = tuple(f"checklist.fix{n}" for n in range(1, MAX_REASON_KEYS + 1))


class ChecklistScreen(LeadStatusActions, Screen[None]):
    TITLE = N_("Checklist")
    AUTO_FOCUS = "ChecklistView"
    DEFAULT_CSS = """
    ChecklistScreen #summary { height: auto; padding: 0 1; background: $boost; }
    ChecklistScreen #checklist-box { height: 1fr; }
    ChecklistScreen #totals { height: auto; padding: 0 1; margin-top: 1; }
    ChecklistScreen #gate { height: auto; padding: 0 1; }
    ChecklistScreen #outcome { height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("y", "answer('yes')", "Yes", id="checklist.yes"),
        Binding("n", "answer('no')", "No", id="checklist.no"),
        Binding("u", "answer('unknown')", "Unknown", id="checklist.unknown"),
        Binding("e", "evidence", "Evidence…", id="checklist.evidence"),
        Binding("v", "figure", "Figure…", id="checklist.figure", show=False),
        Binding("p", "promote", "Promote", id="checklist.promote"),
        Binding("c", "convert", "Convert…", id="checklist.convert"),
        Binding("w", "status('working')", "Working", id="checklist.working", show=False),
        Binding("f6", "nurture", "Nurture…", id="checklist.nurture", show=False),
        Binding("d,f7", "unqualify", "Disqualify…", id="checklist.unqualify", show=False),
        Binding("r", "status('new')", "Reopen as new", id="checklist.reopen", show=False),
        Binding("o", "open_record", "Lead record", id="checklist.record", show=False),
        Binding("dollar_sign", "deal", "Deal", id="checklist.deal", show=False),
        Binding("escape", "back", "Back", id="checklist.back"),
        *(
            Binding(str(n), _FIX_ACTIONS[n - 1], FIX_REASONS[n - 1], show=False, id=_FIX_IDS[n - 1])
            for n in range(1, MAX_REASON_KEYS + 1)
        ),
    ]

    def __init__(self, lead_id: int = 0) -> None:
        super().__init__()
        self.lead_id = lead_id
        self.version: int | None = None  # status changes here need no version check
        self.state: ChecklistState | None = None
        self._preloaded: ChecklistState | None = None  # given before the screen mounted
        self._then: tuple[str, str] = ("", "")  # a form to open once shown (show_lead)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield TextBlock("Loading…", id="summary")
        with VerticalScroll(id="checklist-box", can_focus=False):
            yield ChecklistView(id="checklist")
            yield TextBlock(id="totals")
            yield TextBlock(id="gate")
            yield TextBlock(id="outcome")
        yield KeyBar()

    def show_lead(
        self, lead_id: int, state: ChecklistState | None = None, then: tuple[str, str] = ("", "")
    ) -> None:
        """Serve `lead_id` (the app keeps one checklist screen for every lead), with its
        `state` when already loaded; else it loads when shown. `then`: a form to open
        once it is shown, and on which item ("evidence", "need"), to finish a draft."""
        self.lead_id, self.state, self._preloaded = lead_id, None, state
        self._then = then if state is not None else ("", "")
        if not self.is_mounted:
            return
        self.query_one("#outcome", TextBlock).show("")
        if state is not None:
            self._show(state)
            return
        self.query_one(ChecklistView).clear()
        for part in ("#totals", "#gate"):
            self.query_one(part, TextBlock).show("")
        loading = _("Loading lead #{id}…").format(id=lead_id)
        self.query_one("#summary", TextBlock).show(Text(loading))

    def on_mount(self) -> None:
        if self._preloaded is not None:
            self._show(self._preloaded)

    def on_screen_resume(self) -> None:
        if self.state is None or self.state.lead.id != self.lead_id:
            self.load()

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Something changed this lead: show the checklist as it is now."""
        if changes is None or changes.touches("lead", self.lead_id):
            self.load()

    # ------------------------------------------------------------------ loading

    @read_worker("checklist-load", exclusive=True)
    def load(self) -> None:
        state = load_checklist(self.app.rules, self.lead_id)
        self.app.call_from_thread(self._show, state)

    def _show(self, state: ChecklistState | None) -> None:
        if state is None:
            missing = _("No lead #{id}").format(id=self.lead_id)
            self.query_one("#summary", TextBlock).show(Text(missing))
            return
        self.state = state
        self.query_one(ChecklistView).show(state)
        self.query_one("#summary", TextBlock).show(self._summary(state))
        self.query_one("#totals", TextBlock).show(self._totals(state))
        self.query_one("#gate", TextBlock).show(self._gate(state))
        form, item = self._then
        if form:
            self._then = ("", "")
            if item:
                self.query_one(ChecklistView).go_to(item)
            {"convert": self.action_convert, "evidence": self.action_evidence,
             "figure": self.action_figure}[form]()  # fmt: skip

    def _summary(self, state: ChecklistState) -> Text:
        lead = state.lead
        text = Text.assemble((f"#{lead.id} ", "bold"), (plain(lead.name), "bold"))
        if state.company:
            text.append(" · ")
            text.append(plain(state.company))
        text.append("   ")
        text.append_text(status_text(lead.status))
        text.append(" · ")
        text.append_text(level_text(lead.level))
        text.append("   " + _("owner {owner}").format(owner=plain(state.owner)), style="dim")
        for opp in state.opportunities:
            text.append_text(opportunity_link(opp))
        return text

    def _totals(self, state: ChecklistState) -> Text:
        config = self.app.config
        score = state.score.total
        text = Text.assemble((_("Score") + " ", "bold"), (f"{score}/100", "bold"))
        ok = score >= config.min_score
        text.append(f" (≥{config.min_score})", style="green" if ok else "yellow")
        bant_ok = state.score.bant_yes >= config.min_bant_yes
        text.append("  " + _("BANT yes {count}/4").format(count=state.score.bant_yes))
        text.append(f" (≥{config.min_bant_yes})", style="green" if bant_ok else "yellow")
        engagement = state.engagement
        text.append("  " + _("Engagement") + " ", style="bold")
        text.append(f"{engagement.level}", style="bold")
        if engagement.last is None:
            text.append(" " + _("(no two-way contact yet)"), style="dim")
        else:
            last = engagement.last
            when = day_month(last) if last.year == self.app.today().year else date_short(last)
            if current_language() == ENGLISH:  # as it always read: "3 Mar", "3 Mar 2025"
                year = "" if last.year == self.app.today().year else f" {last.year}"
                when = f"{last.day} {last:%b}{year}"
            two_way = _("({count} two-way, {date})").format(
                count=engagement.interactions, date=when
            )
            text.append(f" {two_way}", style="dim")
        return text

    def _gate(self, state: ChecklistState) -> Text:
        if state.lead.level != LEVEL_LEAD:
            already = {
                "prospect": _("Already a prospect: c opens a new deal."),
                "opportunity": _("Already an opportunity: c opens a new deal."),
                "customer": _("Already a customer: c opens a new deal."),
            }
            level = with_article(state.lead.level)
            fallback = f"Already {level}: c opens a new deal."
            return Text(already.get(state.lead.level, fallback), style="dim")
        if not state.gate:
            return Text(_("Gate: ✔ ready to promote — p makes it a prospect."), style="green")
        # Reasons fill lines whole, never broken inside: nine still fit at 80×24.
        width = max(40, self.query_one("#gate").size.width - 2 or 78)
        text = Text(_("Gate ✘ not yet; a number goes to what fixes it:"), style="yellow")
        line = width  # start the first reason on a line of its own
        for number, problem in enumerate(state.gate[:MAX_REASON_KEYS], start=1):
            reason = reason_text(problem)
            unit = len(str(number)) + 3 + reason.cell_len
            if line + unit > width:
                text.append("\n")
                line = 0
            elif line:
                text.append("   ")
                line += 3
            text.append(f" {number} ", style="bold reverse")
            text.append(" ")
            text.append_text(reason)
            line += unit
        if len(state.gate) > MAX_REASON_KEYS:
            more = _("… and {count} more").format(count=len(state.gate) - MAX_REASON_KEYS)
            text.append(f"\n{more}", style="dim")
        return text

    # ------------------------------------------------------------------ answers

    def action_answer(self, answer: str) -> None:
        item = self._item()
        if item is None:
            return
        if item.source != "checklist":
            # The one other source is the company data (rules.scoring).
            told = _("{item} comes from the company data; it is not asked.")
            self._outcome(Text(told.format(item=_(item.label)), style="dim"))
            return
        self._answer(item.key, answer, item.evidence, self._figure(item.key))

    def action_evidence(self) -> None:
        item = self._item()
        if item is None:
            return

        draft = form_key("evidence", "lead", self.lead_id, item.key)

        def kept(text: str | None) -> None:
            if text is not None:
                self._answer(item.key, item.answer, text, self._figure(item.key), draft)

        self.app.push_screen(
            TextDialog(
                _("Evidence for {item}").format(item=_(item.label)),
                item.evidence,
                placeholder=_("e.g. CFO confirmed 40k in the Q3 budget on the call of 12 May"),
                draft=draft,
                label=_("evidence for {item} on {lead}").format(
                    item=_(item.label), lead=self._lead_label()
                ),
            ),
            kept,
        )

    def action_figure(self) -> None:
        """For an ICP item the company data does not answer: the figure or value it is
        judged by (250 employees, "Logistics")."""
        item = self._item()
        if item is None or not item.key.startswith("icp:") or item.source != "checklist":
            self._outcome(Text(_("v gives a figure for an ICP item that is asked."), style="dim"))
            return

        draft = form_key("figure", "lead", self.lead_id, item.key)

        def kept(text: str | None) -> None:
            if text is not None:
                self._answer(item.key, ANSWER_UNKNOWN, item.evidence, text, draft)

        self.app.push_screen(
            TextDialog(
                _("{item}: the figure").format(item=_(item.label)),
                self._figure(item.key),
                draft=draft,
                label=_("the figure for {item} on {lead}").format(
                    item=_(item.label), lead=self._lead_label()
                ),
            ),
            kept,
        )

    def _lead_label(self) -> str:
        name = self.state.lead.name if self.state is not None else ""
        if name:
            return _("{name} (lead #{id})").format(name=name, id=self.lead_id)
        return _("lead #{id}").format(id=self.lead_id)

    def _figure(self, key: str) -> str:
        """The figure the item was last answered with ("" for none): kept by an answer."""
        answered = self.state.answered.get(key)
        return answered.value if answered else ""

    def _item(self):
        key = self.query_one(ChecklistView).current
        return self.state.score.item(key) if self.state and key else None

    @write_worker("checklist-answer")
    def _answer(self, item: str, answer: str, evidence: str, value: str, draft: str = "") -> None:
        """Store an answer; `draft` names the draft of the text typed for it, dropped
        once it is stored."""

        def store(rules: Funnel) -> ChecklistState | None:
            rules.answer(self.lead_id, item, answer, evidence=evidence, value=value)
            shown = self.state
            if shown is not None and shown.lead.id == self.lead_id:
                return reload_answers(rules, shown)
            return load_checklist(rules, self.lead_id)

        run_write(
            self.app,
            store,
            done=lambda state: self._answered(state, draft),
            refused=lambda exc: self._refused(exc.problems),
            failed=self._failed,
            retry=lambda: self._answer(item, answer, evidence, value, draft),
        )

    def _answered(self, state: ChecklistState | None, draft: str = "") -> None:
        if draft:
            self.app.drafts.discard(draft)
        # The state read after the write is already current: no second load here (the
        # list below reloads when it is shown again).
        self._show(state)
        self._outcome(None)

    # ---------------------------------------------------------------- the gate

    def action_promote(self) -> None:
        self._write(lambda rules: rules.promote(self.lead_id), _("Promoted to prospect."))

    def action_fix(self, number: int) -> None:
        """Go to what fixes reason `number` of the gate's refusal."""
        if self.state is None or not 0 < number <= len(self.state.gate):
            return
        problem = self.state.gate[number - 1]
        view = self.query_one(ChecklistView)
        field = problem.field
        if field in BANT_ITEMS:
            view.go_to(field)
        elif field == "bant":
            view.go_to(next(k for k in BANT_ITEMS if self.state.item(k).answer != ANSWER_YES))
        elif field == "score":
            open_items = [i.key for i in self.state.score.items if i.answer != ANSWER_YES]
            asked = [k for k in open_items if self.state.item(k).source == "checklist"]
            if asked:
                view.go_to(asked[0])
        elif field in ("phone", "email", "contact"):
            self.app.open_lead(self.lead_id, focus="phone" if field == "contact" else field)
            return
        elif field == "status":
            self._outcome(Text(_("r reopens the lead as new."), style="yellow"))
            return
        view.focus()

    # -------------------------------------------------------------- conversion

    def action_convert(self, values: dict[str, str] | None = None, errors=None) -> None:
        if self.state is None:
            return
        config = self.app.config
        stages = tuple(s.name for s in config.open_stages)
        values = values or ConvertDialog.defaults(
            config.default_currency, stages[0], self.app.today()
        )

        def submitted(result: dict[str, str] | None) -> None:
            if result is not None:
                self._convert(result, allow_past=False)

        draft = form_key("convert", "lead", self.lead_id)
        self.app.push_screen(
            ConvertDialog(plain(self.state.lead.name), stages, values, errors, draft), submitted
        )

    @write_worker("checklist-convert")
    def _convert(self, values: dict[str, str], allow_past: bool) -> None:
        problems: list[v.Problem] = []
        close = None
        if values["close"].strip():
            try:
                close = parse_date(values["close"], self.app.today(), self.app.config.date_order)
            except DueDateError as exc:
                problems.append(v.Problem("close", "invalid", str(exc)))
        if problems:
            self.app.call_from_thread(self._convert_refused, values, problems)
            return
        options = {"allow_past_close": True} if allow_past else {}
        run_write(
            self.app,
            lambda rules: rules.convert(
                self.lead_id,
                amount=values["amount"],
                currency=values["currency"],
                expected_close=close,
                stage=values["stage"],
                **options,
            ),
            done=lambda opp: self._converted(opp.id),
            refused=lambda exc: self._convert_refused(values, exc.problems),
            failed=self._failed,
            retry=lambda: self._convert(values, allow_past),
        )

    def _converted(self, opp_id: int) -> None:
        self.app.drafts.discard(form_key("convert", "lead", self.lead_id))
        self._written(_("Opportunity #{id} created.").format(id=opp_id))

    def _convert_refused(self, values: dict[str, str], problems: list[v.Problem]) -> None:
        if len(problems) == 1 and problems[0].code == "past":

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._convert(values, allow_past=True)
                else:
                    self.action_convert(values, {"close": problems[0].message})

            self.app.push_screen(
                ConfirmDialog(
                    _("Close date in the past"),
                    _("{date} has passed. Open the deal with it anyway?").format(
                        date=values["close"]
                    ),
                    yes=_("Use it"),
                    no=_("Change it"),
                ),
                confirmed,
            )
            return
        errors: dict[str, str] = {}
        for problem in problems:
            key = problem.field if problem.field in ("amount", "currency", "close", "stage") else ""
            errors[key] = (errors.get(key, "") + "  " if key in errors else "") + (
                f"✘ {problem.message}" if key else f"✘ {problem}"
            )
        self.action_convert(values, errors)

    # ------------------------------------------------------------- outcomes

    def _written(self, done: str) -> None:
        self._outcome(Text(f"✔ {done}", style="green"))
        self.load()  # the list below reloads when it is shown again

    def _refused(self, problems: list[v.Problem]) -> None:
        self._outcome(Text(_("✘ Not yet: the reasons are listed above."), style="red"))
        if problems and self.state is not None:
            self.state = _with_gate(self.state, problems)
            self.query_one("#gate", TextBlock).show(self._gate(self.state))

    def _stale(self, exc: StaleEdit) -> None:
        self._outcome(Text(_("✘ Someone changed this lead meanwhile; shown as it is now."), "red"))
        self.load()

    def _failed(self, reason: str) -> None:
        failed = _("✘ Could not save ({reason}); nothing changed. Try again.")
        self._outcome(Text(failed.format(reason=reason), "red"))

    def _outcome(self, text: Text | None) -> None:
        self.query_one("#outcome", TextBlock).show(text or "")

    def action_open_record(self) -> None:
        self.app.open_lead(self.lead_id)

    def action_deal(self) -> None:
        open_deal(self, self.state.opportunities if self.state else [])

    def action_back(self) -> None:
        self.app.pop_screen()


def reason_text(problem: v.Problem) -> Text:
    """A gate reason as a person reads it: "Authority: unknown", "score 42 < 60"."""
    if problem.field in BANT_LABELS:
        label = _(BANT_LABELS[problem.field])
        return Text(_("{field}: {message}").format(field=label, message=plain(problem.message)))
    if problem.field == "score":
        return Text(_("score {message}").format(message=plain(problem.message)))
    if problem.field in ("bant", "level", "status"):
        return Text(plain(problem.message))
    return Text(str(problem))


def _with_gate(state: ChecklistState, problems: list[v.Problem]) -> ChecklistState:
    return replace(state, gate=list(problems))
