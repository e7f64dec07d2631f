"""Demo data: a believable funnel of any size, to try funnel out and to measure it.

Leads come from many regions with names, companies and titles in their own scripts,
valid mobile numbers and emails built from the romanised names; they are spread over
every status and level, with checklist answers, opportunities across the board, months
of activities with next actions, and the history rows the rules layer would have written
for all of it.

Speed decides most of the shape below (100,000 leads in seconds rather than minutes):

- Rows are written with the DB-API cursor in one transaction (on SQLite 50 rows an
  INSERT, on PostgreSQL COPY; see _Writer); building Peewee model instances or queries
  per row is several times slower.
- Companies, leads and opportunities get their ids here (from the current maximum on)
  so children can point at their parents without reading anything back.
- Phone numbers are not validated one by one: each region has mobile prefixes that are
  valid with any digits after them (tests/test_demo.py proves it), and the typed layout
  is learnt once per prefix by formatting a sample number.
- Timestamps are seconds from a base midnight, turned into text through lookup tables.
- History snapshots are JSON written by joining strings: the words they are made of
  contain no character JSON would escape (demo_names says so; a test checks it).
- The search index is filled batch by batch in one statement each, and secondary
  indexes are built once at the end (db.deferred_search_index, db.deferred_indexes);
  the next batch is made in a helper thread while SQLite indexes the last one for
  search, or while PostgreSQL takes in its rows.
- Afterwards the planner's statistics are gathered (planner_stats), so that the first
  query after the load is planned for the tables as they now are.

Everything random comes from one `random.Random(seed)`, and all time from `today`, so a
seed gives the same rows on every run against the same starting database.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import math
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, chain
from random import Random
from typing import Any

import peewee

from funnel_tui.config import Config, IcpCriterion
from funnel_tui.core.folding import email_key, stored_fold
from funnel_tui.core.validators import normalise_key
from funnel_tui.core.vocab import (
    ANSWER_NO,
    ANSWER_UNKNOWN,
    ANSWER_YES,
    BANT_ITEMS,
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
    STATUS_NEW,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
)
from funnel_tui.demo import names as words
from funnel_tui.rules.funnel import (
    ENGAGEMENT_EPOCH,
    ENGAGEMENT_META_KEY,
    SCORE_META_KEY,
    engagement_fingerprint,
    is_two_way,
    score_fingerprint,
)
from funnel_tui.storage.database import (
    bulk_writes,
    deferred_indexes,
    deferred_search_index,
    get_meta,
    set_meta,
    utcnow,
)
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
from funnel_tui.storage.planner_stats import refresh_statistics

SPAN_DAYS = 273  # about nine months of history before `today`
BATCH = 5000  # leads generated, written and reported at a time
# From this many leads on SQLite, a forked process makes the rows (_ForkedBatches): fork
# and the pipe cost about 50 ms, which a smaller demo would not win back.
FORK_FROM_LEADS = 20_000
DUPLICATE_EVERY = 1000  # one lead in this many is the same person captured twice
ROWS_PER_STATEMENT = 50  # rows an SQLite INSERT carries (see _Writer)
BULK_CACHE_MIB = 256  # SQLite's page cache while the demo writes (see generate_demo)

# The sales team: (login, display name, regions they mainly work).
REPS = (
    ("anna", "Anna Schneider", ("DE", "AT", "CH", "FR", "IT", "NL")),
    ("ben", "Ben Miller", ("US", "GB")),
    ("carla", "Carla Méndez", ("MX", "ES", "BR")),
    ("dawid", "Dawid Wójcik", ("PL", "DE")),
    ("mei", "林美玲", ("TW", "CN", "JP", "KR")),
)


@dataclass(frozen=True)
class DemoSummary:
    """Rows written by one `generate_demo` run, and how long it took. `users` counts the
    users created; logins that already existed are reused."""

    leads: int
    companies: int
    opportunities: int
    activities: int
    history: int
    stage_changes: int
    users: int
    qualifications: int
    seconds: float


# Columns written per table, by field name; tests check they cover every model field, so
# a new column without a database default cannot slip past the demo unnoticed.
COMPANY_FIELDS = (
    "id",
    "name",
    "name_key",
    "industry",
    "employees",
    "country",
    "website",
    "created_at",
    "updated_at",
    "version",
)
LEAD_FIELDS = (
    "id",
    "name",
    "name_key",
    "company",
    "title",
    "phone_raw",
    "phone_e164",
    "phone_type",
    "phone_display",
    "email_raw",
    "email_norm",
    "country",
    "source",
    "notes",
    "status",
    "level",
    "nurture_until",
    "unqualified_reason",
    "owner",
    "created_by",
    "created_at",
    "updated_at",
    "promoted_at",
    "last_activity_at",
    "version",
    "company_key",
    "score",
    "engagement_key",
    "next_action",
    "next_action_due",
    "email_key",
    "name_fold",
    "company_fold",
)
QUALIFICATION_FIELDS = ("lead", "item", "answer", "value", "evidence", "answered_by", "answered_at")
OPPORTUNITY_FIELDS = (
    "id",
    "lead",
    "company",
    "name",
    "amount_cents",
    "currency",
    "expected_close",
    "stage",
    "state",
    "lost_reason",
    "notes",
    "owner",
    "created_by",
    "created_at",
    "updated_at",
    "stage_entered_at",
    "closed_at",
    "version",
    "last_activity_at",
    "next_action",
    "next_action_due",
)
STAGE_CHANGE_FIELDS = ("opportunity", "from_stage", "to_stage", "user", "at")
ACTIVITY_FIELDS = (
    "lead",
    "opportunity",
    "kind",
    "direction",
    "outcome",
    "note",
    "occurred_at",
    "user",
    "next_action",
    "next_action_due",
    "next_action_done",
    "created_at",
)
HISTORY_FIELDS = ("at", "user", "entity", "entity_id", "action", "field", "old", "new", "version")

# What the demo writes, in an order that puts parents first. Tables whose fields include
# "id" get their ids from the demo; the others take the database's next id.
TABLES = (
    (Company, COMPANY_FIELDS),
    (Lead, LEAD_FIELDS),
    (Qualification, QUALIFICATION_FIELDS),
    (Opportunity, OPPORTUNITY_FIELDS),
    (StageChange, STAGE_CHANGE_FIELDS),
    (Activity, ACTIVITY_FIELDS),
    (History, HISTORY_FIELDS),
)

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

# What became of a lead; chosen first, the rest of its story follows from it.
NEW, WORKING, NURTURING, UNQUALIFIED, PROSPECT, OPPORTUNITY, CUSTOMER = range(7)
ARCHETYPE_WEIGHTS = (25, 26, 10, 17, 9, 8, 5)
# How long (a share of the whole span) a lead of each kind is worked, and the least time
# it needs: a lead captured yesterday cannot be a customer yet, so it is demoted.
WORK_SPAN = (0.04, 0.25, 0.2, 0.12, 0.3, 0.45, 0.55)
LEAST_SPAN = (0.0, 0.004, 0.01, 0.004, 0.03, 0.06, 0.1)
DEMOTE = (NEW, NEW, WORKING, WORKING, WORKING, PROSPECT, OPPORTUNITY)

# Share of leads of each kind with any checklist answers (qualified ones have all).
ANSWER_CHANCE = (0.1, 0.5, 0.4, 0.3, 1.0, 1.0, 1.0)
BUSINESS_DAY = 11 * 3600  # 08:00 to 19:00 local time

EMPLOYEE_BUCKETS = ((3, 10), (10, 50), (50, 250), (250, 1000), (1000, 10000), (10000, 60000))
EMPLOYEE_WEIGHTS = (15, 25, 30, 18, 10, 2)


# ------------------------------------------------------------------------ helpers


def _pick(rnd: Callable[[], float], seq: Sequence[Any]) -> Any:
    return seq[int(rnd() * len(seq))]


def _weighted(weights: Sequence[float]) -> Callable[[float], int]:
    """Index chooser: maps a uniform number in [0, 1) to an index by weight."""
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    scaled = [c / total for c in cumulative[:-1]]
    return lambda u: bisect(scaled, u)


def _js(text: str) -> str:
    """A JSON string literal for text from the word lists (nothing to escape there)."""
    return '"' + text + '"'


@cache
def _times_of_day() -> list[str]:
    """Text " HH:MM:SS" of every second of a day; a timestamp is a day's text plus one.
    Joined from the 60 two-digit texts: formatting 259,200 numbers took 0.08 s a run."""
    two = [f"{n:02d}" for n in range(60)]
    return [f" {h}:{m}:{s}" for h in two[:24] for m in two for s in two]


def _calendar(origin: dt.date) -> tuple[list[str], list[int]]:
    """Text of each day from `origin` on, and the business days of the demo's span (which
    starts two days after `origin`)."""
    days = [(origin + dt.timedelta(days=d)).isoformat() for d in range(SPAN_DAYS + 400)]
    business = [d for d in range(2, SPAN_DAYS + 2) if (origin + dt.timedelta(days=d)).weekday() < 5]
    return days, business


@dataclass(frozen=True)
class _PhonePlan:
    """Mobile numbers of one region with one prefix, and how people type them."""

    country_code: str
    prefix: str
    free: int
    type_name: str
    international: tuple[str, tuple[tuple[int, str], ...]]
    national: tuple[str, tuple[tuple[int, str], ...]]


def _layout(formatted: str, nsn: str, free: int) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Split a formatted sample into the text before the free digits and the groups of
    free digits with what follows each group, e.g. "+49 151 " and ((8, ""),)."""
    positions = [i for i, ch in enumerate(formatted) if ch.isdigit()][-len(nsn) :]
    if "".join(formatted[i] for i in positions) != nsn:
        raise ValueError(f"cannot find {nsn} in {formatted}")
    first = positions[len(nsn) - free]
    groups: list[tuple[int, str]] = []
    run, sep = 0, ""
    for ch in formatted[first:]:
        if ch.isdigit():
            if sep:
                groups.append((run, sep))
                run, sep = 0, ""
            run += 1
        else:
            sep += ch
    groups.append((run, sep))
    return formatted[:first], tuple(groups)


