"""The rules of the funnel as one object: `Funnel(config, user).capture_lead(...)`.

Each concern lives in its own module and this class only gathers them, so callers keep
one name to call: session (user, clock, history, versions), qualify and scoring, leads
and bulk_leads (capture, edits, status), gate (THE PROMOTION GATE), deals, activities,
engagement, assign (handing over), undo. No UI imports here: the TUI and the CLI both
call these rules. Each write is one transaction (IMMEDIATE on SQLite, see
storage/database.py) that also appends to History, so a refused operation writes
nothing at all. Refusals raise `Refused` with every reason, each naming its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import peewee

from funnel_tui.config import Config
from funnel_tui.core.errors import ReadOnlyDatabase
from funnel_tui.rules.activities import ActivityRules
from funnel_tui.rules.assign import AssignRules
from funnel_tui.rules.bulk_actions import BulkActionRules
from funnel_tui.rules.companies import CompanyRules
from funnel_tui.rules.engagement import EngagementRules, sync_engagement
from funnel_tui.rules.erasure import ErasureRules
from funnel_tui.rules.gate import GateRules
from funnel_tui.rules.leads import LeadRules
from funnel_tui.rules.scoring import sync_scores
from funnel_tui.rules.team_lists import team_config
from funnel_tui.rules.undo import UndoRules
from funnel_tui.storage.database import utcnow
from funnel_tui.storage.models import database


class Funnel(
    UndoRules,
    ErasureRules,
    BulkActionRules,
    LeadRules,
    GateRules,
    ActivityRules,
    EngagementRules,
    CompanyRules,
    AssignRules,
):
    """The rules, bound to a config and the acting user. Requires an open database."""

    def __init__(
        self, config: Config, user: str, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        """Bound to the open database: stored scores and engagement keys are brought up
        to date with `config` here (see sync_scores, sync_engagement), so whatever opens
        the database through the rules layer lists leads by the config it uses.

        `clock` gives the time every change is stamped with and "now" is judged by
        (naive UTC); tests and screenshots pass a fixed one.
        """
        # The values the team added to its lists (an import's new sources).
        config = team_config(config)
        super().__init__(config, user, clock)
        if database.obj is not None:
            # Not written when the database is read-only (ReadOnlyDatabase) or locked past
            # the busy timeout: they stay as they are until the next open.
            try:
                sync_scores(config)
            except (peewee.OperationalError, ReadOnlyDatabase):
                self.scores_current = False
            try:
                sync_engagement(config)
            except (peewee.OperationalError, ReadOnlyDatabase):
                self.engagement_current = False
