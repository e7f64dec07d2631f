"""Companies as accounts: the Companies list (search, sorts, customers or prospects, in
pages) and one company's record (fields, people, deals, activities, history).

The list over 21,000 companies of the 100,000-lead demo never loads more than a page:
`company_page` finds the page's ids in one statement and reads what the page shows for
those ids only; `company_count` counts the list. A company's figures come from its rows:

- people: its leads, merged ones left out;
- open pipeline and won amount: the sums of its open and won deals, per currency, never
  added together on screen. Sorting by them compares one figure per company: each
  currency converted into the report currency with the configured rates
  (core.money.rates_into); amounts in a currency without a rate rank after every
  converted one, among themselves by their face value;
- last activity: the latest of its leads' and deals' last activity.

Sorting by name walks the company name index (a page costs the same at any depth);
the other sorts add up every company's deals or leads first (bench/bench_companies.py
has the figures). A customer is a company with a won deal. Merged companies
(models.Company.merged_into) are never listed, counted or searched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.core import validators as v
from funnel_tui.core.folding import fold
from funnel_tui.core.i18n import _
from funnel_tui.core.money import rates_into
from funnel_tui.core.vocab import OPP_LOST, OPP_OPEN, OPP_WON
from funnel_tui.read.search import search_ids_sql
from funnel_tui.read.search_terms import MIN_TRIGRAM
from funnel_tui.storage.list_index import LIVE_LEAD_SQL
from funnel_tui.storage.models import Activity, Company, History, Lead, Opportunity, database
from funnel_tui.storage.models import User as _User

SORT_KEYS = ("name", "pipeline", "won", "activity", "people")
# The order each sort starts in: names A to Z, the figures largest (latest) first.
DESCENDING_FIRST = {"name": False, "pipeline": True, "won": True, "activity": True, "people": True}
KINDS = ("", "customers", "prospects")
PAGE_KEYS = (
    "id",
    "name",
    "industry",
    "country",
    "people",
    "customer",
    "open",
    "won",
    "last_activity",
)
# A company record's activities and history: the newest this many (the counts say how
# many there are in all).
RECORD_ACTIVITIES = 200
RECORD_HISTORY = 200

LIVE_COMPANY_SQL = (
    'c."id" NOT IN (SELECT m."id" FROM "company" m WHERE m."merged_into_id" IS NOT NULL)'
)
_NAME_LIKE = "c.\"name_key\" LIKE ? ESCAPE '\\'"
_CUSTOMER_SQL = (
    f'c."id" IN (SELECT o."company_id" FROM "opportunity" o WHERE o."state" = \'{OPP_WON}\''
    ' AND o."company_id" IS NOT NULL)'
)


@dataclass(frozen=True)
class CompanyQuery:
    """What the Companies list shows. `text` is looked for anywhere in the name, in
    any case, and folded as the lead list folds (accents, ß, Traditional Chinese:
    _folded_matches); `kind` is "customers", "prospects" (no won deal) or "" for
    both; `sort` one of SORT_KEYS, ties broken by name then id. `currency` and `rates`:
    what a sort by money compares in (the config's report_currency and
    exchange_rates); a currency without a rate ranks after every converted amount."""

    text: str = ""
    sort: str = "name"
    descending: bool = False
    kind: str = ""
    currency: str = ""
    rates: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_config(cls, config: Any, **values: Any) -> CompanyQuery:
        """A query comparing money as the config says (report_currency, else the
        default currency; exchange_rates)."""
        currency = config.report_currency or config.default_currency
        rates = rates_into(currency, config.report_currency, config.exchange_rates)
        sort = values.get("sort", "name")
        values.setdefault("descending", DESCENDING_FIRST.get(sort, False))
        return cls(currency=currency, rates=tuple(sorted(rates.items())), **values)


# ------------------------------------------------------------------------ the list


def company_list(query: CompanyQuery, offset: int, limit: int) -> tuple[int, list[dict]]:
    """company_count and company_page at once, the search looked up once for both."""
    where = _where(query)
    return company_count(query, where), company_page(query, offset, limit, where)


def company_page(
    query: CompanyQuery, offset: int, limit: int, where: tuple[str, list[Any]] | None = None
) -> list[dict[str, Any]]:
    """Rows `offset` to `offset + limit` of the list, as dicts with PAGE_KEYS: `open`
    and `won` per currency ({"EUR": cents}), `people` a count, `customer` a bool,
    `last_activity` a naive UTC datetime or None."""
    if query.sort not in SORT_KEYS:
        raise ValueError(_("sort must be one of {choices}").format(choices=", ".join(SORT_KEYS)))
    if query.kind not in KINDS:
        choices = ", ".join(k for k in KINDS if k)
        raise ValueError(_("kind must be one of {choices}").format(choices=choices))
    if limit <= 0:
        return []
    where, params = where or _where(query)
    join, order, order_params = _order(query)
    sql = (
        f'SELECT c."id" FROM "company" c {join} {where} ORDER BY {order}, '
        'c."name_key" ASC, c."id" ASC LIMIT ? OFFSET ?'
    )
    ids = [row[0] for row in _run(sql, [*order_params, *params, limit, max(0, offset)])]
    return company_rows(ids)


def company_count(query: CompanyQuery, where: tuple[str, list[Any]] | None = None) -> int:
    """How many companies the list has."""
    where, params = where or _where(query)
    return int(_run(f'SELECT COUNT(*) FROM "company" c {where}', params)[0][0])


def company_rows(ids: list[int]) -> list[dict[str, Any]]:
    """What the list shows of these companies, in the order of `ids`: a few statements
    over these ids only, each through an index on company_id."""
    if not ids:
        return []
    marks = ", ".join("?" for _n in ids)
    rows = {
        row[0]: dict(zip(("id", "name", "industry", "country"), row, strict=True))
        for row in _run(
            'SELECT c."id", c."name", c."industry", c."country" FROM "company" c '
            f'WHERE c."id" IN ({marks})',
            ids,
        )
    }
    people = dict(
        _run(
            f'SELECT l."company_id", COUNT(*) FROM "lead" l WHERE l."company_id" IN ({marks}) '
            f'AND {LIVE_LEAD_SQL} GROUP BY l."company_id"',
            ids,
        )
    )
    money: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for company_id, state, currency, cents in _run(
        'SELECT o."company_id", o."state", o."currency", SUM(o."amount_cents") '
        f'FROM "opportunity" o WHERE o."company_id" IN ({marks}) '
        f"AND o.\"state\" IN ('{OPP_OPEN}', '{OPP_WON}') GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC",
        ids,
    ):
        money[company_id][state][currency] = int(cents)
    latest = _latest_activity(ids)
    out = []
    for company_id in ids:
        row = rows.get(company_id)
        if row is None:
            continue
        sums = money.get(company_id, {})
        row["people"] = int(people.get(company_id, 0))
        row["open"] = dict(sums.get(OPP_OPEN, {}))
        row["won"] = dict(sums.get(OPP_WON, {}))
        row["customer"] = bool(row["won"])
        row["last_activity"] = latest.get(company_id)
        out.append(row)
    return out


def _latest_activity(ids: list[int]) -> dict[int, dt.datetime]:
    marks = ", ".join("?" for _n in ids)
    parse = Lead.last_activity_at.python_value
    found: dict[int, dt.datetime] = {}
    for company_id, at in _run(
        'SELECT t."company_id", MAX(t."at") FROM ('
        'SELECT l."company_id" AS "company_id", l."last_activity_at" AS "at" FROM "lead" l '
        f'WHERE l."company_id" IN ({marks}) AND {LIVE_LEAD_SQL} '
        'UNION ALL SELECT o."company_id", o."last_activity_at" FROM "opportunity" o '
        f'WHERE o."company_id" IN ({marks})) AS t GROUP BY t."company_id"',
        [*ids, *ids],
    ):
        if at is not None:
            found[company_id] = parse(at)
    return found


def _where(query: CompanyQuery) -> tuple[str, list[Any]]:
    clauses, params = [LIVE_COMPANY_SQL], []
    key = v.normalise_key(v.clean_text(query.text))
    if key:
        clauses.append(_NAME_LIKE)
        params.append("%" + _like_escape(key) + "%")
        folded = _folded_matches(query.text)
        if folded:
            clauses[-1] = f'({_NAME_LIKE} OR c."id" IN ({", ".join("?" for _n in folded)}))'
            params += folded
    if query.kind == "customers":
        clauses.append(_CUSTOMER_SQL)
    elif query.kind == "prospects":
        clauses.append(f"NOT {_CUSTOMER_SQL}")
    return "WHERE " + " AND ".join(clauses), params


def _folded_matches(text: str) -> list[int]:
    """The companies whose names hold `text` folded as names are (Müller found as
    "muller", 陳 as 陈), found through the leads at them that the lead list's own
    search finds: their folded company names (models.Lead.company_fold). Text shorter
    than a trigram is looked for in the names as typed only: as a prefix it would find
    most leads."""
    folded = fold(v.clean_text(text))
    found = search_ids_sql(text) if len(folded) >= MIN_TRIGRAM else None
    if found is None:
        return []
    leads, params = found
    return [
        row[0]
        for row in _run(
            f'SELECT DISTINCT f."company_id" FROM "lead" f WHERE f."id" IN ({leads}) '
            'AND f."company_id" IS NOT NULL '
            "AND COALESCE(NULLIF(f.\"company_fold\", ''), f.\"company_key\") LIKE ? ESCAPE '\\'",
            [*params, "%" + _like_escape(folded) + "%"],
        )
    ]


def _order(query: CompanyQuery) -> tuple[str, str, list[Any]]:
    """(JOIN, ORDER BY terms, their parameters) of the sort."""
    way = "DESC" if query.descending else "ASC"
    if query.sort == "name":
        return "", f'c."name_key" {way}, c."id" {way}', []
    if query.sort == "people":
        join = (
            'LEFT JOIN (SELECT l."company_id" AS "cid", COUNT(*) AS "n" FROM "lead" l '
            f'WHERE l."company_id" IS NOT NULL AND {LIVE_LEAD_SQL} GROUP BY l."company_id") '
            'AS s ON s."cid" = c."id"'
        )
        return join, f'COALESCE(s."n", 0) {way}', []
    if query.sort == "activity":
        join = (
            'LEFT JOIN (SELECT t."cid" AS "cid", MAX(t."at") AS "at" FROM ('
            'SELECT l."company_id" AS "cid", l."last_activity_at" AS "at" FROM "lead" l '
            f'WHERE l."company_id" IS NOT NULL AND {LIVE_LEAD_SQL} '
            'UNION ALL SELECT o."company_id", o."last_activity_at" FROM "opportunity" o '
            'WHERE o."company_id" IS NOT NULL) AS t GROUP BY t."cid") AS s ON s."cid" = c."id"'
        )
        # No activity at all counts as the oldest: last when latest first.
        nulls = 'CASE WHEN s."at" IS NULL THEN 1 ELSE 0 END'
        return join, f'{nulls} {"ASC" if query.descending else "DESC"}, s."at" {way}', []
    state = OPP_OPEN if query.sort == "pipeline" else OPP_WON
    rates = dict(query.rates)
    if query.currency:
        rates.setdefault(query.currency, 1.0)
    codes = sorted(rates)
    # Each currency's rate as a parameter; a currency without one is 0 in the converted
    # figure and counts at face value in the second.
    rate_case = (
        'CASE o."currency" ' + " ".join("WHEN ? THEN ?" for _n in codes) + " ELSE 0 END"
        if codes
        else "0"
    )
    face_case = (
        'CASE WHEN o."currency" IN (' + ", ".join("?" for _n in codes) + ") THEN 0 ELSE 1 END"
        if codes
        else "1"
    )
    params: list[Any] = []
    for code in codes:
        params += [code, float(rates[code])]
    params += codes
    join = (
        f'LEFT JOIN (SELECT o."company_id" AS "cid", '
        f'SUM(o."amount_cents" * {rate_case}) AS "v", '
        f'SUM(o."amount_cents" * {face_case}) AS "u" '
        f'FROM "opportunity" o WHERE o."state" = \'{state}\' AND o."company_id" IS NOT NULL '
        'GROUP BY o."company_id") AS s ON s."cid" = c."id"'
    )
    return join, f'COALESCE(s."v", 0) {way}, COALESCE(s."u", 0) {way}', params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _run(sql: str, params: list[Any]) -> list[tuple]:
    db = database.obj
    if isinstance(db, peewee.PostgresqlDatabase):
        sql = sql.replace("?", "%s")  # no "?" or "%" appears in these statements
    return db.execute_sql(sql, params).fetchall()


# ---------------------------------------------------------------------- the record


@dataclass
class CompanyRecord:
    """One company as its record shows it. Amounts are cents per currency, never
    added across currencies; times naive UTC."""

    company: Company
    people: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    totals: dict[str, dict[str, int]]  # state → currency → cents
    activities: list[dict[str, Any]]  # newest first, at most RECORD_ACTIVITIES
    activity_count: int
    history: list[Any]  # History rows with .user.login, oldest first
    first_won: dt.datetime | None = None
    last_activity: dt.datetime | None = None
    merged_into: int | None = None

    @property
    def customer(self) -> bool:
        """A company with a won deal is a customer (an account)."""
        return bool(self.totals.get(OPP_WON))

    @property
    def lifetime_won(self) -> dict[str, int]:
        return dict(self.totals.get(OPP_WON, {}))


def company_record(company_id: int) -> CompanyRecord | None:
    """Everything the company record shows, or None when there is no such company. A
    merged company is returned with `merged_into`, its survivor's id."""
    company = Company.get_or_none(Company.id == company_id)
    if company is None:
        return None
    people = [
        dict(zip(_PEOPLE_KEYS, row, strict=True))
        for row in _run(
            'SELECT l."id", l."name", l."title", l."status", l."level", u."login", '
            'l."email_raw", l."phone_display", l."phone_raw", l."last_activity_at", l."version" '
            'FROM "lead" l JOIN "user" u ON u."id" = l."owner_id" '
            f'WHERE l."company_id" = ? AND {LIVE_LEAD_SQL} ORDER BY l."name_key", l."id"',
            [company_id],
        )
    ]
    parse_time = Lead.last_activity_at.python_value
    for person in people:
        person["last_activity"] = parse_time(person.pop("last_activity_at"))
    deals = []
    totals: dict[str, dict[str, int]] = {OPP_OPEN: {}, OPP_WON: {}, OPP_LOST: {}}
    first_won = None
    for row in _run(
        'SELECT o."id", o."name", o."lead_id", l."name", o."stage", o."state", '
        'o."amount_cents", o."currency", o."expected_close", o."closed_at", u."login" '
        'FROM "opportunity" o JOIN "lead" l ON l."id" = o."lead_id" '
        'JOIN "user" u ON u."id" = o."owner_id" '
        'WHERE o."company_id" = ? ORDER BY o."state", o."id"',
        [company_id],
    ):
        deal = dict(zip(_DEAL_KEYS, row, strict=True))
        deal["closed_at"] = parse_time(deal["closed_at"])
        deal["expected_close"] = _date(deal["expected_close"])
        deals.append(deal)
        state_totals = totals.setdefault(deal["state"], {})
        state_totals[deal["currency"]] = state_totals.get(deal["currency"], 0) + int(
            deal["amount_cents"]
        )
        if deal["state"] == OPP_WON and deal["closed_at"] is not None:
            first_won = min(first_won or deal["closed_at"], deal["closed_at"])
    deals.sort(key=lambda d: (_STATE_ORDER.get(d["state"], 9), d["id"]))
    lead_ids = [p["id"] for p in people]
    deal_ids = [d["id"] for d in deals]
    activities, count = _activities(lead_ids, deal_ids)
    history = list(
        History.select(History, _User.login)
        .join(_User)
        .where((History.entity == "company") & (History.entity_id == company_id))
        .order_by(History.id.desc())
        .limit(RECORD_HISTORY)
    )
    history.reverse()
    times = [p["last_activity"] for p in people if p["last_activity"]]
    return CompanyRecord(
        company=company,
        people=people,
        deals=deals,
        totals={state: amounts for state, amounts in totals.items() if amounts},
        activities=activities,
        activity_count=count,
        history=history,
        first_won=first_won,
        last_activity=max([*times, *(a["at"] for a in activities[:1])], default=None),
        merged_into=company.merged_into_id,
    )


