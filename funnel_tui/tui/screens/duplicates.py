"""Possible duplicates: pairs of leads that may be one person, each with why, strongest
first (read.duplicates finds them). The search runs in a worker with a progress bar
(about a second over 100,000 leads); enter opens the first lead of a pair, o the other,
m merges the two, and a merged pair leaves the list. c switches to companies that may
be one (the same screen, the same keys: a company's record, a merge of companies)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, ProgressBar
from textual.widgets.option_list import Option

from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.core.output import fit, plain
from funnel_tui.read.duplicates import (
    Pair,
    Side,
    possible_duplicate_companies,
    possible_duplicates,
)
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.text_block import TextBlock
from funnel_tui.tui.workers import read_worker

if TYPE_CHECKING:
    from textual.timer import Timer

    from funnel_tui.live.changes import Changes

OTHERS_WAIT = 3.0  # seconds others' writes are gathered before searching again
# A record's line at 80 columns: "#12345 name  company  phone  owner".
ID_WIDTH, NAME_WIDTH, COMPANY_WIDTH, PHONE_WIDTH, OWNER_WIDTH = 7, 20, 19, 17, 8


class PairList(OptionList):
    """The pairs, three lines each: the two records and why."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("enter", "select", "Open", id="duplicates.open"),
    ]


class DuplicatesScreen(Screen[None]):
    TITLE = N_("Possible duplicates")
    AUTO_FOCUS = "PairList"
    DEFAULT_CSS = """
    DuplicatesScreen #summary { height: 1; padding: 0 1; background: $boost; }
    DuplicatesScreen #progress { height: 1; padding: 0 1; }
    DuplicatesScreen #progress.-done { display: none; }
    DuplicatesScreen PairList, DuplicatesScreen PairList:focus {
        height: 1fr; border: none; padding: 0; background: $surface;
    }
    DuplicatesScreen #footer { height: 1; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("o", "open_other", "Open other", id="duplicates.other"),
        Binding("m", "merge", "Merge…", id="duplicates.merge"),
        Binding("r", "search", "Search again", id="duplicates.again"),
        Binding("c", "companies", "Leads / companies", id="duplicates.companies"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[Pair] = []
        self.searching = False
        self.companies = False  # companies that may be one, rather than leads
        self._generation = 0  # the search whose answer is wanted; older ones are dropped
        self._waiting: Timer | None = None  # others wrote: a search is due when it fires

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield TextBlock(Text(_("Looking for possible duplicates…"), style="dim"), id="summary")
        yield ProgressBar(total=None, show_eta=False, id="progress")
        yield PairList(id="pairs")
        yield TextBlock("", id="footer")
        yield KeyBar()

    def on_mount(self) -> None:
        self.action_search()

    def refresh_data(self, changes: Changes | None = None) -> None:
        """A lead written may make or end a pair: search again, keeping the cursor on
        the pair it was on. At once after a write here; others' writes are gathered for
        OTHERS_WAIT seconds, so a busy team does not keep the search running."""
        if changes is None:
            self.action_search(quiet=True)
        elif self._waiting is None and (
            changes.everything or any(kind in ("lead", "company") for kind, _id in changes.records)
        ):
            self._waiting = self.set_timer(OTHERS_WAIT, self._others_wrote)

    def _others_wrote(self) -> None:
        self._waiting = None
        self.action_search(quiet=True)

    # ------------------------------------------------------------------ search

    def action_search(self, quiet: bool = False) -> None:
        """Search again; `quiet` leaves the list as it is until the answer is in."""
        self._generation += 1
        self.searching = True
        if not quiet:
            bar = self.query_one(ProgressBar)
            bar.remove_class("-done")
            bar.update(total=None, progress=0)
        self._search(self._generation, quiet)

    @read_worker("duplicates-search", exclusive=True)
    def _search(self, generation: int, quiet: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, generation, done, total)

        if self.companies:
            pairs = possible_duplicate_companies()
        else:
            pairs = possible_duplicates(progress=None if quiet else progress)
        self.app.call_from_thread(self._found, generation, pairs)

    def _progress(self, generation: int, done: int, total: int) -> None:
        if generation == self._generation:
            self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
            self.query_one("#summary", TextBlock).show(
                Text(
                    _("Looking for possible duplicates… {done} of {total} leads compared").format(
                        done=number(done), total=number(total)
                    )
                )
            )

    def _found(self, generation: int, pairs: list[Pair]) -> None:
        if generation != self._generation:
            return  # searched again meanwhile: a newer answer is coming
        self.searching = False
        self.query_one(ProgressBar).add_class("-done")
        current = self._current()
        self.pairs = pairs
        self._show(keep=current.ids if current else None)

    def _show(self, keep: tuple[int, int] | None = None) -> None:
        listing = self.query_one(PairList)
        listing.clear_options()
        options: list[Option | None] = []
        for index, pair in enumerate(self.pairs):
            if index:
                options.append(None)  # a rule between two pairs
            options.append(Option(_pair_text(pair, self.companies), id=_option_id(pair)))
        listing.add_options(options)
        if self.pairs:
            at = next((i for i, p in enumerate(self.pairs) if p.ids == keep), 0)
            listing.highlighted = listing.get_option_index(_option_id(self.pairs[at]))
        count = len(self.pairs)
        if count:
            if self.companies:
                pairs = ngettext(
                    "{count} possible duplicate pair of companies",
                    "{count} possible duplicate pairs of companies",
                    count,
                )
                other = _("leads")
            else:
                pairs = ngettext(
                    "{count} possible duplicate pair", "{count} possible duplicate pairs", count
                )
                other = _("companies")
            # What c switches to stands apart from the words around it, as in English.
            before, _sep, after = _("· strongest first · c: {other}").partition("{other}")
            summary = Text.assemble(
                (pairs.format(count=number(count)), "bold"),
                (" " + before, "dim"),
                (other, "dim"),
                (after, "dim"),
            )
        elif self.companies:
            summary = Text(_("No possible duplicate companies: no two share a name or website."))
        else:
            summary = Text(_("No possible duplicates: no two leads share a phone, email or name."))
        self.query_one("#summary", TextBlock).show(summary)

    # ------------------------------------------------------------------ keys

    def _say(self, text: Text | str) -> None:
        self.query_one("#footer", TextBlock).show(text)

    def _current(self) -> Pair | None:
        listing = self.query_one(PairList)
        if listing.highlighted is None or not self.pairs:
            return None
        option_id = listing.get_option_at_index(listing.highlighted).id
        return next((p for p in self.pairs if _option_id(p) == option_id), None)

    def _pair(self) -> Pair | None:
        pair = self._current()
        if pair is None:
            self._say(Text(_("No pair here."), style="dim"))
        return pair

    @on(OptionList.OptionSelected, "#pairs")
    def _open_first(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        pair = self._pair()
        if pair is not None:
            self._open(pair.first.id)

    def action_open_other(self) -> None:
        pair = self._pair()
        if pair is not None:
            self._open(pair.second.id)

    def _open(self, record_id: int) -> None:
        if self.companies:
            self.app.open_company(record_id)
        else:
            self.app.open_lead(record_id, here=True)

    def action_companies(self) -> None:
        """Companies that may be one instead of leads, or back."""
        self.companies = not self.companies
        self.pairs = []
        self._show()
        self.action_search()

    def action_merge(self) -> None:
        """The merge choice for the pair, the older lead kept by default."""
        pair = self._pair()
        if pair is not None:
            self.open_merge(pair.first.id, pair.second.id, lambda done: self._merged(pair, done))

    def open_merge(self, keep_id: int, other_id: int, done: Callable[[object], None]) -> None:
        """The merge choice (screens.merge) over this screen; `done` gets the rules'
        Merged, or None when nothing was merged."""
        from funnel_tui.tui.screens.merge import MergeScreen

        kind = "company" if self.companies else "lead"
        self.app.push_screen(MergeScreen(keep_id, other_id, kind), done)

    def _merged(self, pair: Pair, result: object) -> None:
        """Back from the merge: a merged pair leaves the list, and so does every other
        pair with the lead that was merged away (it is no longer listed anywhere)."""
        if not result:
            return
        survivor = _survivor(result, pair)
        away = pair.second.id if survivor == pair.first.id else pair.first.id
        index = self.pairs.index(pair)
        self.pairs = [p for p in self.pairs if away not in p.ids]
        following = self.pairs[min(index, len(self.pairs) - 1)].ids if self.pairs else None
        self._show(keep=following)
        merged = _("Merged #{away} into #{survivor}.").format(away=away, survivor=survivor)
        self._say(Text(merged, style="green"))


def _survivor(result: object, pair: Pair) -> int:
    """The lead that stayed: what the merge screen said (rules.merge.Merged, or an id),
    else the pair's first."""
    if isinstance(result, int) and not isinstance(result, bool):
        return result
    return getattr(result, "keep_id", pair.first.id)


