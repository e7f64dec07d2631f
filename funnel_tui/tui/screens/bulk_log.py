"""The log form for many leads at once (the lead list's bulk action): the same fields as
logging on one (log_activity.LogActivityScreen), read and checked the same way; saving
hands them back to the list, which confirms the count and logs them on every lead in one
action. No draft: the marks it would apply to are not kept either."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnel_tui.core.times import When
from funnel_tui.tui.screens.log_activity import LogActivityScreen, LogTarget


@dataclass(frozen=True)
class BulkLog:
    """The activity to log on each lead, as typed."""

    kind: str
    direction: str
    outcome: str
    note: str
    next_action: str
    when: When | None

    @property
    def due(self) -> dt.date | None:
        return None if self.when is None else self.when.day


class BulkLogScreen(LogActivityScreen):
    """LogActivityScreen whose save answers the fields instead of writing them."""

    def __init__(self, title: str) -> None:
        super().__init__(LogTarget(None, None, title))

    def draft_key(self) -> None:  # type: ignore[override]
        return None

    def _save(self, values: dict[str, str], action: str, when: When | None) -> None:
        self.dismiss(
            BulkLog(
                values["kind"], values["direction"], values["outcome"], values["note"], action, when
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
