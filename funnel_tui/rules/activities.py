"""Logging what was done (calls, emails, meetings, notes), snoozing, and the next action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from funnel_tui.core import validators as v
from funnel_tui.core.dates import next_working_day
from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.formats import date_weekday
from funnel_tui.core.i18n import ENGLISH, _, current_language, ngettext
from funnel_tui.core.output import plain
from funnel_tui.core.times import moment_text, same_time_on
from funnel_tui.core.vocab import (
    ACTIVITY_KINDS,
    DIRECTIONS,
    STATUS_NEW,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
)
from funnel_tui.rules.engagement import (
    _engagement_key_for_update,
    add_engagement,
    engagement_time,
    is_two_way,
)
from funnel_tui.rules.session import Session, _json, _row_for_update
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Activity, Lead, Opportunity, database


class ActivityRules(Session):
    """Activities and next actions."""

    @retry_writes
    def log_activity(
        self,
        *,
        lead_id: int | None = None,
        opportunity_id: int | None = None,
        kind: str,
        direction: str = "outbound",
        outcome: str = "",
        note: str = "",
        next_action: str = "",
        next_due: dt.date | None = None,
        occurred_at: dt.datetime | None = None,
        next_at: dt.datetime | None = None,
    ) -> Activity:
        """Log an interaction; the first two-way one moves a *new* lead to *working*.

        `next_at` (naive UTC) gives the next action a time of day on `next_due`, as
        core.times.parse_when reads both from what the rep typed.

        A two-way interaction also adds to the lead's stored engagement key (derived
        data, like the score: no version bump, no history)."""
        record = []
        if (lead_id is None) == (opportunity_id is None):
            record = [
                Problem("record", "required", _("log against exactly one lead or opportunity"))
            ]
        try:
            kind, direction, outcome_text, note_text, action_text = checked_activity(
                self, kind, direction, outcome, note, next_action, next_due, next_at
            )
        except Refused as exc:
            raise Refused([*exc.problems, *record]) from None
        if record:
            raise Refused(record)
        now = self.now()
        when = occurred_at or now
        with database.atomic():
            if opportunity_id is not None:
                opp = self._opp_for_update(opportunity_id, None)
                lead = _row_for_update(Lead, opp.lead_id)
            else:
                lead = self._lead_for_update(lead_id)
                if next_due is not None and lead.status == STATUS_UNQUALIFIED:
                    raise Refused([unqualified_next_action([lead.id], lead.name)])
            activity = Activity.create(
                lead=lead.id,
                opportunity=opportunity_id,
                kind=kind,
                direction=direction,
                outcome=outcome_text,
                note=note_text,
                occurred_at=when,
                user=self.user_id,
                next_action=action_text,
                next_action_due=next_due,
                next_action_at=next_at,
                created_at=now,
            )
            # An interaction settles the record's open next action (the call it asked
            # for was made) and a new next action replaces it; a note leaves it open.
            settles = next_due is not None or kind != "note"
            if settles:
                (
                    Activity.update(next_action_done=True)
                    .where(
                        (Activity.lead == lead.id)
                        & (Activity.id != activity.id)
                        & (
                            Activity.opportunity == opportunity_id
                            if opportunity_id
                            else Activity.opportunity.is_null()
                        )
                        & Activity.next_action_due.is_null(False)
                        & (Activity.next_action_done == False)
                    )
                    .execute()
                )
            snapshot = {
                "kind": kind,
                "direction": direction,
                "outcome": outcome_text,
                "next_action": action_text,
                "next_due": next_due,
            }
            if next_at is not None:
                snapshot["next_at"] = next_at
            self._history("activity", activity.id, "create", [("", None, _json(snapshot))], now)
            updates: dict[str, Any] = {}
            if lead.last_activity_at is None or when > lead.last_activity_at:
                updates["last_activity_at"] = when
            two_way = is_two_way(kind, direction, outcome_text)
            if two_way:
                half_life = self.config.engagement_half_life_days
                updates["engagement_key"] = add_engagement(
                    _engagement_key_for_update(lead.id), engagement_time(when, half_life)
                )
            if lead.status == STATUS_NEW and two_way:
                updates["status"] = STATUS_WORKING
                updates["version"] = Lead.version + 1
                # The system acts for the user: recorded as an automatic change.
                self._history(
                    "lead",
                    lead.id,
                    "auto",
                    [("status", STATUS_NEW, STATUS_WORKING)],
                    now,
                    lead.version + 1,
                )
            if opportunity_id is None and settles:
                updates.update(
                    next_action=action_text, next_action_due=next_due, next_action_at=next_at
                )
            if updates:
                Lead.update(**updates).where(Lead.id == lead.id).execute()
            if opportunity_id is not None:
                self._note_on_opportunity(opp, when, action_text, next_due, settles, next_at)
        return activity

    @staticmethod
    def _note_on_opportunity(
        opp: Opportunity,
        when: dt.datetime,
        action: str,
        due: dt.date | None,
        settles: bool = True,
        at: dt.datetime | None = None,
    ) -> None:
        """Copy the latest activity time and the open next action onto the deal's row,
        which the board reads (derived data: no version bump, no history)."""
        updates: dict[str, Any] = {}
        if opp.last_activity_at is None or when > opp.last_activity_at:
            updates["last_activity_at"] = when
        if settles:
            updates.update(next_action=action, next_action_due=due, next_action_at=at)
        if updates:
            Opportunity.update(**updates).where(Opportunity.id == opp.id).execute()

    @retry_writes
    def snooze(
        self,
        *,
        lead_id: int | None = None,
        opportunity_id: int | None = None,
        days: int,
    ) -> dt.date:
        """Put a record's next action off by `days` from today (or from its due date,
        if that is later), on to the next of the config's working days (a Friday's +1
        is Monday); a record with nothing scheduled gets "Follow up" (in the rep's language) then.
        Returns the new due date; history records the move."""
        if (lead_id is None) == (opportunity_id is None):
            raise Refused([Problem("record", "required", _("snooze exactly one lead or deal"))])
        if not 1 <= days <= 366:
            raise Refused([Problem("days", "invalid", _("snooze by 1 to 366 days"))])
        now, today = self.now(), self.today()
        with database.atomic():
            if opportunity_id is not None:
                record: Lead | Opportunity = self._opp_for_update(opportunity_id, None)
                entity = "opportunity"
            else:
                record, entity = self._lead_for_update(lead_id), "lead"
            old_due, old_at = record.next_action_due, record.next_action_at
            new_due = next_working_day(
                max(old_due or today, today) + dt.timedelta(days=days), self.config.working_days
            )
            # A call set for 3 pm stays at 3 pm on the day it moves to.
            new_at = None if old_at is None else same_time_on(old_at, new_due, self.zone)
            # The default is written for the rep, in their words, as text they typed would be.
            action = record.next_action or _("Follow up")
            type(record).update(
                next_action=action, next_action_due=new_due, next_action_at=new_at
            ).where(type(record).id == record.id).execute()
            changes = [("next_action_due", old_due, new_due)]
            if old_at is not None:
                changes.append(("next_action_at", old_at, new_at))
            if action != record.next_action:
                changes.append(("next_action", record.next_action, action))
            self._history(entity, record.id, "snooze", changes, now)
        return new_due


def unqualified_next_action(lead_ids: list[int], name: str = "") -> Problem:
    """The refusal of a next action on unqualified leads: the Today queue, the calendar
    and the reminders leave them out, so the action would show nowhere. One lead is
    named by its `name` too."""
    shown = ", ".join(f"#{lead_id}" for lead_id in lead_ids[:5])
    if name and len(lead_ids) == 1:
        shown += f" ({plain(name)})"
    if len(lead_ids) > 5:
        shown += " …"
    said = ngettext(
        "lead {leads} is unqualified: a next action would show nowhere (not in Today, "
        "the calendar or reminders); set it back to working first",
        "leads {leads} are unqualified: a next action would show nowhere for them (not "
        "in Today, the calendar or reminders); leave them out or set them back to "
        "working first",
        len(lead_ids),
    )
    return Problem("next_action", "unqualified", said.format(leads=shown))


def checked_activity(
    session: Session,
    kind: str,
    direction: str,
    outcome: str,
    note: str,
    next_action: str,
    next_due: dt.date | None,
    next_at: dt.datetime | None,
) -> tuple[str, str, str, str, str]:
    """check_activity as of the session's clock and in its user's zone."""
    return check_activity(
        kind, direction, outcome, note, next_action, next_due, session.today(), next_at,
        session.now(), session.zone,
    )  # fmt: skip


def check_activity(
    kind: str,
    direction: str,
    outcome: str,
    note: str,
    next_action: str,
    next_due: dt.date | None,
    today: dt.date,
    next_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> tuple[str, str, str, str, str]:
    """What an activity's fields store, (kind, direction, outcome, note, next action),
    or Refused naming every field at fault. For one record (log_activity) and for many
    (bulk_actions.bulk_log_activity)."""
    problems = []
    kind = kind.strip().lower().replace(" ", "_").replace("-", "_")
    if kind not in ACTIVITY_KINDS:
        problems.append(
            Problem(
                "type",
                "invalid",
                _("{kind!r} is not one of {choices}").format(
                    kind=kind, choices=", ".join(ACTIVITY_KINDS)
                ),
            )
        )
    direction = "" if kind == "note" else direction.strip().lower()
    if kind != "note" and direction not in DIRECTIONS:
        problems.append(
            Problem(
                "direction",
                "invalid",
                _("{direction!r} must be outbound or inbound").format(direction=direction),
            )
        )
    checks = [
        v.check_text("outcome", "_".join(outcome.lower().split())),
        v.check_text("note", note),
        v.check_text("next_action", next_action),
    ]
    problems += [c.problem for c in checks if not c.ok]
    if next_action.strip() and next_due is None:
        problems.append(Problem("due", "required", _("a next action needs a due date")))
    if next_at is not None and next_due is None:
        problems.append(Problem("due", "required", _("a time needs its date")))
    elif next_at is not None and now is not None and next_at < now.replace(second=0, microsecond=0):
        problems.append(
            Problem(
                "due",
                "past",
                _("{time} has passed; pick a later time").format(time=moment_text(next_at, zone)),
            )
        )
    elif next_due is not None and next_due < today:
        problems.append(
            Problem(
                "due",
                "past",
                _("{date} is in the past; pick today or later").format(date=_past_date(next_due)),
            )
        )
    if problems:
        raise Refused(problems)
    outcome_text, note_text, action_text = (c.value for c in checks)
    return kind, direction, outcome_text, note_text, action_text


def _past_date(day: dt.date) -> str:
    # English as it always read ("Mon 2026-11-02"); other languages their own form.
    if current_language() == ENGLISH:
        return f"{day:%a} {day}"
    return date_weekday(day)
