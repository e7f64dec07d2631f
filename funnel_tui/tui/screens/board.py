"""The pipeline board: a column per stage with the database's count and totals, the
cards a page at a time, keys to move deals across it, filters, and the open pipeline's
total and weighted forecast at the foot."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from funnel_tui.core.formats import month_year, number
from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.core.labels import shown_name
from funnel_tui.core.money import add_amounts, short_money, totals_line
from funnel_tui.core.output import plain
from funnel_tui.core.vocab import OPP_OPEN
from funnel_tui.read.pipeline import (
    BoardFilter,
    Card,
    StageTotals,
    board_stages,
    board_totals,
    card_marks,
    card_position,
    convert,
    get_card,
    owners,
    stage_cards,
)
from funnel_tui.read.today import owner_id
from funnel_tui.tui.actions.deal_actions import DealActions
from funnel_tui.tui.actions.hand_over import HandOverTarget, HandsOver, hand_over_binding
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.board_view import PAGE_SIZE, BoardView
from funnel_tui.tui.widgets.text_block import TextBlock
from funnel_tui.tui.workers import read_worker


@dataclass(frozen=True)
class BoardData:
    """What one trip to the database brings: totals, and cards by stage and page."""

    totals: dict[str, StageTotals]
    pages: dict[str, dict[int, list[Card]]]
    focus: tuple[str, int] | None = None  # a card to put the cursor on: (stage, position)
    deal: Card | None = None  # the deal just written, as it is now


if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes


class BoardScreen(DealActions, HandsOver, Screen[None]):
    TITLE = N_("Pipeline")
    AUTO_FOCUS = "BoardView"
    DEFAULT_CSS = """
    BoardScreen #filters { height: 1; padding: 0 1; background: $boost; }
    BoardScreen #footer { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding(
            "greater_than_sign,full_stop,shift+right", "step(1)", "Next stage", id="board.next"
        ),
        Binding("less_than_sign,comma,shift+left", "step(-1)", "Back a stage", id="board.back"),
        Binding("enter", "open", "Open", id="board.open"),
        Binding("w", "won", "Won", id="board.won"),
        Binding("x", "lost", "Lost…", id="board.lost"),
        Binding("o", "reopen", "Reopen", id="board.reopen", show=False),
        Binding("ctrl+l", "log", "Log…", id="board.log"),
        Binding("m", "toggle_mine", "Mine/all", id="board.mine"),
        Binding("a", "cycle_owner", "Owner", id="board.owner", show=False),
        Binding("u", "cycle_source", "Source", id="board.source", show=False),
        Binding("c", "toggle_closing", "Closing this month", id="board.closing", show=False),
        Binding("s", "toggle_stale", "Stale", id="board.stale"),
        Binding("0", "clear_filters", "Clear filters", id="board.clear", show=False),
        Binding("f", "fold", "Won/Lost", id="board.fold"),
        Binding("ctrl+z", "undo", "Undo my last change", id="board.undo", show=False),
        hand_over_binding("board"),
        Binding("dollar_sign", "totals", "Totals", id="board.totals", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = BoardFilter()
        self.show_closed = False
        self._owners: list[tuple[int, str]] = []
        self._shown_once = False
        self._pending_windows: dict[str, range] = {}
        self._pending_from = ""
        self._message: Text | None = None
        self._totals_line = Text()

    def compose(self) -> ComposeResult:
        app, config = self.app, self.app.config  # not app.rules: made after the first frame
        yield TitleBar()
        # One line each, always there: a message or a new filter never resizes the board
        # (a layout and a redraw of every column).
        yield TextBlock("", id="filters")
        yield BoardView(
            lambda card: card_marks(config, card, app.now(), app.today()),
            self._money,
            id="board",
        )
        yield TextBlock("", id="footer")  # the open pipeline's totals, or a message
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_filters()
        first = self.app.first_board()  # read ahead while the app loaded (read.ahead)
        today = self.app.today()
        if first is not None and first.filter == replace(self.filter, today=today):
            # Shown before the first frame: no empty columns painted before the cards.
            self.filter = first.filter
            self._owners = list(first.owners)
            self._loaded(first.filter, False, BoardData(first.totals, first.pages))
            return
        self.reload()

    def on_screen_resume(self) -> None:
        if self._shown_once:
            self.refresh_data()  # back from a deal's record: it may have moved
        self._shown_once = True

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Another instance (or another screen) changed something: show it, keeping
        each column's cursor where it is."""
        self.reload()

    @property
    def view(self) -> BoardView:
        return self.query_one(BoardView)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        # The stale filter counts from the user's today, which moves at their midnight.
        today = self.app.today()
        if self.filter.today != today:
            self.filter = replace(self.filter, today=today)
        self._load(self.filter, self.show_closed, self._windows())

    def _windows(self) -> dict[str, range]:
        """The card positions each shown column needs now (the first ones at the start)."""
        view = self.view
        per = max(view.cards_per_column, 8)
        stages = board_stages(self.app.config, self.show_closed)
        out = {}
        for stage in stages:
            column = view.column(stage.name)
            top = column.top if column else 0
            out[stage.name] = range(top, top + per)
        return out

    @read_worker("board-load", exclusive=True)
    def _load(self, flt: BoardFilter, closed: bool, windows: dict[str, range]) -> None:
        data = self._read(flt, closed, windows)
        if not self._owners:
            self._owners = owners()
        self.app.call_from_thread(self._loaded, flt, closed, data)

    def _read(
        self,
        flt: BoardFilter,
        closed: bool,
        windows: dict[str, range],
        focus: tuple[str, int] | None = None,
    ) -> BoardData:
        """Totals and cards of the columns in `windows` (the others keep theirs)."""
        config, now = self.app.config, self.app.now()
        totals = board_totals(config, flt, now, closed, only=set(windows))
        pages: dict[str, dict[int, list[Card]]] = {}
        for stage, window in windows.items():
            count = totals[stage].count if stage in totals else 0
            wanted = {window.start // PAGE_SIZE, (window.stop - 1) // PAGE_SIZE}
            pages[stage] = {
                page: stage_cards(config, stage, flt, now, page * PAGE_SIZE, PAGE_SIZE)
                for page in sorted(wanted)
                if page * PAGE_SIZE < count
            }
        return BoardData(totals, pages, focus)

    def _loaded(self, flt: BoardFilter, closed: bool, data: BoardData) -> None:
        if flt != self.filter or closed != self.show_closed:
            return  # the filters changed while this was read
        view = self.view
        config = self.app.config
        stages = list(board_stages(config, closed))
        totals = {c.stage.name: c.totals for c in view.columns} | data.totals
        if any(stage.name not in totals for stage in stages):
            return  # a partial answer for columns no longer shown
        view.set_columns(stages, totals, {config.won_stage, config.lost_stage})
        focus_stage, focus_at = data.focus if data.focus else (None, None)
        for stage, pages in data.pages.items():
            cursor = focus_at if stage == focus_stage else None
            view.update_column(stage, totals[stage], pages, cursor)
        if focus_stage is not None:
            view.focus_stage(focus_stage)
        self._show_footer(totals)
        self.call_after_refresh(self.app.startup_done)  # once the first board is up

    @on(BoardView.CardOpened)
    def _card_opened(self) -> None:
        self.action_open()

    @on(BoardView.FocusMoved)
    def _focus_moved(self) -> None:
        self._deal_message(None)  # a message about another card would mislead

    @on(BoardView.CardsWanted)
    def _cards_wanted(self, event: BoardView.CardsWanted) -> None:
        self._load_page(self.filter, event.stage, event.page, event.generation)

    @read_worker("board-page")
    def _load_page(self, flt: BoardFilter, stage: str, page: int, generation: int) -> None:
        config, now = self.app.config, self.app.now()
        cards = stage_cards(config, stage, flt, now, page * PAGE_SIZE, PAGE_SIZE)
        if flt == self.filter:
            self.app.call_from_thread(self.view.set_page, stage, page, cards, generation)

    # ------------------------------------------------------------------ deals

    def current_deal(self) -> Card | None:
        card = self.view.current
        if card is None:
            self._deal_message(Text(_("No deal under the cursor."), style="dim"))
        return card

    def _after_deal_write(self, opp_id: int) -> BoardData:
        """In the worker after a move: the board as it is now, with the cursor on the
        deal where it went, or where it was when the filters no longer show it."""
        config, now = self.app.config, self.app.now()
        card = get_card(opp_id)
        # Only the column the deal left and the one it entered change.
        windows = {
            stage: window
            for stage, window in self._pending_windows.items()
            if stage in (self._pending_from, card.stage if card else None)
        }
        focus = None
        if card is not None and card.stage in windows:
            position = card_position(config, card, self.filter, now)
            if position is not None:
                per = len(windows[card.stage])
                windows[card.stage] = range(max(0, position - per), position + per)
                focus = (card.stage, position)
        return replace(self._read(self.filter, self.show_closed, windows, focus), deal=card)

    def _deal_write(self, card: Card, operation, done: Text) -> None:
        # The windows are read here, on the UI thread, for the worker to use.
        self._pending_windows = self._windows()
        self._pending_from = card.stage
        self._deal_message(None)
        super()._deal_write(card, operation, done)

    def _deal_written(self, opp_id: int, done: Text, fresh: BoardData) -> None:
        self._loaded(self.filter, self.show_closed, fresh)
        deal = fresh.deal
        if fresh.focus is None and deal is not None:
            if deal.state != OPP_OPEN and not self.show_closed:
                done.append("  " + _("f shows the Won and Lost columns."), style="dim")
            elif self.filter.active:
                done.append("  " + _("The filters hide it now."), style="dim")
        self._deal_message(done)

    def _deal_message(self, text: Text | None) -> None:
        """Show `text` in the footer line until the cursor moves (None: the totals)."""
        if text is None and self._message is None:
            return
        self._message = text
        self._paint_footer()

    def _paint_footer(self) -> None:
        text = (self._message or self._totals_line).copy()
        text.no_wrap, text.overflow = True, "ellipsis"
        self.query_one("#footer", TextBlock).show(text)

    def hand_over_target(self) -> HandOverTarget | None:
        card = self.current_deal()
        if card is None:
            return None
        return HandOverTarget("opportunity", card.id, card.name, card.owner, card.version)

    def _hand_over_said(self, text: Text) -> None:
        self._deal_message(text)

    def _deal_reload(self) -> None:
        self.reload()

    def action_open(self) -> None:
        card = self.current_deal()
        if card is not None:
            self.app.open_opportunity(card.id)

    # ------------------------------------------------------------------ filters

    def _set_filter(self, flt: BoardFilter) -> None:
        self.filter = flt
        self.view.empty_text = _("no deals match") if flt.active else _("no deals here")
        self._deal_message(None)
        self._show_filters()
        self.reload()

    def action_toggle_mine(self) -> None:
        if self.filter.owner == self.app.user:
            self._set_filter(replace(self.filter, owner_id=None, owner=""))
        else:
            self._mine()

    @read_worker("board-owner")
    def _mine(self) -> None:
        found = owner_id(self.app.user)
        # Nobody by that login owns anything yet: the filter shows an empty board.
        flt = replace(self.filter, owner_id=found or -1, owner=self.app.user)
        self.app.call_from_thread(self._set_filter, flt)

    def action_cycle_owner(self) -> None:
        if not self._owners:
            return
        logins = [login for _id, login in self._owners]
        now = logins.index(self.filter.owner) if self.filter.owner in logins else -1
        if now + 1 >= len(logins):
            self._set_filter(replace(self.filter, owner_id=None, owner=""))
        else:
            owner_id, login = self._owners[now + 1]
            self._set_filter(replace(self.filter, owner_id=owner_id, owner=login))

    def action_cycle_source(self) -> None:
        sources = ("", *self.app.config.lead_sources)
        now = sources.index(self.filter.source) if self.filter.source in sources else 0
        self._set_filter(replace(self.filter, source=sources[(now + 1) % len(sources)]))

    def action_toggle_closing(self) -> None:
        month = None if self.filter.closing_month else self.app.today().replace(day=1)
        self._set_filter(replace(self.filter, closing_month=month))

    def action_toggle_stale(self) -> None:
        self._set_filter(replace(self.filter, stale_only=not self.filter.stale_only))

    def action_clear_filters(self) -> None:
        self._set_filter(BoardFilter())

    def action_fold(self) -> None:
        self.show_closed = not self.show_closed
        self._show_filters()
        self.reload()

    def action_totals(self) -> None:
        from funnel_tui.tui.dialogs.board_totals import TotalsDialog

        view = self.view
        totals = [c.totals for c in view.columns]
        self.app.push_screen(TotalsDialog(totals, self.app.config, self._filter_words()))

    def _filter_words(self) -> str:
        flt, parts = self.filter, []
        if flt.owner:
            parts.append(_("owner {owner}").format(owner=plain(flt.owner)))
        if flt.source:
            parts.append(_("source {source}").format(source=plain(shown_name(flt.source))))
        if flt.closing_month:
            parts.append(_("closing {month}").format(month=month_year(flt.closing_month)))
        if flt.stale_only:
            parts.append(_("stale only"))
        return " · ".join(parts)

    def _show_filters(self) -> None:
        words = self._filter_words()
        text = Text()
        if words:
            text.append(_("Filters:") + " ", style="bold")
            text.append(words)
            text.append("  " + _("(0 clears)"), style="dim")
        else:
            text.append(_("All deals"), style="bold")
            text.append("  " + _("m mine · a owner · u source · c closing · s stale"), style="dim")
        if not self.show_closed:
            text.append(" · " + _("f Won/Lost"), style="dim")
        text.no_wrap, text.overflow = True, "ellipsis"
        self.query_one("#filters", TextBlock).show(text)

    # ------------------------------------------------------------------ money

    def _money(self, amounts: dict[str, int], width: int) -> Text:
        if not amounts:
            return Text("—", style="dim")
        converted = convert(self.app.config, amounts)
        if converted is not None and converted.total is not None:
            text = Text(f"≈ {short_money(converted.total, converted.currency)}")
            if converted.unconverted:
                more = _("+{count} cur.").format(count=len(converted.unconverted))
                text.append(f" {more}", style="dim")
            return text
        line, left = totals_line(amounts, max(8, width - 4))
        text = Text(line)
        if left:
            text.append(f" +{left}", style="dim")
        return text

    def _show_footer(self, totals: dict[str, StageTotals]) -> None:
        config = self.app.config
        open_names = {s.name for s in config.open_stages}
        open_totals = [t for name, t in totals.items() if name in open_names]
        count = sum(t.count for t in open_totals)
        amounts = add_amounts(t.amounts for t in open_totals)
        weighted = add_amounts(t.weighted for t in open_totals)
        deals = ngettext("{count} deal", "{count} deals", count).format(count=number(count))
        text = Text.assemble((_("Open pipeline") + " ", "bold"), f"{deals}  ")
        width = max(20, self.size.width - 2)
        converted = convert(config, amounts)
        if converted is not None and converted.total is not None:
            wconv = convert(config, weighted)
            text.append(f"≈ {short_money(converted.total, converted.currency)}", style="bold")
            text.append("  " + _("weighted") + " ")
            text.append(f"≈ {short_money(wconv.total or 0, converted.currency)}", style="bold")
            note = _("converted to {currency} at funnel.toml's rates").format(
                currency=converted.currency
            )
            if converted.unconverted:
                missing = len(converted.unconverted)
                no_rate = ngettext(
                    "{count} currency has no rate", "{count} currencies have no rate", missing
                )
                note += "; " + no_rate.format(count=number(missing)) + ": $"
            text.append(f"  ({note})", style="dim")
        else:
            room = max(10, (width - text.cell_len - 12) // 2)
            line, left = totals_line(amounts, room)
            text.append(line or "—", style="bold")
            wline, wleft = totals_line(weighted, room)
            text.append("  " + _("weighted") + " ")
            text.append(wline or "—", style="bold")
            if left or wleft:
                more = max(left, wleft)
                currencies = ngettext("{count} currency", "{count} currencies", more)
                text.append("  +" + currencies.format(count=number(more)) + ": $", style="dim")
        self._totals_line = text
        self._paint_footer()
