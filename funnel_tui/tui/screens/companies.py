"""The Companies list: every company as an account, searched as you type, sorted by name,
open pipeline, won amount, last activity or people, customers or prospects, paged from
SQL as the lead list is (widgets/lead_table.py); enter opens the company's record."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from funnel_tui.core.formats import date_short, number
from funnel_tui.core.i18n import N_, _, pgettext
from funnel_tui.core.money import totals_line
from funnel_tui.read.companies import (
    DESCENDING_FIRST,
    SORT_KEYS,
    CompanyQuery,
    company_list,
    company_page,
)
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.lead_table import PAGE_SIZE, Column, LeadTable
from funnel_tui.tui.widgets.text_input import TextInput
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


def sort_titles() -> dict[str, str]:
    """Each sort key as this rep reads it (built on each call: the language is set at
    start, after this module is imported)."""
    return {
        "name": pgettext("sort", "name"),
        "pipeline": pgettext("sort", "open pipeline"),
        "won": pgettext("sort", "won amount"),
        "activity": pgettext("sort", "last activity"),
        "people": pgettext("sort", "people"),
    }


KIND_CYCLE = ("", "customers", "prospects")
# What the filter line calls each kind of company ("" is every company).
KIND_WORDS = {"": N_("all companies"), "customers": N_("customers"), "prospects": N_("prospects")}
# The sort each column's header arrow marks.
_COLUMN_OF_SORT = {"pipeline": "open", "won": "won", "activity": "last_activity"}


def _money(key: str, width: int):
    def render(row: dict[str, Any]) -> Text:
        amounts = row.get(key) or {}
        if not amounts:
            return Text("·", style="dim")
        line, left = totals_line(amounts, width - 3)
        return Text(line + (f" +{left}" if left else ""))

    return render


def _customer(row: dict[str, Any]) -> Text:
    return Text("★", style="bold green") if row.get("customer") else Text("·", style="dim")


def _last(row: dict[str, Any]) -> Text:
    value = row.get("last_activity")
    if not value:
        return Text("—", style="dim")
    return Text(date_short(value.date() if isinstance(value, dt.datetime) else value))


COLUMNS = [
    Column("customer", "★", 1, _customer),
    Column("name", N_("Company"), 0, min_width=22, weight=3),
    Column("people", N_("Ppl"), 4, lambda r: Text(f"{r.get('people', 0):>4}")),
    Column("open", N_("Open pipeline"), 15, _money("open", 15)),
    Column("won", N_("Won"), 15, _money("won", 15)),
    Column("last_activity", N_("Last act."), 10, _last, min_width=1),
    # Beyond 80 columns: the fixed-width ones are dropped last first when there is no room.
    Column("country", N_("Ctry"), 4, min_width=1),
    Column("industry", N_("Industry"), 14, min_width=1),
]


class CompaniesScreen(Screen[None]):
    TITLE = N_("Companies")
    AUTO_FOCUS = "LeadTable"
    DEFAULT_CSS = """
    CompaniesScreen #search-row { height: 1; padding: 0 1; }
    CompaniesScreen #search-label { width: 2; text-style: bold; }
    CompaniesScreen #search { width: 1fr; }
    CompaniesScreen #total { width: auto; padding-left: 1; color: $text-muted; }
    CompaniesScreen #filters { height: 1; padding: 0 1; }
    CompaniesScreen #columns { height: 1; padding: 0; background: $boost; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("slash", "search", "Search", id="companies.search"),
        Binding("t", "cycle_kind", "Customers/prospects", id="companies.kind"),
        Binding("o", "choose_sort", "Sort…", id="companies.sort"),
        Binding("r", "reverse", "Reverse", id="companies.reverse", show=False),
        Binding("x", "reset", "Clear filters", id="companies.reset", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = CompanyQuery()
        self._shown_once = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="search-row"):
            yield Label("/", id="search-label")
            yield TextInput(
                placeholder=_("search company names"),
                compact=True,
                id="search",
                select_on_focus=False,
            )
            yield Label("", id="total")
        yield Static("", id="filters")
        yield Static("", id="columns")
        yield LeadTable(COLUMNS, id="table")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_state = CompanyQuery.from_config(self.app.config)
        self.reload()

    def on_screen_resume(self) -> None:
        if self._shown_once:
            self.refresh_data()
        self._shown_once = True

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Reload after a change, keeping the cursor where it is."""
        self.reload(keep_cursor=True)

    def on_resize(self) -> None:
        self._show_header()
        self._show_filters()

    # ---------------------------------------------------------------- queries

    def reload(self, keep_cursor: bool = False) -> None:
        self._show_filters()
        self._load(self.query_state, keep_cursor)

    @read_worker("companies-query", exclusive=True)
    def _load(self, query: CompanyQuery, keep_cursor: bool) -> None:
        total, first = company_list(query, 0, PAGE_SIZE)
        self.app.call_from_thread(self._loaded, query, total, first, keep_cursor)

    def _loaded(self, query: CompanyQuery, total: int, first: list, keep_cursor: bool) -> None:
        if query != self.query_state:
            return  # typed on meanwhile; a newer answer is coming
        table = self.query_one(LeadTable)
        if not keep_cursor:
            table.cursor = 0
            table.scroll_to(y=0, animate=False)
        generation = table.reset(total)
        table.set_page(0, first, generation)
        self.query_one("#total", Label).update(_("{count} shown").format(count=number(total)))
        self._show_header()

    @on(LeadTable.PageWanted)
    def _page_wanted(self, event: LeadTable.PageWanted) -> None:
        self._load_page(self.query_state, event.page, event.generation)

    @read_worker("companies-page")
    def _load_page(self, query: CompanyQuery, page: int, generation: int) -> None:
        rows = company_page(query, page * PAGE_SIZE, PAGE_SIZE)
        self.app.call_from_thread(self.query_one(LeadTable).set_page, page, rows, generation)

    # ---------------------------------------------------------------- showing

    def _show_filters(self) -> None:
        q = self.query_state
        kind = KIND_WORDS.get(q.kind, q.kind)
        parts = [_(kind)]
        arrow = "▼" if q.descending else "▲"
        parts.append(_("sort: {sort}").format(sort=f"{sort_titles()[q.sort]} {arrow}"))
        if q.sort in ("pipeline", "won") and q.currency:
            parts.append(_("compared in {currency}").format(currency=q.currency))
        self.query_one("#filters", Static).update(Text("  ·  ".join(parts), style="dim"))

    def _show_header(self) -> None:
        table = self.query_one(LeadTable)
        sort = _COLUMN_OF_SORT.get(self.query_state.sort, self.query_state.sort)
        self.query_one("#columns", Static).update(
            table.header_text(sort, self.query_state.descending)
        )

    def _set_query(self, **changes: Any) -> None:
        self.query_state = replace(self.query_state, **changes)
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

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.focus()
        search.select_all()

    def action_cycle_kind(self) -> None:
        index = KIND_CYCLE.index(self.query_state.kind)
        self._set_query(kind=KIND_CYCLE[(index + 1) % len(KIND_CYCLE)])

    def action_choose_sort(self) -> None:
        from funnel_tui.tui.dialogs.sort_dialog import SortDialog

        q = self.query_state

        def chosen(key: str | None) -> None:
            if key is None:
                return
            if key == self.query_state.sort:
                self.action_reverse()
                return
            self._set_query(sort=key, descending=DESCENDING_FIRST[key])

        titles = {key: sort_titles()[key] for key in SORT_KEYS}
        self.app.push_screen(
            SortDialog(titles, q.sort, q.descending, _("Sort the companies by")), chosen
        )

    def action_reverse(self) -> None:
        self._set_query(descending=not self.query_state.descending)

    def action_reset(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_state = CompanyQuery.from_config(self.app.config)
        self.reload()

    @on(LeadTable.Opened)
    def _open(self, event: LeadTable.Opened) -> None:
        # The table's rows are companies here: its "lead_id" is the row's id.
        self.app.open_company(event.lead_id)
