"""Read-side queries shared by the CLI and the screens: lists, counts, a lead's record.

Counts and totals are computed by the database, never from rows loaded into memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.config import Config
from funnel_tui.core.errors import FilterRefused, Problem
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.vocab import (
    LEAD_STATUSES,
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
)

# The lead list's API lives in search.py; the screens import it from here.
from funnel_tui.read.search import PAGE_KEYS as PAGE_KEYS
from funnel_tui.read.search import SORT_KEYS as SORT_KEYS
from funnel_tui.read.search import LeadQuery as LeadQuery
from funnel_tui.read.search import lead_count as lead_count
from funnel_tui.read.search import lead_ids as lead_ids
from funnel_tui.read.search import lead_page as lead_page
from funnel_tui.read.search import search_ids_sql
from funnel_tui.read.search import status_counts as status_counts
from funnel_tui.read.search_terms import parse_search as parse_search
from funnel_tui.rules.engagement import level_of_key
from funnel_tui.storage.database import utcnow
from funnel_tui.storage.list_index import live_lead
from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    StageChange,
    User,
)

LIST_COLUMNS = (
    "id",
    "name",
    "company",
    "title",
    "phone",
    "phone_e164",
    "email",
    "email_norm",
    "country",
    "source",
    "status",
    "level",
    "owner",
    "created_at",
    "score",
    "engagement",  # 0–100 now; None: never reached two-way (funnel.engagement_level)
)
# How `funnel list` may order leads, best or newest first; ties newest first.
LIST_SORTS = ("newest", "score", "engagement", "name", "company")


@dataclass(frozen=True)
class LeadFilter:
    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # lead, prospect, opportunity, customer
    stages: tuple[str, ...] = ()  # pipeline stage names: leads with an open deal there
    owner: str = ""
    limit: int | None = None
    offset: int = 0
    sort: str = "newest"  # one of LIST_SORTS
    # A search as the list's `/` reads it (search.py), and the user's region for it.
    search: str = ""
    region: str = ""
    # Only these leads (the list's marked rows), when given.
    ids: tuple[int, ...] | None = None


def parse_filter(
    config: Config,
    statuses: list[str],
    stages: list[str],
    owner: str = "",
    limit: int | None = None,
    sort: str = "newest",
    search: str = "",
) -> LeadFilter:
    """Read user-typed filters; `stages` may name funnel levels or pipeline stages.

    Values may be repeated or comma-separated. Unknown names raise FilterRefused with a
    Problem each, listing what is accepted.
    """
    problems: list[Problem] = []
    wanted_status = []
    for text in _split(statuses):
        if text.lower() not in LEAD_STATUSES:
            problems.append(
                Problem(
                    "status",
                    "invalid",
                    _("{status!r} is not one of {choices}").format(
                        status=text, choices=", ".join(LEAD_STATUSES)
                    ),
                )
            )
        else:
            wanted_status.append(text.lower())
    levels, pipeline = [], []
    level_names = (LEVEL_LEAD, LEVEL_PROSPECT, LEVEL_OPPORTUNITY, LEVEL_CUSTOMER)
    for text in _split(stages):
        folded = text.lower()
        singular = folded[:-1] if folded.endswith("s") and folded[:-1] in level_names else folded
        stage = config.stage(text)
        if singular in level_names:
            levels.append(singular)
        elif stage is not None:
            pipeline.append(stage.name)
        else:
            choices = ", ".join([*level_names, *(s.name for s in config.stages)])
            said = _("{text!r} is not one of: {choices}").format(text=text, choices=choices)
            problems.append(Problem("stage", "invalid", said))
    if sort not in LIST_SORTS:
        problems.append(
            Problem(
                "sort",
                "invalid",
                _("{sort!r} is not one of {choices}").format(
                    sort=sort, choices=", ".join(LIST_SORTS)
                ),
            )
        )
    if problems:
        raise FilterRefused(problems)
    return LeadFilter(
        tuple(wanted_status),
        tuple(levels),
        tuple(pipeline),
        owner,
        limit,
        sort=sort,
        search=search,
        region=config.default_region,
    )


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def _lead_query(config: Config, flt: LeadFilter) -> peewee.Query:
    owner = User.alias()
    columns = (
        Lead.id,
        Lead.name,
        Company.name.alias("company"),
        Lead.title,
        Lead.phone_raw.alias("phone"),
        Lead.phone_e164,
        Lead.email_raw.alias("email"),
        Lead.email_norm,
        Lead.country,
        Lead.source,
        Lead.status,
        Lead.level,
        owner.login.alias("owner"),
        Lead.created_at,
        Lead.score,
        Lead.engagement_key,
    )
    return _filtered(columns, owner, flt)


# Every field of a lead an export writes, in its order: the phone in E.164 and as shown,
# what the user typed, and the record's state and times.
EXPORT_COLUMNS = (
    "id",
    "name",
    "company",
    "title",
    "phone",
    "phone_display",
    "phone_type",
    "phone_as_typed",
    "email",
    "country",
    "source",
    "status",
    "level",
    "unqualified_reason",
    "nurture_until",
    "next_action",
    "next_action_due",
    "next_action_at",  # its time, in UTC as the other times; empty for a whole day
    "score",
    "owner",
    "notes",
    "created_at",
    "updated_at",
    "promoted_at",
    "last_activity_at",
)


def iter_export(flt: LeadFilter = LeadFilter()) -> Iterator[dict[str, Any]]:
    """Leads matching `flt`, oldest first, as EXPORT_COLUMNS dicts, streamed."""
    if flt.ids is None:
        return _export_query(flt).iterator()
    return _export_ids(flt)


def _export_ids(flt: LeadFilter) -> Iterator[dict[str, Any]]:
    # The ids named a few hundred at a time: an IN list short enough for every engine.
    wanted = sorted(set(flt.ids or ()))
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        yield from _export_query(flt).where(Lead.id.in_(chunk)).iterator()


def _export_query(flt: LeadFilter) -> peewee.Query:
    owner = User.alias()
    columns = (
        Lead.id,
        Lead.name,
        Company.name.alias("company"),
        Lead.title,
        peewee.fn.COALESCE(Lead.phone_e164, Lead.phone_raw).alias("phone"),
        Lead.phone_display,
        Lead.phone_type,
        Lead.phone_raw.alias("phone_as_typed"),
        Lead.email_raw.alias("email"),
        Lead.country,
        Lead.source,
        Lead.status,
        Lead.level,
        Lead.unqualified_reason,
        Lead.nurture_until,
        Lead.next_action,
        Lead.next_action_due,
        Lead.next_action_at,
        Lead.score,
        owner.login.alias("owner"),
        Lead.notes,
        Lead.created_at,
        Lead.updated_at,
        Lead.promoted_at,
        Lead.last_activity_at,
    )
    return _filtered(columns, owner, flt).order_by(Lead.id).dicts()


def _filtered(columns: tuple, owner: Any, flt: LeadFilter) -> peewee.Query:
    query = (
        Lead.select(*columns)
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Lead.company == Company.id))
        .switch(Lead)
        .join(owner, on=(Lead.owner == owner.id))
        .where(live_lead())
    )
    if flt.statuses:
        query = query.where(Lead.status.in_(flt.statuses))
    if flt.levels or flt.stages:
        condition = None
        if flt.levels:
            condition = Lead.level.in_(flt.levels)
        if flt.stages:
            in_stage = Lead.id.in_(
                Opportunity.select(Opportunity.lead).where(Opportunity.stage.in_(flt.stages))
            )
            condition = in_stage if condition is None else (condition | in_stage)
        query = query.where(condition)
    if flt.owner:
        query = query.where(owner.login == flt.owner)
    found = search_ids_sql(flt.search, flt.region) if flt.search else None
    if found is not None:
        # The very statement the list screen's search runs: both find the same leads.
        sql, params = found
        query = query.where(Lead.id.in_(peewee.SQL(f"({sql})", params)))
    return query


def list_leads(
    config: Config, flt: LeadFilter = LeadFilter(), now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Leads matching `flt` in its order, as plain dicts with LIST_COLUMNS; engagement
    as it stands at `now` (default: this moment, UTC)."""
    query = _ordered(_lead_query(config, flt), flt.sort)
    if flt.limit is not None:
        query = query.limit(flt.limit).offset(flt.offset)
    return list(with_engagement(query.dicts(), config, now))