def _option_id(pair: Pair) -> str:
    return f"{pair.first.id}-{pair.second.id}"


def _side_line(side: Side) -> Text:
    text = Text("  ")
    text.append(fit(f"#{side.id}", ID_WIDTH), style="dim")
    text.append(fit(plain(side.name), NAME_WIDTH), style="bold")
    text.append(" ")
    text.append(fit(plain(side.company), COMPANY_WIDTH))
    text.append(" ")
    text.append(fit(plain(side.phone or side.email), PHONE_WIDTH))
    text.append(" ")
    text.append(fit(plain(side.owner), OWNER_WIDTH), style="dim")
    return text


def _company_line(side: Side) -> Text:
    text = Text("  ")
    text.append(fit(f"#{side.id}", ID_WIDTH), style="dim")
    text.append(fit(plain(side.name), NAME_WIDTH + COMPANY_WIDTH + 1), style="bold")
    text.append(" ")
    text.append(fit(plain(side.website) or plain(side.country), PHONE_WIDTH))
    text.append(" ")
    people = ngettext("{count} person", "{count} people", side.people).format(
        count=number(side.people)
    )
    text.append(fit(people, OWNER_WIDTH + 2), style="dim")
    return text


def _pair_text(pair: Pair, companies: bool = False) -> Text:
    """Three lines: the two records, then why (user text as data, never markup)."""
    line = _company_line if companies else _side_line
    return Text.assemble(
        line(pair.first),
        "\n",
        line(pair.second),
        "\n",
        " " * (2 + ID_WIDTH),
        (pair.words(), "yellow"),
    )