def _render(layout: tuple[str, tuple[tuple[int, str], ...]], digits: str) -> str:
    head, groups = layout
    out, at = head, 0
    for count, sep in groups:
        out += digits[at : at + count] + sep
        at += count
    return out


@cache
def phone_plans() -> dict[str, tuple[_PhonePlan, ...]]:
    """Per region, its mobile prefixes with their typed layouts (built once a process).

    A prefix whose sample number does not validate (newer phone metadata, say) is left
    out rather than producing invalid numbers.
    """
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    from funnel_tui.core.validators import check_phone

    plans: dict[str, tuple[_PhonePlan, ...]] = {}
    for spec in words.REGIONS:
        code = str(phonenumbers.country_code_for_region(spec.code))
        found = []
        for prefix in spec.mobile_prefixes.split():
            nsn = prefix + "2345678901"[: spec.free_digits]
            check = check_phone("+" + code + nsn)
            if not check.ok or check.details.get("region") != spec.code:
                continue
            number = phonenumbers.parse("+" + code + nsn)
            try:
                intl = _layout(
                    phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
                    nsn,
                    spec.free_digits,
                )
                national = _layout(
                    phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
                    nsn,
                    spec.free_digits,
                )
            except ValueError:
                continue
            found.append(
                _PhonePlan(code, prefix, spec.free_digits, check.details["type"], intl, national)
            )
        if not found:
            raise RuntimeError(f"no usable mobile prefix for {spec.code}")
        plans[spec.code] = tuple(found)
    return plans


def _meets(criterion: IcpCriterion, wanted: set[str], value: Any) -> str:
    """The rules layer's reading of a value against an ICP criterion; `wanted` holds the
    criterion's values casefolded."""
    if criterion.kind == "in":
        return ANSWER_YES if str(value).strip().casefold() in wanted else ANSWER_NO
    try:
        number = float(str(value).replace(",", "").replace("_", "").strip())
    except ValueError:
        return ANSWER_UNKNOWN
    return ANSWER_YES if number >= criterion.value else ANSWER_NO


# ------------------------------------------------------------------------- writing


# COPY's text format: a tab between fields, a newline after each row, \N for NULL, and
# a backslash before any backslash, tab, newline or carriage return inside a value.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(rows: list[tuple], width: int) -> str:
    """The rows in COPY's text format. Values go in as str() gives them (True is read as
    true, a float's repr as the same double), strings as they are: the demo's own words
    hold no character COPY escapes, which the counts below confirm in a few passes over
    the text. Text from elsewhere (the config's stage names, a user's name) that does
    hold one is escaped field by field instead."""
    text = "".join(
        [
            "\t".join([v if v.__class__ is str else "\\N" if v is None else str(v) for v in row])
            + "\n"
            for row in rows
        ]
    )
    nulls = sum(row.count(None) for row in rows)
    if (
        text.count("\\") == nulls
        and text.count("\t") == len(rows) * (width - 1)
        and text.count("\n") == len(rows)
        and "\r" not in text
    ):
        return text
    return "".join(
        [
            "\t".join(
                [
                    v.translate(_COPY_ESCAPES)
                    if v.__class__ is str
                    else "\\N"
                    if v is None
                    else str(v)
                    for v in row
                ]
            )
            + "\n"
            for row in rows
        ]
    )


