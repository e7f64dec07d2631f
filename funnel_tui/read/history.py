"""Reading the append-only history: what was changed, by whom and when, for a record, a
user or a period. Writing it is the rules layer's (rules.session), and so is undoing a
change (rules.undo).
No UI imports: `funnel history` and the screens read it through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnel_tui.storage.models import Activity, Company, History, Opportunity, User


@dataclass(frozen=True)
class Change:
    """One field of one change; a change of several fields is several rows with the
    same record, user, time and action."""

    id: int
    at: dt.datetime  # naive UTC
    user: str
    entity: str  # lead, opportunity, company, activity
    entity_id: int
    action: str
    field: str
    old: str | None
    new: str | None
    version: int | None


def history_entries(
    *,
    lead_id: int | None = None,
    opportunity_id: int | None = None,
    user: str | None = None,
    since: dt.datetime | None = None,
    limit: int | None = None,
) -> list[Change]:
    """Changes, oldest first. For a lead: its own, its deals' and the activities logged
    on it; for a deal: its own and its activities'. `user` is a login, `since` a naive
    UTC time; `limit` keeps the newest."""
    query = History.select(History, User.login).join(User)
    if lead_id is not None:
        deals = Opportunity.select(Opportunity.id).where(Opportunity.lead == lead_id)
        activities = Activity.select(Activity.id).where(Activity.lead == lead_id)
        query = query.where(
            ((History.entity == "lead") & (History.entity_id == lead_id))
            | ((History.entity == "opportunity") & History.entity_id.in_(deals))
            | ((History.entity == "activity") & History.entity_id.in_(activities))
        )
    if opportunity_id is not None:
        activities = Activity.select(Activity.id).where(Activity.opportunity == opportunity_id)
        query = query.where(
            ((History.entity == "opportunity") & (History.entity_id == opportunity_id))
            | ((History.entity == "activity") & History.entity_id.in_(activities))
        )
    if user is not None:
        query = query.where(User.login == user)
    if since is not None:
        query = query.where(History.at >= since)
    query = query.order_by(History.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = [
        Change(
            h.id,
            h.at,
            h.user.login,
            h.entity,
            h.entity_id,
            h.action,
            h.field,
            h.old,
            h.new,
            h.version,
        )
        for h in query
    ]
    rows.reverse()
    return rows


def company_names(entries: list[Change]) -> dict[int, str]:
    """The names of the companies the entries' company changes name by id, so that
    they read "Acme → Globex" rather than two numbers."""
    ids = set()
    for entry in entries:
        if entry.field == "company":
            ids.update(int(v) for v in (entry.old, entry.new) if v and v.isdigit())
    wanted, names = sorted(ids), {}
    for start in range(0, len(wanted), 500):  # short enough for one IN on any engine
        chunk = wanted[start : start + 500]
        names.update(Company.select(Company.id, Company.name).where(Company.id.in_(chunk)).tuples())
    return names


def user_exists(login: str) -> bool:
    return User.select().where(User.login == login).exists()
