"""The demo's activities: the interactions a lead's story is made of, the next actions
they leave open, and the engagement key of the two-way ones (by the rules' formula)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from funnel_tui.config import Config
from funnel_tui.demo import names as words
from funnel_tui.demo.clock import Clock
from funnel_tui.demo.draws import pick
from funnel_tui.demo.writing import Rows
from funnel_tui.rules.engagement import ENGAGEMENT_EPOCH, is_two_way, key_of_seconds

# Interactions: (kind, direction, outcome). Repeats weight the common ones.
ONE_WAY = (
    ("call", "outbound", "no_answer"),
    ("call", "outbound", "no_answer"),
    ("call", "outbound", "left_voicemail"),
    ("call", "outbound", "busy"),
    ("email", "outbound", "sent"),
    ("email", "outbound", "sent"),
    ("sms", "outbound", "sent"),
    ("social", "outbound", "sent"),
)
TWO_WAY = (
    ("call", "outbound", "reached"),
    ("call", "outbound", "reached"),
    ("call", "inbound", "reached"),
    ("email", "inbound", "replied"),
    ("email", "inbound", "replied"),
    ("meeting", "outbound", "held"),
    ("in_person", "inbound", "met"),
    ("social", "inbound", "replied"),
    ("sms", "inbound", "replied"),
    ("call", "outbound", "connected"),
)
DEAL_WORK = (
    ("meeting", "outbound", "held"),
    ("call", "outbound", "reached"),
    ("email", "outbound", "sent"),
    ("email", "inbound", "replied"),
    ("call", "inbound", "reached"),
    ("in_person", "outbound", "met"),
    ("note", "", ""),
)
NOTE = ("note", "", "")


def action_time(clock: Clock, lead_id: int, due: int | None, action: str) -> str | None:
    """The time of day a next action is booked for, as stored (UTC), or None for a
    whole-day one: two in five are (a call at 10:30), between 08:00 and 16:45 on the
    rep's clock, so on the due date where the rep is. Drawn from the lead and the day,
    not the random stream, so the rest of the demo is the same with times as without;
    a lead parked until a date has none."""
    if due is None or action == words.NURTURE_ACTION or (lead_id * 7 + due) % 5 >= 2:
        return None
    quarter = (lead_id * 13 + due * 5) % 36
    return clock.ts(due * 86400 + 8 * 3600 + quarter * 900 - clock.zone_offset)


def open_action(stream: list[list]) -> list | None:
    """The activity holding a record's open next action: [when, opp_id, kind,
    direction, outcome, note, action, due, done]."""
    for activity in reversed(stream):
        if activity[7] is not None and not activity[8]:
            return activity
    return None


class Activities:
    """Settles a lead's activities, made as lists [when, opp id, kind, direction,
    outcome, note, action, due, done] in time order, and writes them."""

    def __init__(self, config: Config, rnd: Callable[[], float], clock: Clock, rows: Rows):
        self.rnd = rnd
        self.clock = clock
        self.rows = rows
        self.two_way = {act for act in (*ONE_WAY, *TWO_WAY, *DEAL_WORK, NOTE) if is_two_way(*act)}
        # Engagement keys count seconds since the rules' epoch; the demo's moments count
        # them from its clock's origin.
        origin_midnight = dt.datetime.combine(clock.origin, dt.time())
        self.epoch_offset = (origin_midnight - ENGAGEMENT_EPOCH).total_seconds()
        self.half_life = config.engagement_half_life_days

    def write(self, acts: list[list], lead_id: int, owner: int) -> tuple[str | None, float | None]:
        """Write the lead's activities; returns the time of the last one and the lead's
        engagement key (None for none)."""
        last_activity = engagement = None
        if acts:
            days, tod = self.clock.days, self.clock.tod
            add = self.rows.activity_rows.append
            two_way, engaged = self.two_way, []
            for when, opp_id, k, direction, outcome, note, action, due, done in acts:
                if (k, direction, outcome) in two_way:
                    engaged.append(when)
                stamp = days[when // 86400] + tod[when % 86400]
                add(
                    (
                        lead_id,
                        opp_id,
                        k,
                        direction,
                        outcome,
                        note,
                        stamp,
                        owner,
                        action,
                        None if due is None else days[due],
                        action_time(self.clock, lead_id, due, action),
                        done,
                        stamp,
                    )
                )
            last_activity = stamp  # acts are in time order
            if engaged:
                engagement = self.engagement(engaged)
        return last_activity, engagement

    def engagement(self, moments: list[int]) -> float:
        """The engagement key of two-way interactions at `moments`, as
        funnel.recompute_engagement computes it from the stored times."""
        offset = self.epoch_offset
        return key_of_seconds([offset + m for m in moments], self.half_life)

    def settle_next_action(
        self, stream: list[list], last: list | None, active: bool, nurture_until: int | None
    ) -> None:
        """Leave at most the latest next action of a record's activities (`stream`) open:
        on records still worked, due in the past, today or ahead."""
        if not stream:
            return
        rnd = self.rnd
        if active and last is not stream[-1] and rnd() < 0.6:
            # The latest touch of a live record usually says what comes next.
            if last is not None:
                last[8] = True
            last = stream[-1]
            last[6] = pick(rnd, words.NEXT_ACTIONS)
        if last is None:
            return
        if not active:
            last[8] = True
            return
        if nurture_until is not None:
            last[6], last[7] = words.NURTURE_ACTION, nurture_until
            return
        touched = last[0] // 86400
        u = rnd()
        if u < 0.3 and touched + 1 < self.clock.today_day:
            last[7] = touched + 1 + int(rnd() * (self.clock.today_day - touched - 1))
        elif u < 0.42:
            last[7] = self.clock.today_day
        else:
            last[7] = self.clock.today_day + 1 + int(rnd() * 30)