def iter_leads(config: Config, flt: LeadFilter = LeadFilter(), now: dt.datetime | None = None):
    """Like list_leads but streamed: for exports of the whole database (or as much of
    it as `flt.limit` takes)."""
    query = _ordered(_lead_query(config, flt), flt.sort)
    if flt.limit is not None:
        query = query.limit(flt.limit).offset(flt.offset)
    return with_engagement(query.dicts().iterator(), config, now)


def _ordered(query: peewee.Query, sort: str) -> peewee.Query:
    if sort == "score":
        return query.order_by(Lead.score.desc(), Lead.id.desc())
    if sort == "engagement":
        # Never reached two-way (NULL) counts as the least engaged on both engines.
        key = Lead.engagement_key.desc(nulls="LAST")
        return query.order_by(key, Lead.id.desc())
    if sort in ("name", "company"):
        key, fold = (Lead.name_key, Lead.name_fold) if sort == "name" else _COMPANY_ORDER
        return query.order_by(_name_order(key, fold), Lead.id)
    return query.order_by(Lead.id.desc())


_COMPANY_ORDER = (Lead.company_key, Lead.company_fold)


def _name_order(key: peewee.Field, fold: peewee.Field) -> peewee.Node:
    """list_index.name_order_sql for Peewee, written as the index is (a literal '', not
    a parameter, or SQLite would not see that the index serves it)."""
    return peewee.NodeList(
        (
            peewee.SQL("CASE WHEN"),
            fold,
            peewee.SQL("= '' THEN"),
            key,
            peewee.SQL("ELSE"),
            fold,
            peewee.SQL("END"),
        )
    )