_PEOPLE_KEYS = (
    "id",
    "name",
    "title",
    "status",
    "level",
    "owner",
    "email",
    "phone",
    "phone_raw",
    "last_activity_at",
    "version",
)
_DEAL_KEYS = (
    "id",
    "name",
    "lead_id",
    "lead",
    "stage",
    "state",
    "amount_cents",
    "currency",
    "expected_close",
    "closed_at",
    "owner",
)
_STATE_ORDER = {OPP_OPEN: 0, OPP_WON: 1, OPP_LOST: 2}


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _activities(lead_ids: list[int], deal_ids: list[int]) -> tuple[list[dict[str, Any]], int]:
    """The newest activities logged on these leads or deals, and how many there are."""
    if not lead_ids and not deal_ids:
        return [], 0
    # Only the tests that can match: "x IN () OR ..." would cost SQLite its use of the
    # two indexes (a scan of every activity).
    tests = []
    if lead_ids:
        tests.append(Activity.lead.in_(lead_ids))
    if deal_ids:
        tests.append(Activity.opportunity.in_(deal_ids))
    test = tests[0] if len(tests) == 1 else tests[0] | tests[1]
    count = Activity.select().where(test).count()
    of_lead, of_deal = Lead.alias("of_lead"), Opportunity.alias("of_deal")
    rows = (
        Activity.select(
            Activity.id,
            Activity.occurred_at,
            Activity.kind,
            Activity.direction,
            Activity.outcome,
            Activity.note,
            Activity.next_action,
            Activity.next_action_due,
            Activity.next_action_at,
            Activity.lead,
            Activity.opportunity,
            _User.login,
            of_lead.name,
            of_deal.name,
        )
        .join(_User, on=(Activity.user == _User.id))
        .switch(Activity)
        .join(of_lead, peewee.JOIN.LEFT_OUTER, on=(Activity.lead == of_lead.id))
        .switch(Activity)
        .join(of_deal, peewee.JOIN.LEFT_OUTER, on=(Activity.opportunity == of_deal.id))
        .where(test)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(RECORD_ACTIVITIES)
        .tuples()
    )
    keys = (
        "id",
        "at",
        "kind",
        "direction",
        "outcome",
        "note",
        "next_action",
        "next_due",
        "next_at",
        "lead_id",
        "deal_id",
        "user",
        "lead",
        "deal",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows], count


def company_of_lead(lead_id: int) -> int | None:
    """The id of the company a lead is at; None without one (or without the lead)."""
    found = Lead.select(Lead.company).where(Lead.id == lead_id).tuples().first()
    return found[0] if found else None


def companies_named(text: str, limit: int) -> list[tuple[int, str, bool]]:
    """(id, name, customer) of the companies whose names hold `text`, customers first,
    for the command palette."""
    rows = company_page(CompanyQuery(text=text, sort="won", descending=True), 0, limit)
    return [(row["id"], row["name"], row["customer"]) for row in rows]
