"""The lead list: every lead, searched as you type, filtered, sorted, paged from SQL;
leads marked (lead_marks.py) and acted on many at once (lead_bulk.py); following what
the rest of the team writes while it is open, at the cost of what changed on screen."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Label

from funnel_tui.core.contact_urls import mail_url, tel_url
from funnel_tui.core.formats import date_short, number
from funnel_tui.core.i18n import N_, _, ngettext, pgettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.output import plain
from funnel_tui.core.vocab import LEAD_STATUSES
from funnel_tui.read.queries import (
    SORT_KEYS,
    LeadQuery,
    lead_count,
    lead_ids,
    lead_page,
    status_counts,
    with_engagement,
)
from funnel_tui.read.search import (
    LIST_COUNT_CAP,
    lead_page_ids,
    lead_rows,
    listed_among,
    one_answer,
)
from funnel_tui.tui.actions.hand_over import HandOverTarget, HandsOver, hand_over_binding
from funnel_tui.tui.links import linked
from funnel_tui.tui.screens.lead_bulk import LeadBulkActions
from funnel_tui.tui.screens.lead_marks import Marks, mark_column
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.lead_table import PAGE_SIZE, Column, LeadTable
from funnel_tui.tui.widgets.line import Line
from funnel_tui.tui.widgets.status import STATUS_GLYPHS, level_text, status_text
from funnel_tui.tui.widgets.text_input import TextInput
from funnel_tui.tui.workers import kept_read, read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


# A search's counts per status wait for this pause in typing: counted at every key,
# they would take the database from the next key's rows.
COUNTS_AFTER_SECONDS = 0.15
COUNT_CAP = LIST_COUNT_CAP  # exact counts: the list's height must be right to scroll to the end
# A search counts this many matches at most while it is typed, "1,000+ shown", and
# exactly once typing pauses (with the counts per status): counting the 380,000 leads
# "k" finds takes PostgreSQL over a second at a million leads, and a few of them
# fill the screen.
TYPING_COUNT_CAP = 1_000
# Lines read above and below the screen when others wrote: rows that moved by up to this
# many lines are found again, and the view follows them instead of drawing them again.
FOLLOW_SLACK = 10
STATUS_CYCLE = ("", *LEAD_STATUSES)


def sort_titles() -> dict[str, str]:
    """Each sort key as this rep reads it (built on each call: the language is set at
    start, after this module is imported)."""
    return {
        "created_at": _("newest"),
        "name": pgettext("sort", "name"),
        "company": pgettext("sort", "company"),
        "status": pgettext("sort", "status"),
        "source": pgettext("sort", "source"),
        "owner": pgettext("sort", "owner"),
        "score": pgettext("sort", "score"),
        "engagement": pgettext("sort", "engagement"),
        "country": pgettext("sort", "country"),
        "level": pgettext("sort", "level"),
    }


def _phone(row: dict[str, Any]) -> Text:
    """The number as shown, a tel: link where the terminal takes one (tui.links)."""
    text = Text(plain(row.get("phone_display") or row.get("phone_raw")))
    return linked(text, tel_url(row.get("phone_e164") or ""))


def _email(row: dict[str, Any]) -> Text:
    text = Text(plain(row.get("email_norm") or row.get("email_raw")))
    return linked(text, mail_url(row.get("email_norm") or ""))


def _score(row: dict[str, Any]) -> Text:
    return Text(f"{row.get('score') or 0:>3}")


def _engagement(row: dict[str, Any]) -> Text:
    level = row.get("engagement")
    if level is None:  # never reached two-way: not the same as faded to 0
        return Text("  ·", style="dim")
    return Text(f"{level:>3}")


def _created(row: dict[str, Any]) -> Text:
    value = row.get("created_at")
    return Text(date_short(value) if hasattr(value, "strftime") else plain(value))


PHONE_WIDTH = len("+86 138 0013 8000")

COLUMNS = [
    Column("status", N_("St"), 2, lambda r: status_text(r["status"], with_word=False)),
    # What a rep needs is never cut: the phone fits a whole international number
    # ("+86 138 0013 8000"), and width beyond 80 columns goes to phone and name first.
    Column("name", N_("Name"), 0, min_width=20, weight=3),
    Column("company", N_("Company"), 0, min_width=12),
    Column("phone", N_("Phone"), 0, _phone, min_width=PHONE_WIDTH, weight=2, max_width=20),
    Column(
        "email",
        N_("Email"),
        0,
        _email,
        min_width=14,
    ),
    Column("score", N_("Sc"), 3, _score),
    Column("engagement", N_("En"), 3, _engagement),
    Column("level", N_("Level"), 12, lambda r: level_text(r["level"]), min_width=1),
    Column("source", N_("Source"), 12, min_width=1),
    Column("owner", N_("Owner"), 8, min_width=1),
    Column("created_at", N_("Created"), 10, _created, min_width=1),
]


def _followed_top(ids: list[int], start: int, top: int, held: list[int]) -> int:
    """Where the view goes after others' writes: `ids` are the list's ids now from line
    `start`, `held` those that showed from line `top`. Scrolled down the list, the view
    follows its rows when leads came or went above them (found within the slack read);
    at the top it stays, to show what came in first."""
    if top == 0 or not held:
        return top
    for at in range(len(ids) - len(held) + 1):
        if ids[at : at + len(held)] == held:
            return start + at
    return top


class LeadListScreen(HandsOver, LeadBulkActions, Screen[None]):
    TITLE = N_("Leads")
    # Its styles as default CSS, not a CSS_PATH file: a mode's screen with a file of its
    # own makes Textual parse every stylesheet of the app twice more as it starts
    # (some 10 ms of every start of funnel, on this first screen).
    DEFAULT_CSS = """
    LeadListScreen #search-row {
        height: 1;
        padding: 0 1;
    }

    LeadListScreen #search-label {
        width: 2;
        text-style: bold;
    }

    LeadListScreen #search {
        width: 1fr;
    }

    /* Room for "1,000+ shown" and more, so that a count of another width does not lay
       the screen out again at each key typed in the search (Line.show). */
    LeadListScreen #total {
        width: auto;
        min-width: 16;
        padding-left: 1;
        text-align: right;
        color: $text-muted;
    }

    LeadListScreen #filters,
    LeadListScreen #counts,
    LeadListScreen #columns {
        height: 1;
        padding: 0 1;
    }

    /* The table draws its own lines edge to edge; its header line matches it. */
    LeadListScreen #columns {
        background: $boost;
        padding: 0;
    }
    """
    AUTO_FOCUS = "LeadTable"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("slash", "search", "Search", id="leads.search"),
        Binding("q", "checklist", "Checklist", id="leads.checklist"),
        Binding("t", "cycle_status", "Status filter", id="leads.status"),
        Binding("m", "toggle_mine", "Mine / all", id="leads.mine"),
        Binding("u", "cycle_source", "Source filter", id="leads.source"),
        Binding("plus", "score(10)", "Score ≥ +10", id="leads.score_up", show=False),
        Binding("minus", "score(-10)", "Score ≥ −10", id="leads.score_down", show=False),
        Binding("o", "choose_sort", "Sort…", id="leads.sort"),
        Binding("r", "reverse", "Reverse", id="leads.reverse", show=False),
        Binding("x", "reset_filters", "Clear filters", id="leads.reset", show=False),
        Binding("i", "app.switch_mode('import')", "Import", id="leads.import", show=False),
        Binding("c", "company", "Company", id="leads.company", show=False),
        Binding(
            "D", "app.switch_mode('duplicates')", "Duplicates", id="leads.duplicates", show=False
        ),
        hand_over_binding("leads"),
        # Marks and the actions on them (lead_bulk.py); after the filters, so the key
        # bar at 80 columns keeps its keys, and the marks line names `b` while marked.
        Binding("space", "mark", "Mark / unmark", id="leads.mark"),
        Binding("asterisk", "mark_all", "Mark all that match", id="leads.mark_all"),
        Binding("ctrl+u", "clear_marks", "Clear the marks", id="leads.clear_marks"),
        Binding("b", "bulk", "Act on marked…", id="leads.bulk"),
        Binding("ctrl+z", "undo", "Undo my last change", id="leads.undo", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = LeadQuery()
        self.marks = Marks()
        self._mark_column = mark_column(self.marks)
        self._message: Text | None = None
        self._total = 0
        self._counts_timer: Timer | None = None
        self._by_status: dict[str, int] | None = None  # the counts shown (None: to come)
        self._following = False  # a read of others' writes is under way
        self._heard: Changes | None = None  # others' writes heard meanwhile
        self._capped_at: LeadQuery | None = None  # the search whose total is capped

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="search-row"):
            yield Label("/", id="search-label")
            yield TextInput(
                placeholder=_("search name, company, email, phone"),
                compact=True,
                id="search",
                select_on_focus=False,
            )
            yield Line(id="total")  # as wide as its words
        # Drawn at their width: a resize redraws them without laying the screen out again.
        yield Line(draw=self._filters_line, id="filters")
        yield Line(id="counts")
        yield Line(draw=self._columns_line, id="columns")
        yield LeadTable(COLUMNS, id="table")
        yield KeyBar()

    def on_mount(self) -> None:
        self._shown_once = False
        # A number typed with the region's trunk prefix is read in it ("0151" in DE).
        self.query_state = LeadQuery(region=self.app.config.default_region)
        first = self.app.first_list()  # read ahead while the app loaded (read.ahead)
        if first is not None and first.query == self.query_state:
            # Shown before the first frame: no empty list painted before the rows.
            self._show_filters()
            rows = self._with_engagement([dict(row) for row in first.rows])
            self._loaded(first.query, first.total, first.counts, rows, False)
            self.query_one(LeadTable).focus()  # as AUTO_FOCUS would, after the frame
            return
        self.reload()  # at mount, not at the first resume: the query runs during layout

    def on_screen_resume(self) -> None:
        if self._shown_once:
            self.refresh_data()  # back from another screen: it may have changed leads
        self._shown_once = True

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Reload after a change, here or elsewhere, keeping the cursor where it is:
        everything after this instance's own writes, only what others' changed on
        screen after theirs (follow)."""
        if changes is None or changes.everything:
            self.reload(keep_cursor=True)
            return
        self._heard = changes if self._heard is None else self._heard.merged_with(changes)
        if not self._following:
            self._follow_next()

    # ---------------------------------------------------------------- queries

    def reload(self, keep_cursor: bool = False) -> None:
        """Count and fetch again for the current query (the cursor stays where it was)."""
        self._show_filters()
        self._load(self.query_state, keep_cursor)

    @read_worker("leads-query", exclusive=True)
    def _load(self, query: LeadQuery, keep_cursor: bool) -> None:
        with one_answer():  # the search's matches are counted once for both
            total = lead_count(query, cap=TYPING_COUNT_CAP if query.text else COUNT_CAP)
            first = self._with_engagement(lead_page(query, 0, PAGE_SIZE))
            # Without a search the counts per status are kept counts or index ranges:
            # with the rows. A search's are four counts over every match (up to 150 ms
            # at 1M leads): they follow once typing pauses (_count).
            counts = None if query.text else status_counts(query)
        self.app.call_from_thread(self._loaded, query, total, counts, first, keep_cursor)

    def _count_later(self, query: LeadQuery) -> None:
        if self._counts_timer is not None:
            self._counts_timer.stop()
        self._counts_timer = self.set_timer(COUNTS_AFTER_SECONDS, lambda: self._count(query))

    @read_worker("leads-counts", exclusive=True)
    def _count(self, query: LeadQuery) -> None:
        if query == self.query_state:  # else typed on: counted for the newer query
            with one_answer():
                counts = status_counts(query)
                # The exact total, when typing counted only up to its cap.
                total = lead_count(query, cap=COUNT_CAP) if self._capped else None
            self.app.call_from_thread(self._counted, query, counts, total)

    def _counted(self, query: LeadQuery, counts: dict[str, int], total: int | None) -> None:
        if query != self.query_state:
            return
        if total is not None:
            self._capped = False
            self.query_one(LeadTable).grow_to(total)
        self._show_counts(counts, self._total if total is None else total)

    @property
    def _capped(self) -> bool:
        """Whether the total shown is the typing's count, cut at TYPING_COUNT_CAP."""
        return self._capped_at == self.query_state

    @_capped.setter
    def _capped(self, capped: bool) -> None:
        self._capped_at = self.query_state if capped else None

    def _loaded(self, query, total, counts, first, keep_cursor) -> None:
        if query != self.query_state:
            return  # typed on meanwhile; a newer answer is coming
        table = self.query_one(LeadTable)
        under = table.current["id"] if keep_cursor and table.current else None
        if not keep_cursor:
            table.cursor = 0
            table.scroll_to(y=0, animate=False)
        generation = table.reset(total)
        table.set_page(0, first, generation)
        # Someone else's lead came in above (or one left): the cursor stays on the
        # lead it was on, not on the line.
        moved_to = next((i for i, row in enumerate(first) if row["id"] == under), None)
        if moved_to is not None and moved_to != table.cursor:
            table.cursor = moved_to
        if counts is not None:
            self._show_counts(counts, total)
        else:  # the counts per status follow (_count_later), and the exact total
            self._capped = total > TYPING_COUNT_CAP
            self._show_counts(None, total)
            self._count_later(query)
        self._show_header()
        self.call_after_refresh(self.app.startup_done)

    # ------------------------------------------------------ others' writes

    def _follow_next(self) -> None:
        """Read what the writes heard of changed on screen, one batch at a time."""
        changes, self._heard = self._heard, None
        if changes is None:
            return
        table = self.query_one(LeadTable)
        held = table.window_rows()
        if held is None:
            self.reload(keep_cursor=True)  # still loading: read it all
            return
        self._following = True
        top, height = table.window
        counted = self._by_status is not None
        self._follow(self.query_state, changes, counted, top, height, held, table.generation)

    @kept_read
    def _follow(
        self,
        query: LeadQuery,
        changes: Changes,
        counted: bool,
        top: int,
        height: int,
        held: list[dict[str, Any]],
        generation: int,
    ) -> None:
        """The counts, and the rows on screen, after others' `changes`. Leads that were
        only added and that this list does not show (a search, a filter: one lookup of
        their ids) change nothing here; otherwise the counts are read again (without
        a search or a filter, the few kept counts: storage.status_counts). Rows are
        read only for leads that came on screen or changed."""
        leads = changes.ids("lead")
        changed: frozenset[int] = frozenset()
        if changes.only_new_leads:
            if counted and not listed_among(query, leads):
                self.app.call_from_thread(self._followed_none)
                return
        else:
            # A deal, a company, a score can change what a row shows without a word
            # about its lead: then every row on screen is read again.
            only_leads = all(kind == "lead" for kind, _id in changes.records)
            changed = leads if only_leads else frozenset(row["id"] for row in held)
        with one_answer():
            counts = (lead_count(query, cap=COUNT_CAP), status_counts(query))
            start = max(0, top - FOLLOW_SLACK)
            ids = lead_page_ids(query, start, height + 2 * FOLLOW_SLACK)
        new_top = _followed_top(ids, start, top, [row["id"] for row in held])
        shown = ids[new_top - start : new_top - start + height]
        kept = {row["id"]: row for row in held}
        wanted = [i for i in shown if i not in kept or i in changed]
        fresh = {row["id"]: row for row in self._with_engagement(lead_rows(wanted))}
        # A row read again that shows the same is kept as the same object: not drawn again.
        rows = [
            kept[i] if i in kept and fresh.get(i, kept[i]) == kept[i] else fresh[i]
            for i in shown
            if i in kept or i in fresh
        ]
        self.app.call_from_thread(
            self._followed, query, changes, generation, top, counts, new_top, rows
        )

    def _followed(
        self,
        query: LeadQuery,
        changes: Changes,
        generation: int,
        top: int,
        counts: tuple[int, dict[str, int]],
        new_top: int,
        rows: list[dict[str, Any]],
    ) -> None:
        self._following = False
        tables = self.query(LeadTable)
        if not tables:
            # The app closed while the kept thread read (it is no worker of the screen,
            # which closing would have waited for): the screen's widgets are gone.
            return
        table = tables.first()
        if (query, generation, top) != (self.query_state, table.generation, table.window[0]):
            # Loaded again, or scrolled, meanwhile: read these writes again for what
            # the list shows now (a load that began after them counted them already).
            self._heard = changes if self._heard is None else changes.merged_with(self._heard)
            self._follow_next()
            return
        under = table.current["id"] if table.current else None
        cursor = table.cursor + (new_top - top)  # on the same lead when the view follows
        cursor = next((new_top + i for i, r in enumerate(rows) if r["id"] == under), cursor)
        total, by_status = counts
        table.show_window(new_top, rows, total, cursor)
        self._capped = False  # counted exactly here
        self._show_counts(by_status, total)
        self._follow_next()

    def _followed_none(self) -> None:
        """Others' writes changed nothing this list shows."""
        self._following = False
        self._follow_next()

    @on(LeadTable.PageWanted)
    def _page_wanted(self, event: LeadTable.PageWanted) -> None:
        self._load_page(self.query_state, event.page, event.generation)

    @read_worker("leads-page")
    def _load_page(self, query: LeadQuery, page: int, generation: int) -> None:
        rows = self._with_engagement(lead_page(query, page * PAGE_SIZE, PAGE_SIZE))
        self.app.call_from_thread(self.query_one(LeadTable).set_page, page, rows, generation)

    def _with_engagement(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each row's engagement level now, from the key its page carries (not through
        app.rules: the first page is shown before the rules are made)."""
        return list(with_engagement(rows, self.app.config, self.app.now()))

    # ---------------------------------------------------------------- showing

    def _show_counts(self, counts: dict[str, int] | None, total: int) -> None:
        """The counts per status; None while a search's are still to come: the line
        then says "…" for each, not the counts of a list no longer shown."""
        text = Text()
        for status in LEAD_STATUSES:
            glyph, style = STATUS_GLYPHS[status]
            text.append(f"{glyph} {vocab_label(status)} ", style=style)
            if counts is None:
                text.append("…", style="dim")
            else:
                text.append(number(counts.get(status, 0)), style="bold")
            text.append("   ")
        self.query_one("#counts", Line).show(text)
        self._by_status = counts
        self._total = total
        self._show_total()

    def _show_total(self) -> None:
        # Beside the search, whose answer it counts: the counts line is full at 80.
        count = number(min(self._total, TYPING_COUNT_CAP)) + "+" if self._capped else None
        shown = Text(_("{count} shown").format(count=count or number(self._total)))
        if self.marks:
            marked = _("{count} marked").format(count=number(len(self.marks)))
            shown = Text.assemble((marked, "bold"), " · " + _("b acts") + " · ", shown)
        self.query_one("#total", Line).show(shown)

    def say(self, text: Text | str) -> None:
        """Show `text` on the filters' line until the filters change (a bulk action's
        outcome, a refusal): a message never resizes the list."""
        self._message = text if isinstance(text, Text) else Text(text)
        self._show_filters()

    def _show_filters(self) -> None:
        self.query_one("#filters", Line).refresh()

    def _filters_line(self, width: int) -> Text:
        """The filters in force (none: "all leads") and the sort, on one line; or the
        latest message (say)."""
        if self._message is not None:
            message = self._message.copy()
            message.no_wrap, message.overflow = True, "ellipsis"
            return message
        q = self.query_state
        parts = []
        if q.statuses:
            parts.append(_("status: {status}").format(status=vocab_label(q.statuses[0])))
        if q.owner:
            parts.append(_("owner: {owner}").format(owner=q.owner))
        if q.sources:
            parts.append(_("source: {source}").format(source=plain(shown_name(q.sources[0]))))
        if q.min_score:
            parts.append(_("score ≥ {score}").format(score=q.min_score))
        parts = parts or [_("all leads")]
        sort = sort_titles().get(q.sort, q.sort)
        arrow = "▼" if q.descending else "▲"
        parts.append(_("sort: {sort}").format(sort=f"{sort} {arrow}"))
        line = "  ·  ".join(parts)
        if cell_len(line) > width:
            line = " · ".join(parts)  # every filter at once still fits 80 columns
        return Text(line, style="dim")

    def _show_header(self) -> None:
        self.query_one("#columns", Line).refresh()

    def _columns_line(self, _width: int) -> Text:
        table = self.query_one(LeadTable)  # the header fits the table's columns
        return table.header_text(self.query_state.sort, self.query_state.descending)

    def _set_query(self, **changes: Any) -> None:
        self.query_state = replace(self.query_state, **changes)
        self._message = None
        self.reload()

    # ---------------------------------------------------------------- actions

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        self._set_query(text=event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.query_one(LeadTable).focus()

    def key_escape(self) -> None:
        if self.focused is self.query_one("#search"):
            self.query_one(LeadTable).focus()
        elif self.marks:
            self.action_clear_marks()  # esc clears the marks before it leaves

    # ---------------------------------------------------------------- marks

    def current_lead_id(self) -> int | None:
        row = self.query_one(LeadTable).current
        return row["id"] if row else None

    def action_mark(self) -> None:
        """Mark or unmark the lead under the cursor, and move down to the next."""
        table = self.query_one(LeadTable)
        lead_id = self.current_lead_id()
        if lead_id is None:
            return
        self.marks.toggle(lead_id)
        self.marks_changed()
        table.action_move(1)

    def action_mark_all(self) -> None:
        """Mark every lead the search and filters find, all pages of them."""
        self.say(Text(_("Marking all that match…"), style="dim"))
        self._mark_all(self.query_state)

    @read_worker("leads-mark-all", exclusive=True)
    def _mark_all(self, query: LeadQuery) -> None:
        ids = lead_ids(query)
        self.app.call_from_thread(self._marked_all, ids)

    def _marked_all(self, ids: list[int]) -> None:
        added = self.marks.add(ids)
        self.marks_changed()
        if ids:
            marked = ngettext(
                "Marked {count} lead ({total} marked in all).",
                "Marked {count} leads ({total} marked in all).",
                added,
            )
            self.say(marked.format(count=number(added), total=number(len(self.marks))))
        else:
            self.say(_("No lead matches: nothing marked."))

    def marks_changed(self) -> None:
        """Show the marks: the mark column (only while something is marked), the count."""
        table = self.query_one(LeadTable)
        columns = [self._mark_column, *COLUMNS] if self.marks else COLUMNS
        if table.all_columns != columns:
            table.all_columns = columns
            self._show_header()
        table.restyle()  # the mark column's cells
        self._show_total()

    def action_search(self) -> None:
        """A new search: what is typed replaces the last one (its text is selected;
        the arrow keys keep it to refine instead)."""
        search = self.query_one("#search", Input)
        search.focus()
        search.select_all()

    def action_cycle_status(self) -> None:
        current = self.query_state.statuses[0] if self.query_state.statuses else ""
        following = STATUS_CYCLE[(STATUS_CYCLE.index(current) + 1) % len(STATUS_CYCLE)]
        self._set_query(statuses=(following,) if following else ())

    def action_toggle_mine(self) -> None:
        self._set_query(owner="" if self.query_state.owner else self.app.user)

    def action_cycle_source(self) -> None:
        cycle = ("", *self.app.config.lead_sources)
        current = self.query_state.sources[0] if self.query_state.sources else ""
        index = cycle.index(current) if current in cycle else 0
        following = cycle[(index + 1) % len(cycle)]
        self._set_query(sources=(following,) if following else ())

    def action_score(self, delta: int) -> None:
        value = max(0, min(100, (self.query_state.min_score or 0) + delta))
        self._set_query(min_score=value or None)

    def action_choose_sort(self) -> None:
        from funnel_tui.tui.dialogs.sort_dialog import SortDialog

        q = self.query_state
        titles = {key: sort_titles().get(key, key) for key in SORT_KEYS}

        def chosen(key: str | None) -> None:
            if key is None:
                return
            if key == self.query_state.sort:
                self.action_reverse()
                return
            # Newest first, best score and most engaged first are what people want;
            # names read A→Z.
            self._set_query(sort=key, descending=key in ("created_at", "score", "engagement"))

        self.app.push_screen(SortDialog(titles, q.sort, q.descending), chosen)

    def action_reverse(self) -> None:
        self._set_query(descending=not self.query_state.descending)

    def action_reset_filters(self) -> None:
        self._message = None
        self.query_one("#search", Input).value = ""
        self.query_state = LeadQuery(region=self.app.config.default_region)
        self.reload()

    @on(LeadTable.Opened)
    def _open(self, event: LeadTable.Opened) -> None:
        self.app.open_lead(event.lead_id)

    def hand_over_target(self) -> HandOverTarget | None:
        row = self.query_one(LeadTable).current
        if row is None:
            return None
        return HandOverTarget("lead", row["id"], row["name"], row.get("owner") or "")

    def _hand_over_said(self, text: Text) -> None:
        self.say(text)

    def action_checklist(self) -> None:
        row = self.query_one(LeadTable).current
        if row is not None:
            self.app.open_checklist(row["id"])

    def action_company(self) -> None:
        """The record of the current row's company."""
        row = self.query_one(LeadTable).current
        if row is not None:
            self.app.open_company_of_lead(row["id"])