class _Writer:
    """Inserts plain tuples through the DB-API cursor inside the caller's transaction.

    On SQLite a statement carries ROWS_PER_STATEMENT rows (`VALUES (...), (...), ...`):
    a fifth less time than `executemany` of one row at a time, which pays the module's
    per-row bookkeeping (reset, clear, bind, step) for every row. On PostgreSQL the
    rows go in with `COPY ... FROM STDIN` as text, which the server takes in faster than
    INSERT statements and this process makes faster than psycopg2 quotes every value
    into SQL: the 100,000-lead demo took 25 s instead of 42 s, 3 s of it in this
    process's writing instead of 10 s.
    """

    def __init__(self, db: peewee.Database):
        self.db = db
        self.postgres = isinstance(db, peewee.PostgresqlDatabase)
        self.sql: dict[type[peewee.Model], str] = {}
        self.many_sql: dict[type[peewee.Model], str] = {}
        self.width: dict[type[peewee.Model], int] = {}
        for model, fields in TABLES:
            columns = ", ".join(self._quote(model._meta.fields[f].column_name) for f in fields)
            table = self._quote(model._meta.table_name)
            self.width[model] = len(fields)
            if self.postgres:
                self.sql[model] = f"COPY {table} ({columns}) FROM STDIN"
            else:
                row = "(" + ", ".join([db.param] * len(fields)) + ")"
                self.sql[model] = f"INSERT INTO {table} ({columns}) VALUES {row}"
                self.many_sql[model] = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(
                    [row] * ROWS_PER_STATEMENT
                )

    def _quote(self, name: str) -> str:
        return self.db.quote[0] + name + self.db.quote[1]

    def write(self, model: type[peewee.Model], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = self.db.cursor()
        if self.postgres:
            text = _copy_text(rows, self.width[model])
            # Read in one piece: each piece psycopg2 reads takes Python's lock back from
            # the thread making the next batch, which can make it wait 5 ms.
            cursor.copy_expert(self.sql[model], io.StringIO(text), size=len(text) + 1)
            return
        whole = len(rows) - len(rows) % ROWS_PER_STATEMENT
        if whole:
            flat = list(chain.from_iterable(rows[:whole]))
            step = ROWS_PER_STATEMENT * self.width[model]
            sql = self.many_sql[model]
            for at in range(0, len(flat), step):
                cursor.execute(sql, flat[at : at + step])
        if whole < len(rows):
            cursor.executemany(self.sql[model], rows[whole:])

    def max_id(self, model: type[peewee.Model]) -> int:
        table = self._quote(model._meta.table_name)
        row = self.db.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone()
        return row[0] or 0

    def lock(self) -> None:
        """On PostgreSQL, keep other writers from taking ids the demo is about to use.

        (SQLite needs nothing: the transaction is IMMEDIATE, so there is one writer.)
        """
        if self.postgres:
            tables = ", ".join(
                self._quote(m._meta.table_name) for m in (Company, Lead, Opportunity)
            )
            self.db.execute_sql(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")

    def fix_sequences(self) -> None:
        """On PostgreSQL, move the id sequences past the ids the demo assigned."""
        if not self.postgres:
            return
        for model in (Company, Lead, Opportunity):
            table = self._quote(model._meta.table_name)
            self.db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {table} "
                "HAVING MAX(id) IS NOT NULL",
                (table,),
            )


# ---------------------------------------------------------------------- generating


# Steps of a lead's story, in the order they can happen.
TRY, FIRST, ACT, QUAL, NURTURE, UNQUALIFY, PROMOTE, CONVERT, DEAL_ACT, MOVE, CLOSE = range(11)


class _Opp:
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


class _Region:
    """A region and everything its leads are made of, prepared once per run."""

    def __init__(
        self,
        spec: words.RegionSpec,
        culture: words.Culture,
        reps: list[int],
        plans: tuple[_PhonePlan, ...],
    ):
        self.code = spec.code
        self.spec = spec
        self.culture = culture
        self.style = culture.style
        self.tz = spec.utc_offset * 3600
        self.reps = reps
        self.plans = plans
        self.free_mail = words.free_mail(spec.code)
        # Name parts with their duplicate-check keys, so a name's key is two lookups.
        self.female = tuple((n, r, normalise_key(n)) for n, r in culture.female)
        self.male = tuple((n, r, normalise_key(n)) for n, r in culture.male)
        self.family = tuple(
            (m, mr, normalise_key(m), f, fr, normalise_key(f)) for m, mr, f, fr in culture.family
        )
        self.companies: list[tuple] = []
        self.misses = 0  # new companies in a row that found no unused name
        # Surnames that can share a company name ("Weber & Hoffmann"), where that is usual.
        self.partners = (
            tuple((m, mr) for m, mr, _, _, _, _ in self.family)
            if culture.style in ("western", "hispanic")
            else ()
        )


class _Generator:
    """Makes up leads one at a time and keeps their rows until they are taken."""

    def __init__(
        self,
        config: Config,
        rng: Random,
        today: dt.date,
        users: dict[str, int],
        main_user: str,
        taken: dict[str, set[str]],
    ):
        self.config = config
        self.rnd = rng.random
        self.origin = today - dt.timedelta(days=SPAN_DAYS + 2)
        # Moments are seconds from `origin`, two days before the span, so that business
        # hours of the first day in time zones east of UTC still fall on a listed day.
        self.days, business = _calendar(self.origin)
        self.tod = _times_of_day()
        self.business_start = [d * 86400 + 8 * 3600 for d in business]  # 08:00 local
        self.business_seconds = len(business) * BUSINESS_DAY
        self.today_day = SPAN_DAYS + 2
        self.end = self.today_day * 86400 - 1  # the last second before `today`

        self.main_user = users[main_user]
        self.rep_ids = [users[login] for login, _, _ in REPS]
        cultures = words.cultures()
        plans = phone_plans()
        self.regions = [
            _Region(
                spec,
                cultures[spec.culture],
                [users[login] for login, _, codes in REPS if spec.code in codes] or self.rep_ids,
                plans[spec.code],
            )
            for spec in words.REGIONS
        ]
        self.pick_region = _weighted([r.weight for r in words.REGIONS])
        self.pick_archetype = _weighted(ARCHETYPE_WEIGHTS)
        self.pick_employees = _weighted(EMPLOYEE_WEIGHTS)
        # What the database already holds is not handed out again.
        self.emails = taken["email_norm"]
        self.phones = taken["phone_e164"]
        self.company_keys = taken["company"]

        self.open_stages = [s.name for s in config.open_stages]
        self.stage_json = {s.name: json.dumps(s.name, ensure_ascii=False) for s in config.stages}
        self.sources = config.lead_sources or ("",)
        self.source_json = {s: json.dumps(s, ensure_ascii=False) for s in self.sources}
        self.icp = [(c, f"icp:{c.key}", {v.casefold() for v in c.values}) for c in config.icp]
        self.bant_points = config.bant_weights
        self.checklist_parts: dict[tuple, str] = {}
        self.total_weight = config.total_weight
        self.known_cache: dict[tuple, tuple[tuple, int]] = {}
        # Engagement keys as funnel.recompute_engagement computes them from the stored
        # times: seconds since the epoch over seconds per half-life.
        self.two_way = {act for act in (*ONE_WAY, *TWO_WAY, *DEAL_WORK, NOTE) if is_two_way(*act)}
        origin_midnight = dt.datetime.combine(self.origin, dt.time())
        self.epoch_offset = (origin_midnight - ENGAGEMENT_EPOCH).total_seconds()
        self.per_half_life = 86400.0 * config.engagement_half_life_days

        self.domains: set[str] = set()
        self.recent: list[tuple] = []  # recent leads, for deliberate duplicates
        self.next_company = self.next_lead = self.next_opp = 0
        self.counts = dict.fromkeys(
            (
                "companies",
                "leads",
                "opportunities",
                "activities",
                "history",
                "stage_changes",
                "qualifications",
            ),
            0,
        )
        self._reset_rows()

    def _reset_rows(self) -> None:
        self.company_rows: list[tuple] = []
        self.lead_rows: list[tuple] = []
        self.qual_rows: list[tuple] = []
        self.opp_rows: list[tuple] = []
        self.stage_rows: list[tuple] = []
        self.activity_rows: list[tuple] = []
        self.history_rows: list[tuple] = []

    # ---- time

    def ts(self, s: int) -> str:
        return self.days[s // 86400] + self.tod[s % 86400]

    def day(self, d: int) -> str:
        return self.days[d]

    def moment(self, x: float, tz: int) -> int:
        """The moment in local business hours at the span fraction `x`."""
        b = int(x * self.business_seconds)
        return min(self.end, self.business_start[b // BUSINESS_DAY] + b % BUSINESS_DAY - tz)

    def times(self, count: int, lo: float, hi: float, tz: int) -> list[int]:
        """`count` ascending moments in local business hours (`tz`: seconds east of UTC)
        between the span fractions `lo` and `hi`."""
        rnd, start, total = self.rnd, self.business_start, self.business_seconds
        first, span = lo * total, (hi - lo) * total
        business = [int(first + span * rnd()) for _ in range(count)]
        business.sort()
        out = [start[b // BUSINESS_DAY] + b % BUSINESS_DAY - tz for b in business]
        end = self.end
        if out and out[-1] > end:
            out = [s if s < end else end for s in out]
        return out

    # ---- people and companies

    def _company(self, region: _Region, when: int, user: int) -> tuple | None:
        """A new company of the region, or None when no unused name came up."""
        rnd = self.rnd
        culture = region.culture
        for _ in range(4):
            stem, stem_roman = _pick(rnd, culture.stems)
            if region.partners and rnd() < 0.4:
                # Partnerships are named after two founders: "Weber & Hoffmann".
                other, other_roman = _pick(rnd, region.partners)
                if other != stem:
                    stem, stem_roman = f"{stem} & {other}", f"{stem_roman}-{other_roman}"
            city = ""
            if culture.city_prefixes and rnd() < 0.5:
                city, city_roman = _pick(rnd, culture.city_prefixes)
            pattern, domain_pattern, industry = _pick(rnd, culture.company_patterns)
            name = pattern.format(city + stem)
            key = normalise_key(name)
            if key not in self.company_keys:
                break
        else:
            region.misses += 1
            return None
        region.misses = 0
        self.company_keys.add(key)
        domain = domain_pattern.format(stem_roman) + "." + region.spec.tld
        if city and culture.key != "zh_CN":  # a Chinese company's domain omits its city
            domain = city_roman + "-" + domain
        if domain in self.domains:
            domain = domain.replace(".", f"{len(self.domains)}.", 1)
        self.domains.add(domain)
        lo, hi = EMPLOYEE_BUCKETS[self.pick_employees(rnd())]
        employees = None if rnd() < 0.12 else int(lo + (hi - lo) * rnd() ** 2)
        if rnd() < 0.1:
            industry = ""
        self.next_company += 1
        cid = self.next_company
        stamp = self.ts(when)
        website = "https://www." + domain if rnd() < 0.75 else ""
        self.company_rows.append(
            (cid, name, key, industry, employees, region.code, website, stamp, stamp, 1)
        )
        self.history_rows.append((stamp, user, "company", cid, "create", "name", None, name, None))
        company = (
            cid, name, domain, industry, employees, '"company": ' + _js(name), key,
            stored_fold(key),
        )  # fmt: skip
        region.companies.append(company)
        return company

    def _email(self, given: str, family: str, domain: str | None, region: _Region) -> str:
        rnd = self.rnd
        r = rnd()
        if domain is None:
            domain = _pick(rnd, region.free_mail)
            if r < 0.35:
                local = f"{given}.{family}"
            elif r < 0.55:
                local = f"{family}{given}{int(rnd() * 90) + 10}"
            elif r < 0.75:
                local = f"{given}_{family}"
            else:
                local = f"{given[0]}{family}{int(rnd() * 900) + 100}"
        elif region.style in ("cjk", "ja") and r < 0.5:
            local = f"{family}.{given}" if r < 0.25 else f"{given}{family}"
        elif r < 0.55:
            local = f"{given}.{family}"
        elif r < 0.8:
            local = f"{given[0]}.{family}"
        else:
            local = f"{given[0]}{family}"
        if rnd() < 0.08:
            # Some people type their address capitalised; the normalised form keeps it.
            local = local.title()
        email = f"{local}@{domain}"
        n = 2
        while email.casefold() in self.emails:
            email = f"{local}{n}@{domain}"
            n += 1
        self.emails.add(email.casefold())
        return email

    def _phone(self, region: _Region) -> tuple[str, str, str, str]:
        """(as typed, E.164, number type, international format) of a new mobile number
        in the region."""
        rnd = self.rnd
        plan = _pick(rnd, region.plans)
        scale = 10**plan.free
        while True:
            digits = str(scale + int(rnd() * scale))[1:]
            e164 = "+" + plan.country_code + plan.prefix + digits
            if e164 not in self.phones:
                break
        self.phones.add(e164)
        international = _render(plan.international, digits)
        r = rnd()
        if r < 0.7:
            typed = international
        elif r < 0.85:
            typed = e164
        else:
            typed = _render(plan.national, digits)
        return typed, e164, plan.type_name, international

    # ---- the story of one lead

    def lead(self, x0: float, duplicate: bool) -> None:
        rnd = self.rnd
        if duplicate and self.recent:
            return self._duplicate(x0)
        region = self.regions[self.pick_region(rnd())]
        reps = region.reps
        r = rnd()
        if r < 0.08:
            owner = self.main_user
        elif r < 0.9:
            owner = reps[int(rnd() * len(reps))]
        else:
            owner = _pick(rnd, self.rep_ids)
        creator = owner if rnd() < 0.9 else self.main_user

        kind = self.pick_archetype(rnd())
        while 1 - x0 < LEAST_SPAN[kind]:
            kind = DEMOTE[kind]
        created = self.moment(x0, region.tz)

        female = rnd() < 0.5
        given = region.female if female else region.male
        given, given_roman, given_key = given[int(rnd() * len(given))]
        family = region.family[int(rnd() * len(region.family))]
        surname, surname_roman, surname_key = family[3:] if female else family[:3]
        style = region.style
        if style == "cjk":
            name, name_key = surname + given, surname_key + given_key
        elif style == "ja":
            name, name_key = surname + " " + given, surname_key + " " + given_key
        elif style == "hispanic" and rnd() < 0.7:
            second = region.family[int(rnd() * len(region.family))]
            second, second_key = (second[3], second[5]) if female else (second[0], second[2])
            name = given + " " + surname + " " + second
            name_key = given_key + " " + surname_key + " " + second_key
        else:
            name, name_key = given + " " + surname, given_key + " " + surname_key

        company = None
        if rnd() < 0.75:
            pool = region.companies
            # New companies appear until a region's names run out (small name lists, or a
            # database that already holds many demo companies).
            if not pool or (region.misses < 20 and rnd() < 0.3):
                company = self._company(region, created, creator)
            if company is None and pool:
                company = pool[int(rnd() * len(pool))]
        phone = self._phone(region) if rnd() < 0.9 else ("", None, "", "")
        email = ""
        if not phone[0] or rnd() < 0.9:
            domain = company[2] if company and rnd() < 0.8 else None
            email = self._email(given_roman, surname_roman, domain, region)
        titles = region.culture.titles
        title = titles[int(rnd() * len(titles))] if rnd() < 0.75 else ""
        source = self.sources[int(rnd() * len(self.sources))]
        notes = _pick(rnd, words.NOTES) if rnd() < 0.25 else ""

        self.next_lead += 1
        person = (self.next_lead, name, name_key, phone, email, company, region, title, notes)
        self.recent.append(person)
        if len(self.recent) > 50:
            del self.recent[:25]
        self._story(kind, person, source, owner, creator, created, x0)

    def _duplicate(self, x0: float) -> None:
        """The same person captured again from another source, saved anyway."""
        rnd = self.rnd
        original = _pick(rnd, self.recent)
        region = original[6]
        self.next_lead += 1
        owner = _pick(rnd, region.reps)
        created = self.moment(x0, region.tz)
        self._story(
            NEW,
            (self.next_lead, *original[1:]),
            _pick(rnd, self.sources),
            owner,
            owner,
            created,
            x0,
            duplicate_of=original[0],
        )

    def _story(
        self,
        kind: int,
        person: tuple,
        source: str,
        owner: int,
        creator: int,
        created: int,
        x0: float,
        duplicate_of: int | None = None,
    ) -> None:
        rnd = self.rnd
        days, tod = self.days, self.tod
        lead_id, name, name_key, phone, email, company, region, title, notes = person
        country = region.code
        history = self.history_rows.append
        created_ts = days[created // 86400] + tod[created % 86400]

        # The create snapshot as the rules layer writes it: sorted keys, empties left out.
        snap = [company[5]] if company else []
        snap.append(f'"country": "{country}"')
        if email:
            snap.append(f'"email_norm": "{email}", "email_raw": "{email}"')
        snap.append('"name": ' + _js(name))
        if notes:
            snap.append('"notes": ' + _js(notes))
        if phone[0]:
            snap.append(
                f'"phone_e164": "{phone[1]}", "phone_raw": "{phone[0]}", "phone_type": "{phone[2]}"'
            )
        if source:
            snap.append('"source": ' + self.source_json[source])
        if title:
            snap.append('"title": ' + _js(title))
        history(
            (
                created_ts,
                creator,
                "lead",
                lead_id,
                "create",
                "",
                None,
                "{" + ", ".join(snap) + "}",
                1,
            )
        )
        if duplicate_of is not None:
            history(
                (
                    created_ts,
                    creator,
                    "lead",
                    lead_id,
                    "duplicate_saved",
                    "duplicate_of",
                    None,
                    str(duplicate_of),
                    None,
                )
            )

        # The plan: which steps happen, in order; their moments are drawn afterwards.
        plan: list[int] = []
        if kind == NEW or (kind == UNQUALIFIED and rnd() < 0.5):
            plan += [TRY] * int(rnd() * 3)
        else:
            plan += [TRY] * int(rnd() * rnd() * 3)
            plan.append(FIRST)
            plan += [ACT] * int(rnd() * (3 if kind < PROSPECT else 2))
        answers = self._plan_answers(kind, company, country)
        if answers:
            at = plan.index(FIRST) + 1 if FIRST in plan else len(plan)
            for _ in range(1 + (len(answers) > 2) + (len(answers) > 4)):
                plan.insert(at + int(rnd() * (len(plan) - at + 1)), QUAL)
        if kind == NURTURING:
            plan.append(NURTURE)
        elif kind == UNQUALIFIED:
            plan.append(UNQUALIFY)
        opps: list[_Opp] = []
        if kind >= PROSPECT:
            plan.append(PROMOTE)
            plan += [ACT] * int(rnd() * 2)
        if kind >= OPPORTUNITY:
            outcomes = [OPP_WON if kind == CUSTOMER else OPP_OPEN if rnd() < 0.7 else OPP_LOST]
            if rnd() < 0.2:  # a second deal with the same lead
                u = rnd()
                if u < 0.6:
                    outcomes.append(OPP_OPEN)
                elif u < 0.8:
                    outcomes.append(OPP_LOST)
                else:  # only a customer has won deals
                    outcomes.append(OPP_WON if kind == CUSTOMER else OPP_OPEN)
            for outcome in outcomes:
                opp = self._plan_opp(outcome, region, company, name)
                opps.append(opp)
                plan.append(CONVERT)
                for _ in opp.path:
                    plan += [DEAL_ACT] * int(rnd() * 2)
                    plan.append(MOVE)
                # Every deal is worked at least once more: after its last move, or
                # before it is won or lost.
                plan += [DEAL_ACT] * (1 + int(rnd() * 2))
                if outcome != OPP_OPEN:
                    plan.append(CLOSE)

        moments = self.times(
            len(plan), x0, min(1.0, x0 + WORK_SPAN[kind] * (0.5 + rnd())), region.tz
        )
        status, level, version = STATUS_NEW, LEVEL_LEAD, 1
        updated = created
        promoted_at = nurture_until = None
        reason = ""
        acts: list[list] = []  # [when, opp id, kind, direction, outcome, note, action, due, done]
        lead_na: list | None = None
        opp: Any = None
        opp_index = -1
        pending = list(answers)
        qual_steps = plan.count(QUAL)
        notes_pool, actions = words.ACTIVITY_NOTES, words.NEXT_ACTIONS
        for step, when in zip(plan, moments, strict=True):
            if step <= ACT:
                if step == TRY:
                    act = ONE_WAY[int(rnd() * len(ONE_WAY))]
                elif step == FIRST:
                    act = TWO_WAY[int(rnd() * len(TWO_WAY))]
                else:
                    u = rnd()
                    act = (
                        TWO_WAY[int(rnd() * len(TWO_WAY))]
                        if u < 0.5
                        else ONE_WAY[int(rnd() * len(ONE_WAY))]
                        if u < 0.85
                        else NOTE
                    )
                row = [
                    when,
                    None,
                    *act,
                    notes_pool[int(rnd() * 10)] if rnd() < 0.35 else "",
                    "",
                    None,
                    False,
                ]
                if rnd() < 0.3:
                    row[6] = actions[int(rnd() * len(actions))]
                    row[7] = when // 86400 + 1 + int(rnd() * 10)
                    if lead_na is not None:
                        lead_na[8] = True  # a newer next action replaces the open one
                    lead_na = row
                acts.append(row)
                if step == FIRST and status == STATUS_NEW:
                    status = STATUS_WORKING
                    version += 1
                    history(
                        (
                            days[when // 86400] + tod[when % 86400],
                            owner,
                            "lead",
                            lead_id,
                            "auto",
                            "status",
                            STATUS_NEW,
                            STATUS_WORKING,
                            version,
                        )
                    )
            elif step == DEAL_ACT:
                row = [
                    when,
                    opp.id,
                    *DEAL_WORK[int(rnd() * len(DEAL_WORK))],
                    notes_pool[int(rnd() * 10)] if rnd() < 0.4 else "",
                    "",
                    None,
                    False,
                ]
                if rnd() < 0.4:
                    row[6] = actions[int(rnd() * len(actions))]
                    row[7] = when // 86400 + 1 + int(rnd() * 10)
                    if opp.last_na is not None:
                        opp.last_na[8] = True
                    opp.last_na = row
                acts.append(row)
            elif step == QUAL:
                # Answers come over a few conversations; the last one completes them.
                take = len(pending) if qual_steps == 1 else max(1, len(pending) // 2)
                qual_steps -= 1
                stamp = days[when // 86400] + tod[when % 86400]
                self.qual_rows += [
                    (lead_id, item, answer, value, evidence, owner, stamp)
                    for item, answer, value, evidence in pending[:take]
                ]
                del pending[:take]
                updated = when
            elif step == MOVE:
                self._move(opp, opp.path.pop(0), owner, when)
            elif step == CONVERT:
                opp_index += 1
                opp = opps[opp_index]
                self._open_opp(opp, lead_id, owner, when)
                if level == LEVEL_PROSPECT:
                    level = LEVEL_OPPORTUNITY
                    version += 1
                    stamp = self.ts(when)
                    history(
                        (
                            stamp,
                            owner,
                            "lead",
                            lead_id,
                            "convert",
                            "level",
                            LEVEL_PROSPECT,
                            LEVEL_OPPORTUNITY,
                            version,
                        )
                    )
                    history(
                        (
                            stamp,
                            owner,
                            "lead",
                            lead_id,
                            "convert",
                            "opportunity",
                            None,
                            str(opp.id),
                            version,
                        )
                    )
                    updated = when
            elif step == CLOSE:
                self._close(opp, owner, when)
                if opp.state == OPP_WON and level != LEVEL_CUSTOMER:
                    version += 1
                    history(
                        (
                            self.ts(when),
                            owner,
                            "lead",
                            lead_id,
                            "won",
                            "level",
                            LEVEL_OPPORTUNITY,
                            LEVEL_CUSTOMER,
                            version,
                        )
                    )
                    level = LEVEL_CUSTOMER
                    updated = when
            elif step == PROMOTE:
                version += 1
                stamp = self.ts(when)
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "promote",
                        "level",
                        LEVEL_LEAD,
                        LEVEL_PROSPECT,
                        version,
                    )
                )
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "promote",
                        "checklist",
                        None,
                        self._checklist(answers, company, country),
                        version,
                    )
                )
                level = LEVEL_PROSPECT
                promoted_at = updated = when
            elif step == NURTURE:
                nurture_until = self.today_day + 7 + int(rnd() * 150)
                version += 1
                stamp = self.ts(when)
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "status",
                        status,
                        STATUS_NURTURING,
                        version,
                    )
                )
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "nurture_until",
                        None,
                        days[nurture_until],
                        version,
                    )
                )
                status = STATUS_NURTURING
                updated = when
            else:  # UNQUALIFY
                reason = _pick(rnd, words.UNQUALIFIED_REASONS)
                version += 1
                stamp = self.ts(when)
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "status",
                        status,
                        STATUS_UNQUALIFIED,
                        version,
                    )
                )
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "unqualified_reason",
                        "",
                        reason,
                        version,
                    )
                )
                status = STATUS_UNQUALIFIED
                updated = when

        lead_active = status != STATUS_UNQUALIFIED and level in (LEVEL_LEAD, LEVEL_PROSPECT)
        lead_stream = [a for a in acts if a[1] is None] if opps else acts
        self._settle_next_action(
            lead_stream,
            lead_na,
            lead_active,
            nurture_until if status == STATUS_NURTURING else None,
        )
        for o in opps:
            stream = [a for a in acts if a[1] == o.id]
            self._settle_next_action(stream, o.last_na, o.state == OPP_OPEN, None)
            self._finish_opp(o, lead_id, company, owner, notes, stream)

        # The lead row carries its open next action, as funnel.log_activity keeps it.
        lead_action = _open_action(lead_stream)
        if lead_action is None and status == STATUS_NURTURING and nurture_until is not None:
            # Parked until a date: touched again then, logged or not (funnel.set_status).
            lead_action = [None] * 6 + [words.NURTURE_ACTION, nurture_until, False]
        last_activity = engagement = None
        if acts:
            add = self.activity_rows.append
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
                        done,
                        stamp,
                    )
                )
            last_activity = stamp  # acts are in time order
            if engaged:
                engagement = self._engagement(engaged)
        self.lead_rows.append(
            (
                lead_id,
                name,
                name_key,
                company[0] if company else None,
                title,
                phone[0],
                phone[1],
                phone[2],
                phone[3],
                email,
                email or None,
                country,
                source,
                notes,
                status,
                level,
                None if nurture_until is None else days[nurture_until],
                reason,
                owner,
                creator,
                created_ts,
                days[updated // 86400] + tod[updated % 86400],
                None if promoted_at is None else self.ts(promoted_at),
                last_activity,
                version,
                company[6] if company else "",
                self._score(answers, company, country),
                engagement,
                lead_action[6] if lead_action else "",
                days[lead_action[7]] if lead_action else None,
                email_key(email),
                _stored_fold(name_key),
                company[7] if company else "",
            )
        )

    def _engagement(self, moments: list[int]) -> float:
        """The engagement key of two-way interactions at `moments` (ascending), equal
        to the one funnel.recompute_engagement computes from the stored times."""
        per, top = self.per_half_life, self.epoch_offset + moments[-1]
        if len(moments) == 1:
            return top / per
        last = moments[-1]
        return top / per + math.log2(math.fsum(2.0 ** ((m - last) / per) for m in moments))

    def _settle_next_action(
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
            last[6] = _pick(rnd, words.NEXT_ACTIONS)
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
        if u < 0.3 and touched + 1 < self.today_day:
            last[7] = touched + 1 + int(rnd() * (self.today_day - touched - 1))
        elif u < 0.42:
            last[7] = self.today_day
        else:
            last[7] = self.today_day + 1 + int(rnd() * 30)

    def _plan_answers(self, kind: int, company: tuple | None, country: str) -> list[tuple]:
        """Checklist answers (item, answer, value, evidence) the lead will get."""
        rnd = self.rnd
        ready = kind >= PROSPECT or (kind == WORKING and rnd() < 0.15)
        if not ready and rnd() >= ANSWER_CHANCE[kind]:
            return []
        out = []
        for item in BANT_ITEMS:
            if ready:
                answer = ANSWER_YES
            else:
                if rnd() < 0.45:
                    continue
                u = rnd()
                answer = ANSWER_YES if u < 0.5 else ANSWER_NO if u < 0.75 else ANSWER_UNKNOWN
                # A lead parked for later has no timeline; a dropped one often no money
                # or no need.
                if (kind == NURTURING and item == "timeline") or (
                    kind == UNQUALIFIED and item in ("budget", "need") and u < 0.6
                ):
                    answer = ANSWER_NO
            evidence = (
                "" if answer == ANSWER_UNKNOWN else _pick(rnd, words.EVIDENCE[(item, answer)])
            )
            out.append((item, answer, "", evidence))
        for criterion, key, wanted in self.icp:
            if rnd() >= (0.25 if ready else 0.1):
                continue
            value = self._icp_value(criterion, company, country)
            answer = (
                _meets(criterion, wanted, value)
                if value
                else (ANSWER_YES if rnd() < 0.5 else ANSWER_NO)
            )
            out.append((key, answer, value, _pick(rnd, words.ICP_EVIDENCE)))
        return out

    def _icp_value(self, criterion: IcpCriterion, company: tuple | None, country: str) -> str:
        rnd = self.rnd
        if criterion.key == "region":
            return country
        if criterion.key == "industry" and company and company[3]:
            return company[3]
        if criterion.key == "employees" and company and company[4] is not None:
            return str(company[4])
        if criterion.kind == "min":
            factor = 1 + 4 * rnd() if rnd() < 0.6 else 0.1 + 0.8 * rnd()
            return str(int(criterion.value * factor) or 1)
        if criterion.values and rnd() < 0.6:
            return _pick(rnd, criterion.values)
        return ""

    def _known(self, company: tuple | None, country: str) -> tuple[tuple, int]:
        """What the lead's facts (its country, its company's industry and size) say
        about each ICP criterion, as funnel.compute_score reads them (facts win over
        answers): per criterion (criterion, item key, wanted, answer or None when the
        facts say nothing), and the points the facts alone earn. Cached per facts: the
        leads of a company share them, and so do those of a country without one."""
        facts = (country, company[3], company[4]) if company else (country, None, None)
        found = self.known_cache.get(facts)
        if found is None:
            known, points = [], 0
            for criterion, key, wanted in self.icp:
                if criterion.key == "region":
                    fact: Any = country
                else:
                    fact = {"industry": facts[1], "employees": facts[2]}.get(criterion.key)
                answer = None if fact in (None, "") else _meets(criterion, wanted, fact)
                if answer == ANSWER_YES:
                    points += criterion.weight
                known.append((criterion, key, wanted, answer))
            found = self.known_cache[facts] = (tuple(known), points)
        return found

    def _score(self, answers: list[tuple], company: tuple | None, country: str) -> int:
        """The lead's score as funnel.compute_score gives it (stored in lead.score): the
        points of _score_items, summed without building the items (100,000 times)."""
        known, earned = self._known(company, country)
        if not answers:
            return round(100 * earned / self.total_weight)
        rows = {a[0]: a for a in answers}
        for key, weight in self.bant_points.items():
            row = rows.get(key)
            if row is not None and row[1] == ANSWER_YES:
                earned += weight
        for criterion, key, wanted, answer in known:
            if answer is not None:
                continue  # counted in `earned` already
            row = rows.get(key)
            if row is None:
                continue
            answer = _meets(criterion, wanted, row[2]) if row[2] else row[1]
            if answer == ANSWER_YES:
                earned += criterion.weight
        return round(100 * earned / self.total_weight)

    def _checklist(self, answers: list[tuple], company: tuple | None, country: str) -> str:
        """The checklist JSON of a promote history row, scored as the rules layer does."""
        items = self._score_items(answers, company, country)
        items.sort()
        parts = []
        for item in items:
            part = self.checklist_parts.get(item)
            if part is None:
                key, answer, points, evidence = item
                part = (
                    f'{json.dumps(key, ensure_ascii=False)}: {{"answer": "{answer}", '
                    f'"evidence": {_js(evidence)}, "points": {points}}}'
                )
                self.checklist_parts[item] = part
            parts.append(part)
        return "{" + ", ".join(parts) + "}"

    def _score_items(
        self, answers: list[tuple], company: tuple | None, country: str
    ) -> list[tuple[str, str, int, str]]:
        """(item, answer, points, evidence) of every checklist item, read as
        funnel.compute_score reads them: ICP facts of the company win over answers."""
        rows = {a[0]: a for a in answers}
        items = []
        for key in BANT_ITEMS:
            row = rows.get(key)
            answer = row[1] if row else ANSWER_UNKNOWN
            weight = self.bant_points.get(key, 0)
            items.append(
                (key, answer, weight if answer == ANSWER_YES else 0, row[3] if row else "")
            )
        for criterion, key, wanted, answer in self._known(company, country)[0]:
            row = rows.get(key)
            if answer is None:
                if row and row[2]:
                    answer = _meets(criterion, wanted, row[2])
                else:
                    answer = row[1] if row else ANSWER_UNKNOWN
            items.append(
                (
                    key,
                    answer,
                    criterion.weight if answer == ANSWER_YES else 0,
                    row[3] if row else "",
                )
            )
        return items

    # ---- opportunities

    def _plan_opp(
        self, outcome: str, region: _Region, company: tuple | None, lead_name: str
    ) -> _Opp:
        rnd = self.rnd
        last = len(self.open_stages) - 1
        if outcome == OPP_WON:
            reach = last if rnd() < 0.7 else max(0, last - 1)
        else:
            reach = min(last, int(rnd() * rnd() * (last + 1.5)))
        path = list(range(1, reach + 1))
        if len(path) > 1 and rnd() < 0.15:
            del path[int(rnd() * (len(path) - 1))]  # a stage skipped
        currency = region.spec.currency if rnd() < 0.75 else _pick(rnd, ("EUR", "USD"))
        amount = 1500 * (1 + 80 * rnd() ** 3) * words.EUR_RATE.get(currency, 1.0)
        amount = round(amount, -max(0, int(math.log10(amount)) - 1))  # two significant digits
        if rnd() < 0.4:
            name = (company[1] if company else lead_name) + " – " + _pick(rnd, words.DEAL_LABELS)
        else:
            name = f"{company[1]} – {lead_name}" if company else lead_name
        return _Opp(outcome, [self.open_stages[i] for i in path], int(amount) * 100, currency, name)

    def _open_opp(self, opp: _Opp, lead_id: int, user: int, when: int) -> None:
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
        stamp = self.ts(when)
        self.stage_rows.append((opp.id, None, opp.stage, user, stamp))
        snapshot = (
            f'{{"amount_cents": {opp.amount}, "currency": "{opp.currency}", '
            f'"expected_close": "{self.days[opp.close_day]}", "lead": {lead_id}, '
            f'"name": {_js(opp.name)}, "stage": {self.stage_json[opp.stage]}}}'
        )
        self.history_rows.append(
            (stamp, user, "opportunity", opp.id, "create", "", None, snapshot, 1)
        )

    def _move(self, opp: _Opp, to_stage: str, user: int, when: int) -> None:
        stamp = self.ts(when)
        opp.version += 1
        self.stage_rows.append((opp.id, opp.stage, to_stage, user, stamp))
        self.history_rows.append(
            (stamp, user, "opportunity", opp.id, "move", "stage", opp.stage, to_stage, opp.version)
        )
        opp.stage = to_stage
        opp.entered = opp.updated = when

    def _close(self, opp: _Opp, user: int, when: int) -> None:
        won = opp.outcome == OPP_WON
        to_stage = self.config.won_stage if won else self.config.lost_stage
        stamp = self.ts(when)
        opp.version += 1
        self.stage_rows.append((opp.id, opp.stage, to_stage, user, stamp))
        changes = [
            ("stage", opp.stage, to_stage),
            ("state", OPP_OPEN, opp.outcome),
            ("closed_at", None, stamp.replace(" ", "T")),
        ]
        if not won:
            opp.lost_reason = _pick(self.rnd, self.config.loss_reasons)
            changes.append(("lost_reason", "", opp.lost_reason))
        self.history_rows += [
            (stamp, user, "opportunity", opp.id, "move", field, old, new, opp.version)
            for field, old, new in changes
        ]
        opp.stage, opp.state = to_stage, opp.outcome
        opp.entered = opp.updated = opp.closed = when

    def _finish_opp(
        self,
        opp: _Opp,
        lead_id: int,
        company: tuple | None,
        owner: int,
        notes: str,
        stream: list[list],
    ) -> None:
        """Write the deal's row; `stream` is its activities in time order, whose latest
        time and open next action the row carries (as funnel.log_activity keeps them)."""
        ts, days = self.ts, self.days
        # [when, opp_id, kind, direction, outcome, note, action, due, done]
        open_action = _open_action(stream)
        self.opp_rows.append(
            (
                opp.id,
                lead_id,
                company[0] if company else None,
                opp.name,
                opp.amount,
                opp.currency,
                self.days[opp.close_day],
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
                open_action[6] if open_action else "",
                days[open_action[7]] if open_action else None,
            )
        )

    # ---- batches

    def take_rows(self) -> list[list[tuple]]:
        """The rows made since the last take, per table of TABLES, counted."""
        rows = [
            self.company_rows,
            self.lead_rows,
            self.qual_rows,
            self.opp_rows,
            self.stage_rows,
            self.activity_rows,
            self.history_rows,
        ]
        for key, table_rows in zip(
            (
                "companies",
                "leads",
                "qualifications",
                "opportunities",
                "stage_changes",
                "activities",
                "history",
            ),
            rows,
            strict=True,
        ):
            self.counts[key] += len(table_rows)
        self._reset_rows()
        return rows

    @staticmethod
    def write(writer: _Writer, rows: list[list[tuple]]) -> None:
        for (model, _), table_rows in zip(TABLES, rows, strict=True):
            writer.write(model, table_rows)


class _ForkedBatches:
    """The demo's rows made by a forked copy of this process, batch after batch, while
    this one writes the batch before: on SQLite the writing (inserts, the search index)
    and the making (Python) each keep a core busy, where in one process they took turns
    at Python's lock. The child starts from this process's generator as it is, so it
    makes exactly the rows this process would have (same seed, same rows); it sends
    each batch through a pipe and, at the end, what it counted.

    Linux and macOS fork; elsewhere (and on PostgreSQL, whose server does the writing
    in a process of its own already) the rows are made in a thread as before."""

    def __init__(
        self, make: Callable[[int], list[list[tuple]]], gen: _Generator, leads: int
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._child = context.Process(
            target=_make_batches, args=(make, gen, leads, send), name="funnel-demo-rows"
        )
        self._child.start()
        send.close()

    def next(self) -> list[list[tuple]]:
        return self._message("rows")

    def finish(self) -> dict[str, int]:
        counts = self._message("counts")
        self._child.join()
        return counts

    def _message(self, kind: str) -> Any:
        try:
            what, payload = self._receive.recv()
        except EOFError:
            raise RuntimeError("the demo's row maker stopped without a word") from None
        if what == "error":
            raise RuntimeError(f"the demo's row maker failed: {payload}")
        assert what == kind, (what, kind)
        return payload

    def __del__(self) -> None:
        child = getattr(self, "_child", None)
        if child is not None and child.is_alive():  # the parent gave up (an error)
            child.terminate()


def _make_batches(
    make: Callable[[int], list[list[tuple]]], gen: _Generator, leads: int, send
) -> None:
    """In the forked child: every batch, then what the generator counted in all."""
    try:
        for start in range(0, leads, BATCH):
            send.send(("rows", make(start)))
        send.send(("counts", dict(gen.counts)))
    except BaseException as exc:  # said to the parent, which raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector: the demo builds a million small tuples and no
    cycles, and the collector's repeated scans of them cost a few per cent of the run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _note_score_config(config: Config, had_leads: bool) -> None:
    """Record under which scoring config the demo's scores were computed, so opening
    the database with that config does not rescore 100,000 leads; when other leads may
    have been scored otherwise, forget the fingerprint instead, so the next open
    rescores them all alike (funnel.sync_scores)."""
    wanted = score_fingerprint(config)
    stored = get_meta(SCORE_META_KEY)
    if stored == wanted:
        return
    set_meta(SCORE_META_KEY, wanted if stored is None and not had_leads else None)


def _note_engagement_config(config: Config, had_leads: bool) -> None:
    """As _note_score_config, for the engagement keys (funnel.sync_engagement)."""
    wanted = engagement_fingerprint(config)
    stored = get_meta(ENGAGEMENT_META_KEY)
    if stored == wanted:
        return
    set_meta(ENGAGEMENT_META_KEY, wanted if stored is None and not had_leads else None)


def _ensure_users(logins: list[tuple[str, str]], created: str) -> tuple[dict[str, int], int]:
    """Ids of the logins, creating the missing users; and how many were created."""
    found = {u.login: u.id for u in User.select().where(User.login.in_([x for x, _ in logins]))}
    added = 0
    for login, display in logins:
        if login not in found:
            found[login] = User.insert(
                login=login, display_name=display, created_at=created
            ).execute()
            added += 1
    return found, added


# Names repeat across the demo's leads (a given name and a surname of a few hundred
# each): each is folded once.
_stored_fold = lru_cache(maxsize=1 << 16)(stored_fold)


def _taken(db: peewee.Database) -> dict[str, set[str]]:
    """Emails, phone numbers and company names already in the database."""
    out = {}
    for model, column in ((Lead, "email_norm"), (Lead, "phone_e164"), (Company, "name_key")):
        table = db.quote[0] + model._meta.table_name + db.quote[1]
        cursor = db.execute_sql(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")
        out["company" if model is Company else column] = {row[0].casefold() for row in cursor}
    return out


def generate_demo(
    db: peewee.Database,
    config: Config,
    *,
    leads: int,
    seed: int = 1,
    user: str = "demo",
    progress: Callable[[int, int], None] | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Fill the open database with `leads` demo leads and everything around them.

    Writes, in one transaction, leads from many regions (names and companies in their own
    scripts, valid mobile numbers, emails from the romanised names) in every status and
    level; checklist answers; opportunities in every stage of `config.stages` with their
    stage changes; activities over the nine months before `today` with next actions
    overdue, due today and ahead; and the history rows the rules layer would have
    written. The records are owned by five reps (anna, ben, carla, dawid, mei) and `user`,
    created when missing.

    Existing rows are kept: new ids continue after the largest ones, and emails and phone
    numbers already stored are not reused. One lead in `DUPLICATE_EVERY` is deliberately
    the same person as a lead shortly before it (same name, email and phone), saved as a
    duplicate with a `duplicate_saved` history row, as capture does when told to.

    The same `seed` and `today` on the same starting database give the same rows.
    `progress(done, total)` is called after every few thousand leads; an exception raised
    from it abandons the run, and nothing is written.
    """
    started = time.perf_counter()
    if leads < 0:
        raise ValueError("leads must be zero or more")
    today = today or utcnow().date()
    rng = Random(seed)
    base = today - dt.timedelta(days=SPAN_DAYS)
    writer = _Writer(db)
    tables = [model._meta.table_name for model, _ in TABLES]
    logins = [(login, display) for login, display, _ in REPS]
    if user not in {x for x, _ in logins}:
        logins.append((user, user))
    # A page cache big enough for the tables, indexes and search index being built to
    # stay in memory rather than be spilled to the write-ahead log and read back: for
    # the 100,000-lead demo (258 MB) 875 MB written instead of 1,224 MB with SQLite's
    # default 2 MB, and 2.3 s less CPU. SQLite only; back to its size afterwards.
    with bulk_writes(db, cache_mib=BULK_CACHE_MIB), db.atomic(), _gc_paused():
        writer.lock()
        users, users_added = _ensure_users(logins, f"{base.isoformat()} 00:00:00")
        gen = _Generator(config, rng, today, users, user, _taken(db))
        gen.next_company = writer.max_id(Company)
        gen.next_lead = writer.max_id(Lead)
        gen.next_opp = writer.max_id(Opportunity)
        had_leads = gen.next_lead > 0
        # Creation moments, oldest first so ids follow time; more leads recently.
        moments = sorted(rng.random() ** 0.7 for _ in range(leads))
        bulk = (
            deferred_indexes(db, tables)
            if leads > gen.next_lead  # more new rows than old: rebuilding is cheaper
            else nullcontext()
        )
        with deferred_search_index(db) as search, bulk, ThreadPoolExecutor(1) as helper:

            def make(start: int) -> list[list[tuple]]:
                for done, x0 in enumerate(moments[start : start + BATCH], start + 1):
                    gen.lead(x0, done % DUPLICATE_EVERY == 0)
                return gen.take_rows()

            # The next batch is made in the helper thread while the database works on
            # this one without holding Python's lock, so the two overlap (only this
            # thread uses the database). On PostgreSQL that is during the COPYs, which
            # the server carries out while this thread waits. On SQLite the inserts run
            # in this process and take the lock back after every statement (with a
            # thread making rows meanwhile, each would wait up to 5 ms for it), but its
            # filling of the search index is one long statement that lets go of it.
            if not writer.postgres and leads >= FORK_FROM_LEADS and _can_fork():
                batches = _ForkedBatches(make, gen, leads)
            else:
                batches = None
            rows = batches.next() if batches else make(0)
            for start in range(0, leads, BATCH):
                done = min(start + BATCH, leads)
                following = None
                if batches is None and writer.postgres and done < leads:
                    following = helper.submit(make, done)
                gen.write(writer, rows)
                if progress:
                    progress(done, leads)
                if batches is None and following is None and done < leads:
                    following = helper.submit(make, done)
                search.fill()
                if batches is not None:
                    rows = batches.next() if done < leads else []
                else:
                    rows = following.result() if following else []
            if batches is not None:
                gen.counts.update(batches.finish())
        writer.fix_sequences()
        _note_score_config(config, had_leads)
        _note_engagement_config(config, had_leads)
    if gen.counts["leads"]:
        # The planner's statistics, for the first query after the load to be planned
        # for the tables as they now are (a report: 18.7 s without, 0.9 s with).
        refresh_statistics(db, [*tables, User._meta.table_name])
    c = gen.counts
    return DemoSummary(
        leads=c["leads"],
        companies=c["companies"],
        opportunities=c["opportunities"],
        activities=c["activities"],
        history=c["history"],
        stage_changes=c["stage_changes"],
        users=users_added,
        qualifications=c["qualifications"],
        seconds=time.perf_counter() - started,
    )


def _open_action(stream: list[list]) -> list | None:
    """The activity holding a record's open next action: [when, opp_id, kind,
    direction, outcome, note, action, due, done]."""
    for activity in reversed(stream):
        if activity[7] is not None and not activity[8]:
            return activity
    return None
