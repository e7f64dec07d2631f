"""The first screen's data, read in a thread of its own while the terminal UI still loads.

`funnel` spends some 200 ms importing Textual and the screens after the database is
open, and then lays the first screen out. Read only once a screen is mounted, the lead
list's rows and counts and the top line's Today counts arrive after its first frame:
the terminal gets an empty list, then the list, then the counts (three frames, the last
some 100 ms after the first). Read ahead, beside the imports (SQLite and the server do
their work without holding Python's lock), they are there for the first frame. The
same for the board (`funnel --screen board`): its columns' totals and first cards.

What was read ahead is used only where it is what the screen would read itself:
- the same query (the list's opening one, in the user's region; the board unfiltered,
  its won and lost columns folded);
- the scores and engagement keys current for the config (else Funnel rewrites them
  first, and the list reads them after);
- `newest_change`, the history's newest entry when it was read: a write by another
  instance after it (before the app hears of others' writes) makes the app read
  again (tui.app).
Anything that goes wrong here is left to the screens' own reads, which say it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from funnel_tui.config import Config
from funnel_tui.read.connection import connected, utcnow
from funnel_tui.read.search import (
    LIST_COUNT_CAP,
    LIST_PAGE,
    LeadQuery,
    lead_count,
    lead_page,
    status_counts,
)
from funnel_tui.storage.database import reading_beside

if TYPE_CHECKING:  # the board's modules are read only when it is the first screen
    from funnel_tui.read.pipeline import BoardFilter, Card, StageTotals


@dataclass(frozen=True)
class FirstList:
    """The lead list's opening query and what it shows for it."""

    query: LeadQuery
    total: int
    counts: dict[str, int]
    rows: list[dict]


@dataclass(frozen=True)
class FirstBoard:
    """The board's opening filter and what it shows for it: each open stage's totals
    and its first page of cards, and the deals' owners (its owner filter's choices)."""

    filter: BoardFilter
    totals: dict[str, StageTotals]
    pages: dict[str, dict[int, list[Card]]]
    owners: list[tuple[int, str]]


@dataclass(frozen=True)
class FirstScreen:
    lead_list: FirstList | None  # None: not read ahead (another screen, stale scores)
    board: FirstBoard | None  # None: another screen
    today_counts: dict[str, int] | None  # None: a user not in the database yet
    newest_change: int  # the history's newest id when this was read
    derived_current: bool  # the stored scores and engagement keys are the config's


class ReadAhead:
    """Reads the first screen's data in a thread from its creation; `result` hands it
    over once, when ready."""

    def __init__(self, config: Config, login: str, screen: str) -> None:
        self._config, self._login, self._screen = config, login, screen
        self._found: FirstScreen | None = None
        self._thread = threading.Thread(target=self._read, name="funnel-read-ahead", daemon=True)
        reading_beside(self._thread)  # closing the database waits for it
        self._thread.start()

    def result(self, wait: float) -> FirstScreen | None:
        """What was read, waiting up to `wait` seconds for it; None when not ready, or
        when it failed."""
        self._thread.join(wait)
        return None if self._thread.is_alive() else self._found

    def _read(self) -> None:
        try:
            with connected():
                self._found = _first_screen(self._config, self._login, self._screen)
        except Exception:
            self._found = None


def opening_query(config: Config) -> LeadQuery:
    """The lead list's query when it opens (screens.leads)."""
    return LeadQuery(region=config.default_region)


def _first_screen(config: Config, login: str, screen: str) -> FirstScreen:
    from funnel_tui.core.dates import local_today, user_zone
    from funnel_tui.read.today import queue_counts
    from funnel_tui.storage.models import User

    newest = newest_change()
    user = User.select(User.id).where(User.login == login).scalar()
    now = utcnow()
    today = local_today(now, user_zone(config.timezone))
    today_counts = None
    if user is not None:
        today_counts = queue_counts(user, today)
    current = _derived_current(config)
    lead_list = None
    if screen == "leads" and current:
        query = opening_query(config)
        lead_list = FirstList(
            query,
            lead_count(query, cap=LIST_COUNT_CAP),
            status_counts(query),
            lead_page(query, 0, LIST_PAGE),
        )
    board = None
    if screen == "board":
        from funnel_tui.read.pipeline import (
            BOARD_PAGE,
            BoardFilter,
            board_stages,
            board_totals,
            owners,
            stage_cards,
        )

        flt = BoardFilter(today=today)  # as the board's first reload makes it
        stages = board_stages(config, closed=False)
        totals = board_totals(config, flt, now, closed=False)
        pages = {
            stage.name: {0: stage_cards(config, stage.name, flt, now, 0, BOARD_PAGE)}
            for stage in stages
            if totals[stage.name].count
        }
        board = FirstBoard(flt, totals, pages, owners())
    return FirstScreen(lead_list, board, today_counts, newest, current)


def _derived_current(config: Config) -> bool:
    """Whether the stored scores and engagement keys are those of `config`: else
    Funnel rewrites them when the app starts, and the list must read them after."""
    from funnel_tui.rules.engagement import ENGAGEMENT_META_KEY, engagement_fingerprint
    from funnel_tui.rules.scoring import SCORE_META_KEY, score_fingerprint
    from funnel_tui.storage.schema import get_meta

    return get_meta(SCORE_META_KEY) == score_fingerprint(config) and get_meta(
        ENGAGEMENT_META_KEY
    ) == engagement_fingerprint(config)


def newest_change() -> int:
    """The history's newest id (every write appends to the history)."""
    from funnel_tui.storage.models import History

    return History.select(History.id).order_by(History.id.desc()).limit(1).scalar() or 0
