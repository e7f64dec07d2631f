"""The demo's opportunities: amounts and names, a path across the configured stages,
and the stage changes and history rows of their moves, wins and losses."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from funnel_tui.config import Config
from funnel_tui.core.vocab import OPP_OPEN, OPP_WON
from funnel_tui.demo import names as words
from funnel_tui.demo.activities import action_time, open_action
from funnel_tui.demo.clock import Clock
from funnel_tui.demo.draws import js, pick
from funnel_tui.demo.people import Region
from funnel_tui.demo.writing import Rows


class Opp:
    """An opportunity while its story is being written."""

    __slots__ = (
        "amount",
        "close_day",
        "closed",
        "created",
        "currency",
        "entered",
        "id",
        "last_na",
        "lost_reason",
        "name",
        "outcome",
        "path",
        "stage",
        "state",
        "updated",
        "version",
    )

    def __init__(self, outcome: str, path: list[str], amount: int, currency: str, name: str):
        self.outcome, self.path, self.amount = outcome, path, amount
        self.currency, self.name = currency, name
        self.last_na: list | None = None


class Deals:
    """Plans a lead's deals, then writes each one's moves as the story reaches them and
    its row at the end."""

    def __init__(self, config: Config, rnd: Callable[[], float], clock: Clock, rows: Rows):
        self.config = config
        self.rnd = rnd
        self.clock = clock
        self.rows = rows
        self.open_stages = [s.name for s in config.open_stages]
        self.stage_json = {s.name: json.dumps(s.name, ensure_ascii=False) for s in config.stages}
        self.next_opp = 0

    def plan(self, outcome: str, region: Region, company: tuple | None, lead_name: str) -> Opp:
        rnd = self.rnd
        last = len(self.open_stages) - 1
        if outcome == OPP_WON:
            reach = last if rnd() < 0.7 else max(0, last - 1)
        else:
            reach = min(last, int(rnd() * rnd() * (last + 1.5)))
        path = list(range(1, reach + 1))
        if len(path) > 1 and rnd() < 0.15:
            del path[int(rnd() * (len(path) - 1))]  # a stage skipped
        currency = region.spec.currency if rnd() < 0.75 else pick(rnd, ("EUR", "USD"))
        amount = 1500 * (1 + 80 * rnd() ** 3) * words.EUR_RATE.get(currency, 1.0)
        amount = round(amount, -max(0, int(math.log10(amount)) - 1))  # two significant digits
        if rnd() < 0.4:
            name = (company[1] if company else lead_name) + " – " + pick(rnd, words.DEAL_LABELS)
        else:
            name = f"{company[1]} – {lead_name}" if company else lead_name
        return Opp(outcome, [self.open_stages[i] for i in path], int(amount) * 100, currency, name)

    def open(self, opp: Opp, lead_id: int, user: int, when: int) -> None:
        self.next_opp += 1
        opp.id = self.next_opp
        opp.stage = self.open_stages[0]
        opp.state = OPP_OPEN
        opp.version = 1
        opp.created = opp.updated = opp.entered = when
        opp.closed = None
        opp.lost_reason = ""
        # Deals that slip past their expected close while still open are part of a real
        # pipeline, so the date stays what it was at creation.
        opp.close_day = when // 86400 + 30 + int(self.rnd() * 120)
        stamp = self.clock.ts(when)
        self.rows.stage_rows.append((opp.id, None, opp.stage, user, stamp))
        snapshot = (
            f'{{"amount_cents": {opp.amount}, "currency": "{opp.currency}", '
            f'"expected_close": "{self.clock.days[opp.close_day]}", "lead": {lead_id}, '
            f'"name": {js(opp.name)}, "stage": {self.stage_json[opp.stage]}}}'
        )
        self.rows.history_rows.append(
            (stamp, user, "opportunity", opp.id, "create", "", None, snapshot, 1)
        )

    def move(self, opp: Opp, to_stage: str, user: int, when: int) -> None:
        stamp = self.clock.ts(when)
        opp.version += 1
        self.rows.stage_rows.append((opp.id, opp.stage, to_stage, user, stamp))
        self.rows.history_rows.append(
            (stamp, user, "opportunity", opp.id, "move", "stage", opp.stage, to_stage, opp.version)
        )
        opp.stage = to_stage
        opp.entered = opp.updated = when

    def close(self, opp: Opp, user: int, when: int) -> None:
        won = opp.outcome == OPP_WON
        to_stage = self.config.won_stage if won else self.config.lost_stage
        stamp = self.clock.ts(when)
        opp.version += 1
        self.rows.stage_rows.append((opp.id, opp.stage, to_stage, user, stamp))
        changes = [
            ("stage", opp.stage, to_stage),
            ("state", OPP_OPEN, opp.outcome),
            ("closed_at", None, stamp.replace(" ", "T")),
        ]
        if not won:
            opp.lost_reason = pick(self.rnd, self.config.loss_reasons)
            changes.append(("lost_reason", "", opp.lost_reason))
        self.rows.history_rows += [
            (stamp, user, "opportunity", opp.id, "move", field, old, new, opp.version)
            for field, old, new in changes
        ]
        opp.stage, opp.state = to_stage, opp.outcome
        opp.entered = opp.updated = opp.closed = when

    def finish(
        self,
        opp: Opp,
        lead_id: int,
        company: tuple | None,
        owner: int,
        notes: str,
        stream: list[list],
        source: str,
    ) -> None:
        """Write the deal's row; `stream` is its activities in time order, whose latest
        time and open next action the row carries (as funnel.log_activity keeps them),
        and `source` its lead's (the copy the triggers would keep)."""
        ts, days = self.clock.ts, self.clock.days
        # [when, opp_id, kind, direction, outcome, note, action, due, done]
        action = open_action(stream)
        self.rows.opp_rows.append(
            (
                opp.id,
                lead_id,
                company[0] if company else None,
                opp.name,
                opp.amount,
                opp.currency,
                self.clock.days[opp.close_day],
                opp.stage,
                opp.state,
                opp.lost_reason,
                notes,
                owner,
                owner,
                ts(opp.created),
                ts(opp.updated),
                ts(opp.entered),
                None if opp.closed is None else ts(opp.closed),
                opp.version,
                ts(stream[-1][0]) if stream else None,
                action[6] if action else "",
                days[action[7]] if action else None,
                action_time(self.clock, lead_id, action[7], action[6]) if action else None,
                source,
            )
        )