def with_engagement(rows: Iterable[dict[str, Any]], config: Config, now: dt.datetime | None):
    """Rows with their stored engagement key turned into the level at `now`."""
    now, half_life = now or utcnow(), config.engagement_half_life_days
    for row in rows:
        row["engagement"] = level_of_key(row.pop("engagement_key"), now, half_life)
        yield row


@dataclass(frozen=True)
class StageCount:
    label: str
    count: int
    group: str  # "lead", "prospect", "opportunity", "closed"
    key: str = ""  # the stored value counted: a status, a level, a stage's name


def funnel_counts(config: Config) -> list[StageCount]:
    """How many records stand at each step of the funnel, in funnel order."""
    by_status = dict(
        Lead.select(Lead.status, peewee.fn.COUNT(Lead.id))
        .where((Lead.level == LEVEL_LEAD) & live_lead())
        .group_by(Lead.status)
        .tuples()
    )
    by_level = dict(
        Lead.select(Lead.level, peewee.fn.COUNT(Lead.id))
        .where(live_lead())
        .group_by(Lead.level)
        .tuples()
    )
    open_by_stage = dict(
        Opportunity.select(Opportunity.stage, peewee.fn.COUNT(Opportunity.id))
        .where(Opportunity.state == OPP_OPEN)
        .group_by(Opportunity.stage)
        .tuples()
    )
    by_state = dict(
        Opportunity.select(Opportunity.state, peewee.fn.COUNT(Opportunity.id))
        .group_by(Opportunity.state)
        .tuples()
    )
    # Labels as the rep reads them (`funnel where` prints them; the screen words its own
    # the same way); `group` and `key` stay the stored words, as --format json gives.
    rows = [
        StageCount(
            _("Leads · {status}").format(status=vocab_label(s)), by_status.get(s, 0), "lead", s
        )
        for s in LEAD_STATUSES
    ]
    rows.append(
        StageCount(_("Prospects"), by_level.get(LEVEL_PROSPECT, 0), "prospect", LEVEL_PROSPECT)
    )
    rows += [
        StageCount(shown_name(s.name), open_by_stage.get(s.name, 0), "opportunity", s.name)
        for s in config.open_stages
    ]
    won, lost = config.won_stage, config.lost_stage
    rows.append(StageCount(shown_name(won), by_state.get(OPP_WON, 0), "closed", OPP_WON))
    rows.append(StageCount(shown_name(lost), by_state.get(OPP_LOST, 0), "closed", OPP_LOST))
    rows.append(
        StageCount(_("Customers"), by_level.get(LEVEL_CUSTOMER, 0), "closed", LEVEL_CUSTOMER)
    )
    return rows


def lead_record(lead_id: int) -> dict[str, Any] | None:
    """Everything about one lead for `show` and the lead screen: fields, answers,
    opportunities, activities and history (newest last)."""
    lead = Lead.get_or_none(Lead.id == lead_id)
    if lead is None:
        return None
    company = lead.company if lead.company_id else None
    answers = list(Qualification.select().where(Qualification.lead == lead_id))
    opportunities = list(
        Opportunity.select().where(Opportunity.lead == lead_id).order_by(Opportunity.id)
    )
    opp_ids = [o.id for o in opportunities]
    activities = list(
        Activity.select(Activity, User.login)
        .join(User)
        .where(Activity.lead == lead_id)
        .order_by(Activity.occurred_at, Activity.id)
    )
    # The history of the leads merged into this one reads as its own.
    merged = Lead.select(Lead.id).where(Lead.merged_into == lead_id)
    history_filter = (History.entity == "lead") & (
        (History.entity_id == lead_id) | History.entity_id.in_(merged)
    )
    if opp_ids:
        history_filter |= (History.entity == "opportunity") & History.entity_id.in_(opp_ids)
    history = list(
        History.select(History, User.login).join(User).where(history_filter).order_by(History.id)
    )
    stage_changes = (
        list(
            StageChange.select()
            .where(StageChange.opportunity.in_(opp_ids))
            .order_by(StageChange.id)
        )
        if opp_ids
        else []
    )
    return {
        "lead": lead,
        "company": company,
        "owner": lead.owner.login,
        "answers": {a.item: a for a in answers},
        "opportunities": opportunities,
        "stage_changes": stage_changes,
        "activities": activities,
        "history": history,
    }
