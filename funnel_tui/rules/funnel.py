"""The rules of the funnel: capture, qualify, score, promote, convert, move, win/lose, log.

No UI imports here: the TUI and the CLI both call these functions. Each write is one
transaction (IMMEDIATE on SQLite, see db.py) that also appends to History, so a refused
operation writes nothing at all. Refusals raise `Refused` with every reason, each naming
its field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import peewee

from funnel_tui.config import Config, check_login
from funnel_tui.core import validators as v
from funnel_tui.core.dates import local_today, next_working_day, user_zone
from funnel_tui.core.errors import DuplicateFound, NotFound, Problem, Refused, StaleEdit
from funnel_tui.core.folding import email_key, stored_fold
from funnel_tui.core.user_locale import user_locale
from funnel_tui.core.vocab import (
    ACTIVITY_KINDS,
    ALWAYS_TWO_WAY_KINDS,
    ANSWER_NO,
    ANSWER_UNKNOWN,
    ANSWER_YES,
    ANSWERS,
    BANT_ITEMS,
    DIRECTIONS,
    LEAD_FIELDS,
    LEAD_STATUSES,
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    NURTURE_ACTION,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
    STATUS_NEW,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
    TWO_WAY_OUTCOMES,
)
from funnel_tui.rules import history_words as words
from funnel_tui.rules.deal_edits import DEAL_COLUMNS, read_amount, read_currency, undo_deal_fields
from funnel_tui.rules.near_duplicates import NearDuplicate, close_names
from funnel_tui.rules.team_lists import with_team_lists
from funnel_tui.storage.database import retry_writes, utcnow
from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    StageChange,
    User,
    database,
)
from funnel_tui.storage.schema import get_meta, set_meta
from funnel_tui.storage.statements import insert_row, insert_sql, inserted_id, prepared, stored_time

BANT_LABELS = words.BANT_LABELS


@dataclass(frozen=True)
class ScoreItem:
    key: str  # "budget", ..., or "icp:<key>"
    label: str
    answer: str  # yes / no / unknown
    points: int
    max_points: int
    source: str  # "checklist" or "company data"
    evidence: str = ""


@dataclass(frozen=True)
class Score:
    """A 0–100 score with each item's contribution, so it explains itself."""

    total: int
    items: tuple[ScoreItem, ...]

    @property
    def bant_yes(self) -> int:
        return sum(1 for i in self.items if i.key in BANT_ITEMS and i.answer == ANSWER_YES)

    def item(self, key: str) -> ScoreItem:
        return next(i for i in self.items if i.key == key)

    def explain(self) -> list[str]:
        lines = [
            f"{i.label}: {i.answer} → {i.points}/{i.max_points}"
            + (f" ({i.source})" if i.source != "checklist" else "")
            for i in self.items
        ]
        return [*lines, f"score {self.total}/100"]


# Every lead column but the id, as a new lead starts: capture inserts all of them so the
# prepared INSERT is one statement whatever was typed.
_LEAD_DEFAULTS: dict[str, Any] = {
    "name": "",
    "name_key": "",
    "company": None,
    "title": "",
    "phone_raw": "",
    "phone_e164": None,
    "phone_type": "",
    "phone_display": "",
    "email_raw": "",
    "email_norm": None,
    "email_key": None,
    "name_fold": "",
    "company_fold": "",
    "country": "",
    "source": "",
    "notes": "",
    "status": STATUS_NEW,
    "level": LEVEL_LEAD,
    "nurture_until": None,
    "unqualified_reason": "",
    "owner": None,
    "created_by": None,
    "created_at": None,
    "updated_at": None,
    "promoted_at": None,
    "last_activity_at": None,
    "next_action": "",
    "next_action_due": None,
    "version": 1,
    "company_key": "",
    "score": 0,
    "engagement_key": None,
}

_LEAD_COLUMNS = tuple(_LEAD_DEFAULTS)
_HISTORY_COLUMNS = ("at", "user", "entity", "entity_id", "action", "field", "old", "new", "version")


class NewLead(NamedTuple):
    """A lead to insert: check_lead's columns with the company taken out, the company as
    typed and its name key, and what its history entry records besides its fields (for
    an import, the file and row it came from)."""

    clean: Mapping[str, Any]
    company_name: str
    company_key: str
    origin: Mapping[str, Any] | None = None
    owner: int | None = None  # a user's id; None: the user inserting it


SCORE_META_KEY = "score_config"
ENGAGEMENT_META_KEY = "engagement_config"
# Engagement keys count time in days from here (naive UTC, like every stored time).
ENGAGEMENT_EPOCH = dt.datetime(2020, 1, 1)


@dataclass(frozen=True)
class Engagement:
    """How engaged a lead is now, from its two-way interactions (see engagement_key).

    `value` is E: each two-way interaction adds 1 that halves every half-life, so one
    just now is 1.0 and two a half-life ago are 1.0 too. `level` is E on a 0–100 scale
    for display (engagement_level). `interactions` counts the two-way interactions and
    `last` is the latest one (None: there were none).
    """

    value: float
    level: int
    interactions: int
    last: dt.datetime | None


class CompanyFacts(NamedTuple):
    """What scoring reads of a company."""

    id: int
    industry: str
    employees: int | None
    country: str


# Made once: json.dumps with options builds an encoder on every call.
_json = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True).encode


class Funnel:
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
        self.config = config
        self.login = user
        self.now = clock
        # The user's zone: "today" (due dates, the Today queue) turns over at their
        # midnight, whatever the server's zone.
        self.zone = user_zone(config.timezone)
        # How the user writes numbers ("1.250,50" in de): amounts typed are read so.
        self.locale = user_locale(config.locale)
        self._user_id: int | None = None
        # False when the scores (engagement keys) could not be rewritten: a read-only
        # database, or one locked past the busy timeout. They stay as they were until
        # the next open.
        self.scores_current = self.engagement_current = True
        if database.obj is not None:
            # The values the team added to its lists (an import's new sources).
            with contextlib.suppress(peewee.OperationalError):
                self.config = config = with_team_lists(config)
            try:
                sync_scores(config)
            except peewee.OperationalError:
                self.scores_current = False
            try:
                sync_engagement(config)
            except peewee.OperationalError:
                self.engagement_current = False

    # ----------------------------------------------------------------- users & history

    def today(self) -> dt.date:
        """The user's calendar date now."""
        return local_today(self.now(), self.zone)

    @property
    def user_id(self) -> int:
        if self._user_id is not None:
            return self._user_id
        user_id = self._ensure_user(self.login)
        # Made inside a transaction that may yet roll back: not known to stay.
        if not database.in_transaction():
            self._user_id = user_id
        return user_id

    @retry_writes
    def _ensure_user(self, login: str) -> int:
        found = User.get_or_none(User.login == login)
        if found:
            return found.id
        check_login(login)  # a user first seen: a name others' screens can show safely
        with database.atomic():
            User.insert(
                login=login, display_name=login, created_at=self.now()
            ).on_conflict_ignore().execute()
        return User.get(User.login == login).id

    def _history(
        self,
        entity: str,
        entity_id: int,
        action: str,
        changes: Iterable[tuple[str, Any, Any]] = (("", None, None),),
        at: dt.datetime | None = None,
        version: int | None = None,
    ) -> None:
        at = at or self.now()
        for name, old, new in changes:
            insert_row(
                History,
                {
                    "at": at,
                    "user": self.user_id,
                    "entity": entity,
                    "entity_id": entity_id,
                    "action": action,
                    "field": name,
                    "old": None if old is None else str(old),
                    "new": None if new is None else str(new),
                    "version": version,
                },
            )

    # ------------------------------------------------------------------- capture

    def check_lead(
        self, data: Mapping[str, Any], partial: bool = False, region: str = ""
    ) -> dict[str, Any]:
        """Validate lead input; returns the columns to store or raises Refused.

        With `partial`, only the fields present are checked (for updates). A phone typed
        without "+" is read in the lead's country: the one typed, else `region` (the
        stored one, for updates), else the configured default.
        """
        values = {k: data[k] for k in LEAD_FIELDS if data.get(k) is not None}
        problems: list[Problem] = []
        out: dict[str, Any] = {}

        def take(check: v.Check) -> str:
            if not check.ok:
                problems.append(check.problem)
            return check.value

        if not partial or "name" in values:
            out["name"] = take(v.check_name(values.get("name")))
            out["name_key"] = v.normalise_key(out["name"])
            out["name_fold"] = stored_fold(out["name_key"])
        country = ""
        if "country" in values:
            country = take(v.check_country(values["country"]))
            out["country"] = country
        if "phone" in values:
            region = country or region or self.config.default_region
            check = v.check_phone(values["phone"], region)
            out["phone_raw"] = v.clean_text(values["phone"], "phone")
            out["phone_e164"] = take(check) or None
            out["phone_type"] = check.details.get("type", "")
            out["phone_display"] = check.details.get("international", "") if check.ok else ""
        if "email" in values:
            out["email_raw"] = v.clean_text(values["email"], "email")
            check = v.check_email(values["email"], deliverability=self.config.email_deliverability)
            out["email_norm"] = take(check) or None
            out["email_key"] = email_key(out["email_norm"])
        if "source" in values:
            out["source"] = take(
                v.check_choice("source", values["source"], self.config.lead_sources)
            )
        for name in ("title", "notes"):
            if name in values:
                out[name] = take(v.check_text(name, values[name]))
        if "company" in values:
            out["company_name"] = take(v.check_text("company", values["company"]))
        if not partial and not out.get("phone_raw") and not out.get("email_raw"):
            problems.append(
                Problem("contact", "required", "a lead needs a phone number or an email address")
            )
        if problems:
            raise Refused(problems)
        return out

    def find_duplicates(
        self, email: str | None, phone_e164: str | None, name_key: str, company_key: str
    ) -> list[tuple[int, str, str]]:
        """Leads that look like the same person: (id, name, field that matched).

        `email` is compared casefolded whole (folding.email_key). One statement with
        three index lookups: it runs on every capture.
        """
        sql = prepared(
            "duplicates",
            lambda p: (
                Lead.select(Lead.id, Lead.name, peewee.SQL("'email'"))
                .where(Lead.email_key == p)
                .union_all(
                    Lead.select(Lead.id, Lead.name, peewee.SQL("'phone'")).where(
                        Lead.phone_e164 == p
                    )
                )
                .union_all(
                    Lead.select(Lead.id, Lead.name, peewee.SQL("'name'"))
                    .join(Company)
                    .where((Lead.name_key == p) & (Company.name_key == p))
                )
            ),
        )
        # An empty key matches nothing: NULL never equals anything in SQL.
        params = (email_key(email), phone_e164 or None, name_key or None, company_key or None)
        found, seen = [], set()
        # A handful of matches is enough to warn; never read a long tail.
        for lead_id, name, reason in database.execute_sql(sql, params).fetchmany(15):
            if lead_id not in seen:
                seen.add(lead_id)
                found.append((lead_id, name, reason))
        return found

    def near_duplicates(
        self,
        name_key: str,
        company_key: str,
        phone_e164: str | None,
        exclude: Iterable[int] = (),
    ) -> list[NearDuplicate]:
        """Leads whose names are close to `name_key` (folded spellings, a typo) at the
        same company or with the same number: a warning, never a refusal (see
        near_duplicates.close_names)."""
        return close_names(name_key, company_key, phone_e164, exclude)

    def find_duplicates_many(
        self,
        keys: Sequence[tuple[str | None, str | None, str, str]],
        companies: Mapping[str, CompanyFacts] | None = None,
    ) -> list[list[tuple[int, str, str]]]:
        """find_duplicates for many rows at once, (email, phone_e164, name_key,
        company_key) each, in a few statements rather than one a row: for imports.
        `companies`: the companies of these keys that exist (companies_by_key); a name
        is looked up only at those, as no lead can be at a company there is not."""
        emails = {email_key(k[0]) for k in keys if k[0]}
        phones = {k[1] for k in keys if k[1]}
        pairs = {(k[2], k[3]) for k in keys if k[3] and (companies is None or k[3] in companies)}
        by_email = _first_by("email_key", emails)
        by_phone = _first_by("phone_e164", phones)
        by_name = _first_by_name(pairs)
        found = []
        for email, phone, name_key, company_key in keys:
            matches, seen = [], set()
            for hit, reason in (
                (by_email.get(email_key(email)) if email else None, "email"),
                (by_phone.get(phone) if phone else None, "phone"),
                (by_name.get((name_key, company_key)) if company_key else None, "name"),
            ):
                if hit is not None and hit[0] not in seen:
                    seen.add(hit[0])
                    matches.append((hit[0], hit[1], reason))
            found.append(matches)
        return found

    def companies_by_key(self, keys: Iterable[str]) -> dict[str, CompanyFacts]:
        """The companies with these name keys, for imports that look up many at once."""
        out: dict[str, CompanyFacts] = {}
        param = database.obj.param
        for chunk in _chunks(sorted(set(keys))):
            marks = ", ".join([param] * len(chunk))
            sql = (
                'SELECT "name_key", "id", "industry", "employees", "country" FROM "company" '
                f'WHERE "name_key" IN ({marks}) ORDER BY "id"'
            )
            for key, *facts in database.execute_sql(sql, chunk):
                out.setdefault(key, CompanyFacts(*facts))
        return out

    @retry_writes
    def capture_lead(self, data: Mapping[str, Any], *, allow_duplicate: bool = False) -> Lead:
        """Create a lead from what the user typed.

        Refuses bad input (every problem at once) and, unless `allow_duplicate`, leads that
        match an existing one by normalised email, E.164 phone, or name at the same
        company. Saving a duplicate anyway is recorded in the history.
        """
        clean = self.check_lead(data)
        company_name = clean.pop("company_name", "")
        company_key = v.normalise_key(company_name) if company_name else ""
        with database.atomic():
            matches = self.find_duplicates(
                clean.get("email_norm"), clean.get("phone_e164"), clean["name_key"], company_key
            )
            if matches and not allow_duplicate:
                raise DuplicateFound(
                    [
                        Problem(reason, "duplicate", f"matches lead #{lead_id} {name}")
                        for lead_id, name, reason in matches
                    ],
                    list(Lead.select().where(Lead.id.in_([m[0] for m in matches]))),
                    matches,
                )
            lead = self.insert_lead(clean, company_name, company_key)
            if matches:
                ids = ",".join(str(m[0]) for m in matches)
                self._history(
                    "lead",
                    lead.id,
                    "duplicate_saved",
                    [("duplicate_of", None, ids)],
                    lead.created_at,
                )
        return lead

    def insert_lead(
        self,
        clean: Mapping[str, Any],
        company_name: str,
        company_key: str,
        *,
        action: str = "create",
    ) -> Lead:
        """Insert a lead from `check_lead`'s columns, in the caller's transaction; no
        duplicate check (the caller's)."""
        [(lead_id, values)] = self._insert_leads(
            [NewLead(clean, company_name, company_key)], action, None
        )
        return Lead(id=lead_id, **values)

    def insert_leads(
        self,
        rows: Sequence[NewLead],
        *,
        action: str = "import",
        companies: dict[str, CompanyFacts] | None = None,
    ) -> list[int]:
        """insert_lead for many leads at once (an import's batch), in the caller's
        transaction: their ids. `companies` (by name key, e.g. companies_by_key) saves
        looking each up; the companies made here are added to it."""
        return [lead_id for lead_id, _ in self._insert_leads(rows, action, companies)]

    def _insert_leads(
        self,
        rows: Sequence[NewLead],
        action: str,
        companies: dict[str, CompanyFacts] | None,
    ) -> list[tuple[int, dict[str, Any]]]:
        # Through the DB-API cursor with prepared statements: an import inserts leads by
        # the hundred thousand, and a Peewee query or model a row costs more than the
        # database's own work.
        now = self.now()
        stored_now = stored_time(now)
        user_id = self.user_id
        companies = {} if companies is None else companies
        wanted = {
            row.company_key: (row.company_name, row.clean.get("country", ""))
            for row in rows
            if row.company_name and row.company_key not in companies
        }
        if wanted:
            companies.update(self._companies_for(wanted, now))
        scores: dict[tuple[str, tuple | None], int] = {}
        lead_sql = insert_sql(Lead, _LEAD_COLUMNS)
        history_sql = insert_sql(History, _HISTORY_COLUMNS)
        cursor = database.obj.cursor()
        made, history = [], []
        for row in rows:
            clean, country = row.clean, row.clean.get("country", "")
            company = companies[row.company_key] if row.company_name else None
            # A new lead has no answers yet: its score is what its country and its
            # company's data give, the same for every lead sharing both.
            scored = (country, company[1:] if company else None)
            score = scores.get(scored)
            if score is None:
                facts = _LeadFacts(country, company)
                score = compute_score(self.config, facts, {}, company=company).total
                scores[scored] = score
            values = {
                **_LEAD_DEFAULTS,
                **clean,
                "company": company.id if company else None,
                "company_key": row.company_key if company else "",
                "company_fold": stored_fold(row.company_key) if company else "",
                "score": score,
                "owner": row.owner or user_id,
                "created_by": user_id,
                "created_at": stored_now,
                "updated_at": stored_now,
            }
            cursor.execute(lead_sql, [values[name] for name in _LEAD_COLUMNS])
            lead_id = inserted_id(cursor)
            snapshot = {**_lead_snapshot(clean, row.company_name), **(row.origin or {})}
            history.append(
                (stored_now, user_id, "lead", lead_id, action, "", None, _json(snapshot), 1)
            )
            made.append((lead_id, {**values, "created_at": now, "updated_at": now}))
        cursor.executemany(history_sql, history)
        return made

    def _company_for(
        self, name: str, key: str, country: str, now: dt.datetime
    ) -> CompanyFacts | None:
        """The company named `name` (by its key), created when new; None for no name."""
        if not name:
            return None
        return self._companies_for({key: (name, country)}, now)[key]

    def _companies_for(
        self, wanted: Mapping[str, tuple[str, str]], now: dt.datetime
    ) -> dict[str, CompanyFacts]:
        """The companies with these name keys, each given as (name, country); those not
        there yet are created, with that name and country."""
        found = self.companies_by_key(wanted)
        new = [(key, *named) for key, named in wanted.items() if key not in found]
        if not new:
            return found
        stored_now = stored_time(now)
        cursor = database.obj.cursor()
        history = []
        for key, name, country in new:
            values = {
                "name": name,
                "name_key": key,
                "industry": "",
                "employees": None,
                "country": country,
                "website": "",
                "created_at": stored_now,
                "updated_at": stored_now,
                "version": 1,
            }
            cursor.execute(insert_sql(Company, tuple(values)), list(values.values()))
            company_id = inserted_id(cursor)
            found[key] = CompanyFacts(company_id, "", None, country)
            history.append(
                (stored_now, self.user_id, "company", company_id, "create", "name", None, name, 1)
            )
        cursor.executemany(insert_sql(History, _HISTORY_COLUMNS), history)
        return found

    @retry_writes
    def update_lead(
        self, lead_id: int, data: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Lead:
        """Change some fields of a lead; history records each changed field.

        With `expected_version`, an edit made on a copy read at that version is saved
        over the changes made since only when none of them is to a field this edit
        changes (two people editing different fields both keep their edit); otherwise
        it is refused with what the others changed (StaleEdit).
        """
        region = self.get_lead(lead_id).country if "phone" in data else ""
        clean = self.check_lead(data, partial=True, region=region)
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
            company_name = clean.pop("company_name", None)
            if company_name is not None:
                key = v.normalise_key(company_name)
                company = self._company_for(company_name, key, lead.country, now)
                clean["company"] = company.id if company else None
                clean["company_key"] = key if company else ""
                clean["company_fold"] = stored_fold(key) if company else ""
            changes = [
                (name, _plain(getattr(lead, _column(name))), _plain(new))
                for name, new in clean.items()
                if name not in _DERIVED and _plain(getattr(lead, _column(name))) != _plain(new)
            ]
            # Fields the caller means to set, whether or not the stored value differs now:
            # someone else may have changed one of them to something else since.
            self._check_version("lead", lead, expected_version, set(clean) - _DERIVED, clean)
            if not changes:
                return lead
            self._bump(Lead, lead, {**clean, "updated_at": now})
            self._history("lead", lead.id, "update", changes, now, lead.version)
            if any(name in ("country", "company") for name, _, _ in changes):
                # Region and company facts are ICP items of the score.
                self.rescore(lead_id)
        return Lead.get_by_id(lead_id)

    def _lead_for_update(self, lead_id: int) -> Lead:
        """The lead, locked for this transaction where the engine locks rows."""
        lead = _row_for_update(Lead, lead_id)
        if lead is None:
            raise NotFound("lead", lead_id)
        return lead

    def _check_version(
        self,
        entity: str,
        row: peewee.Model,
        expected_version: int | None,
        fields: Iterable[str] | None,
        wanted: Mapping[str, Any] | None = None,
    ) -> None:
        """Refuse a write made on a copy read at `expected_version` when the record has
        changed since in one of `fields` (None: any field). With `wanted`, a field
        someone else already set to the value this write wants is no clash."""
        if expected_version is None or row.version == expected_version:
            return
        changes = self.changes_since(entity, row.id, expected_version)
        if fields is None:
            raise StaleEdit(entity, row.id, changes)
        touched = set(fields)
        clash = []
        for change in changes:
            name = change["field"]
            if name not in touched or name in clash:
                continue
            already = wanted is not None and name in wanted
            if already and _plain(getattr(row, _column(name))) == _plain(wanted[name]):
                continue
            clash.append(name)
        if clash:
            raise StaleEdit(entity, row.id, changes, clash, words.field_word)

    def _bump(self, model: type[peewee.Model], row: peewee.Model, values: dict[str, Any]) -> None:
        """Write `values` and raise the version, only if nobody else did since we read."""
        updated = (
            model.update({**values, model.version: model.version + 1})
            .where((model.id == row.id) & (model.version == row.version))
            .execute()
        )
        if updated != 1:
            raise StaleEdit(
                model.__name__.lower(),
                row.id,
                self.changes_since(model.__name__.lower(), row.id, row.version),
            )
        row.version += 1
        for name, value in values.items():
            setattr(row, name if isinstance(name, str) else name.name, value)

    def changes_since(self, entity: str, entity_id: int, version: int) -> list[dict[str, Any]]:
        """What was changed on a record after `version`: field by field, who and when."""
        rows = (
            History.select(History, User.login)
            .join(User)
            .where(
                (History.entity == entity)
                & (History.entity_id == entity_id)
                & (History.version > version)
            )
            .order_by(History.id)
        )
        return [
            {"user": r.user.login, "at": r.at, "field": r.field, "old": r.old, "new": r.new}
            for r in rows
        ]

    # ------------------------------------------------------------------- status

    @retry_writes
    def set_status(
        self,
        lead_id: int,
        status: str,
        *,
        reason: str = "",
        until: dt.date | None = None,
        expected_version: int | None = None,
    ) -> Lead:
        """Set a lead's status. Unqualified needs a reason; nurturing needs a date."""
        problems = []
        if status not in LEAD_STATUSES:
            problems.append(
                Problem("status", "invalid", f"{status!r} is not one of {', '.join(LEAD_STATUSES)}")
            )
        reason_check = v.check_text("reason", reason)
        if not reason_check.ok:
            problems.append(reason_check.problem)
        if status == STATUS_UNQUALIFIED and not reason_check.value:
            problems.append(Problem("reason", "required", "say why the lead is unqualified"))
        if status == STATUS_NURTURING:
            if until is None:
                problems.append(Problem("until", "required", "say when to touch the lead again"))
            elif until < self.today():
                problems.append(Problem("until", "past", f"{until} is in the past"))
        if problems:
            raise Refused(problems)
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
            new = {
                "status": status,
                "unqualified_reason": reason_check.value if status == STATUS_UNQUALIFIED else "",
                "nurture_until": until if status == STATUS_NURTURING else None,
            }
            # A status set on a stale copy clashes only with another status change.
            self._check_version("lead", lead, expected_version, new, new)
            changes = [
                (name, _plain(getattr(lead, name)), _plain(value))
                for name, value in new.items()
                if _plain(getattr(lead, name)) != _plain(value)
            ]
            if not changes:
                return lead
            self._bump(Lead, lead, {**new, "updated_at": now})
            self._history("lead", lead.id, "status", changes, now, lead.version)
            if status == STATUS_NURTURING:
                # Parked until a date: the Today queue brings the lead back then.
                self._set_next_action(lead, NURTURE_ACTION, until, now)
        return lead

    # ------------------------------------------------------------- qualification

    @retry_writes
    def answer(
        self,
        lead_id: int,
        item: str,
        answer: str,
        evidence: str = "",
        value: str = "",
        *,
        action: str = "qualify",
    ) -> Qualification:
        """Record one checklist answer (BANT item or `icp:<key>`); revisions go to history."""
        item = item.strip().lower()
        known = set(BANT_ITEMS) | {f"icp:{c.key}" for c in self.config.icp}
        problems = []
        if item not in known:
            problems.append(
                Problem(
                    "item",
                    "unknown",
                    f"{item!r} is not a checklist item: {', '.join(sorted(known))}",
                )
            )
        answer = answer.strip().lower()
        if answer not in ANSWERS:
            problems.append(
                Problem(
                    item or "answer", "invalid", f"answer {answer!r} must be yes, no or unknown"
                )
            )
        evidence_check = v.check_text("evidence", evidence)
        value_check = v.check_text("value", value)
        problems += [c.problem for c in (evidence_check, value_check) if not c.ok]
        if problems:
            raise Refused(problems)
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
            answers = {
                q.item: q for q in Qualification.select().where(Qualification.lead == lead_id)
            }
            row = answers.get(item)
            new = {"answer": answer, "evidence": evidence_check.value, "value": value_check.value}
            if row is None:
                row = Qualification.create(
                    lead=lead_id, item=item, answered_by=self.user_id, answered_at=now, **new
                )
                changes = [(f"{item}.{k}", None, val) for k, val in new.items() if val]
            else:
                changes = [
                    (f"{item}.{k}", getattr(row, k), val)
                    for k, val in new.items()
                    if getattr(row, k) != val
                ]
                if not changes:
                    return row
                Qualification.update(answered_by=self.user_id, answered_at=now, **new).where(
                    Qualification.id == row.id
                ).execute()
                for key, val in {**new, "answered_by": self.user_id, "answered_at": now}.items():
                    setattr(row, key, val)
            answers[item] = row
            self._history("lead", lead_id, action, changes or [(item, None, answer)], now)
            # The answers as just written: this runs at every answer key of the checklist.
            total = compute_score(self.config, lead, answers).total
            Lead.update(updated_at=now, score=total).where(Lead.id == lead_id).execute()
        return row

    def score(self, lead_id: int) -> Score:
        """The lead's 0–100 score with each item's contribution, computed afresh."""
        lead = self.get_lead(lead_id)
        answers = {q.item: q for q in Qualification.select().where(Qualification.lead == lead_id)}
        return compute_score(self.config, lead, answers)

    @retry_writes
    def rescore(self, lead_id: int) -> int:
        """Store the lead's score as computed now; returns it.

        The rules above call it themselves. Whatever else changes what a score reads —
        a company's industry, size or country, say — calls it for each lead concerned
        (a company's leads: `Lead.select(Lead.id).where(Lead.company == company_id)`).
        It is derived data: no version bump, no history.
        """
        with database.atomic():
            total = self.score(lead_id).total
            Lead.update(score=total).where(Lead.id == lead_id).execute()
        return total

    # ---------------------------------------------------------------- promotion

    def gate_problems(self, lead_id: int) -> list[Problem]:
        """Every reason the gate would refuse to promote this lead now (empty: it passes)."""
        lead = self.get_lead(lead_id)
        answers = {q.item: q for q in Qualification.select().where(Qualification.lead == lead_id)}
        return self.judge_gate(lead, compute_score(self.config, lead, answers))

    def judge_gate(self, lead: Lead, score: Score) -> list[Problem]:
        """gate_problems for a lead already read, with its score from its answers (for a
        screen that has both in hand); the contact data is validated again here."""
        problems: list[Problem] = []
        if lead.level != LEVEL_LEAD:
            problems.append(
                Problem(
                    "level",
                    "already",
                    f"lead #{lead.id} is already {words.with_article(lead.level)}",
                )
            )
        if lead.status == STATUS_UNQUALIFIED:
            problems.append(
                Problem(
                    "status",
                    "unqualified",
                    f"the lead is unqualified ({lead.unqualified_reason}); reopen it first",
                )
            )
        problems += self._contact_problems(lead)
        if self.config.need_required and score.item("need").answer != ANSWER_YES:
            problems.append(
                Problem("need", "required", f"{score.item('need').answer} (Need must be yes)")
            )
        if score.bant_yes < self.config.min_bant_yes:
            for key in BANT_ITEMS:
                item = score.item(key)
                if item.answer != ANSWER_YES and not (key == "need" and self.config.need_required):
                    problems.append(Problem(key, "not_yes", item.answer))
            problems.append(
                Problem(
                    "bant",
                    "too_few",
                    f"{score.bant_yes} of 4 BANT items are yes; {self.config.min_bant_yes} needed",
                )
            )
        if score.total < self.config.min_score:
            problems.append(Problem("score", "too_low", f"{score.total} < {self.config.min_score}"))
        return problems

    def _contact_problems(self, lead: Lead) -> list[Problem]:
        """Contact data checked again now: metadata may have changed since capture."""
        problems = []
        if not lead.phone_raw and not lead.email_raw:
            problems.append(
                Problem("contact", "required", "a phone number or an email address is needed")
            )
        if lead.phone_raw:
            region = lead.country or self.config.default_region
            check = v.check_phone(lead.phone_e164 or lead.phone_raw, region)
            if not check.ok:
                problems.append(check.problem)
        if lead.email_raw:
            check = v.check_email(
                lead.email_norm or lead.email_raw, deliverability=self.config.email_deliverability
            )
            if not check.ok:
                problems.append(check.problem)
        return problems

    def _checklist_as_it_stands(self, lead_id: int) -> dict[str, dict[str, Any]]:
        """Each checklist item's answer, points and evidence now: what promotion and
        conversion record, so later revisions do not rewrite what a decision was based on."""
        return {
            i.key: {"answer": i.answer, "points": i.points, "evidence": i.evidence}
            for i in self.score(lead_id).items
        }

    @retry_writes
    def promote(self, lead_id: int) -> Lead:
        """Promote a lead to prospect through the gate; Refused lists every reason."""
        with database.atomic():
            problems = self.gate_problems(lead_id)
            if problems:
                raise Refused(problems)
            lead = self._lead_for_update(lead_id)
            now = self.now()
            checklist = self._checklist_as_it_stands(lead_id)
            self._bump(
                Lead,
                lead,
                {"level": LEVEL_PROSPECT, "promoted_at": now, "updated_at": now},
            )
            self._history(
                "lead",
                lead_id,
                "promote",
                [("level", LEVEL_LEAD, LEVEL_PROSPECT), ("checklist", None, _json(checklist))],
                now,
                lead.version,
            )
        return lead

    # ------------------------------------------------------------- opportunities

    @retry_writes
    def convert(
        self,
        lead_id: int,
        *,
        amount: str | float | int,
        currency: str = "",
        expected_close: dt.date | None = None,
        stage: str = "",
        name: str = "",
        allow_past_close: bool = False,
        today: dt.date | None = None,
    ) -> Opportunity:
        """Open an opportunity for a prospect, carrying over company, owner and notes.

        Refuses, all at once: an amount that is negative, not a number, above the
        configured ceiling (`config.max_amount`, whole currency units), with more
        decimals than its currency has, or that could be read two ways in the user's
        locale ("1,250" in de: money.parse_amount); a currency that is not ISO 4217; a
        stage that is not open; and an expected close before
        `today` (default: the user's, in their zone) unless `allow_past_close`, so that a date
        in the past is used only when the user confirms it.
        """
        problems: list[Problem] = []
        currency = read_currency(currency or self.config.default_currency, problems)
        cents = read_amount(amount, currency, self.locale, self.config.max_amount, problems)
        problems.sort(key=lambda p: p.field != "amount")  # amount, currency: the form's order
        first = self.config.open_stages[0].name
        stage_obj = self.config.stage(stage or first)
        if stage_obj is None or stage_obj not in self.config.open_stages:
            names = ", ".join(s.name for s in self.config.open_stages)
            problems.append(Problem("stage", "invalid", f"{stage!r} is not an open stage: {names}"))
        name_check = v.check_text("title", name)
        if not name_check.ok:
            problems.append(name_check.problem)
        today = today or self.today()
        if expected_close is not None and expected_close < today and not allow_past_close:
            problems.append(
                Problem(
                    "close",
                    "past",
                    f"{expected_close.isoformat()} is in the past; confirm to use it anyway",
                )
            )
        if problems:
            raise Refused(problems)
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
            if lead.level == LEVEL_LEAD:
                raise Refused(
                    [
                        Problem(
                            "level",
                            "not_prospect",
                            f"lead #{lead.id} must be promoted to prospect first",
                        )
                    ]
                )
            title = name_check.value or (
                f"{lead.company.name} – {lead.name}" if lead.company_id else lead.name
            )
            opp = Opportunity.create(
                lead=lead.id,
                company=lead.company_id,
                name=title,
                amount_cents=cents,
                currency=currency,
                expected_close=expected_close,
                stage=stage_obj.name,
                state=OPP_OPEN,
                notes=lead.notes,
                owner=lead.owner_id,
                created_by=self.user_id,
                created_at=now,
                updated_at=now,
                stage_entered_at=now,
            )
            StageChange.create(
                opportunity=opp.id,
                from_stage=None,
                to_stage=stage_obj.name,
                user=self.user_id,
                at=now,
            )
            snapshot = {
                "lead": lead.id,
                # The contact and the checklist the deal was opened on, as they stood.
                "contact": {
                    "name": lead.name,
                    "title": lead.title,
                    "phone": lead.phone_e164 or lead.phone_raw,
                    "email": lead.email_norm or lead.email_raw,
                },
                "checklist": self._checklist_as_it_stands(lead.id),
                "amount_cents": cents,
                "currency": currency,
                "expected_close": expected_close,
                "stage": stage_obj.name,
                "name": title,
            }
            self._history("opportunity", opp.id, "create", [("", None, _json(snapshot))], now, 1)
            if lead.level == LEVEL_PROSPECT:
                self._bump(Lead, lead, {"level": LEVEL_OPPORTUNITY, "updated_at": now})
                self._history(
                    "lead",
                    lead.id,
                    "convert",
                    [("level", LEVEL_PROSPECT, LEVEL_OPPORTUNITY), ("opportunity", None, opp.id)],
                    now,
                    lead.version,
                )
        return opp

    @retry_writes
    def update_deal(
        self,
        opp_id: int,
        data: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        allow_past_close: bool = False,
    ) -> Opportunity:
        """Change some of a deal's fields: "name", "amount" (read as convert reads it, in
        the new currency when "currency" is given too), "currency" (ISO 4217; the stored
        amount must fit it), "close" (a date or None) and "notes"; history records each
        changed field, and undo_last takes the edit back.

        As update_lead: with `expected_version`, saved over changes made since unless one
        of them is to a field this edit sets (StaleEdit then). An expected close moved
        into the past of an open deal is refused unless `allow_past_close`."""
        from funnel_tui.rules.deal_edits import update_deal

        return update_deal(
            self,
            opp_id,
            data,
            expected_version=expected_version,
            allow_past_close=allow_past_close,
        )

    @retry_writes
    def move(
        self, opp_id: int, to_stage: str, *, expected_version: int | None = None
    ) -> Opportunity:
        """Move an open opportunity to another open stage; recorded in its stage history."""
        stage = self.config.stage(to_stage)
        if stage is None or stage not in self.config.open_stages:
            names = ", ".join(s.name for s in self.config.open_stages)
            raise Refused(
                [Problem("stage", "invalid", f"{to_stage!r} is not an open stage: {names}")]
            )
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state != OPP_OPEN:
                raise Refused(
                    [
                        Problem(
                            "stage",
                            "closed",
                            f"opportunity #{opp_id} is {opp.state}; reopen it first",
                        )
                    ]
                )
            if opp.stage == stage.name:
                return opp
            self._change_stage(opp, stage.name, {})
        return opp

    @retry_writes
    def step(self, opp_id: int, delta: int, *, expected_version: int | None = None) -> Opportunity:
        """Move to the next (+1) or previous (-1) open stage."""
        opp = self.get_opportunity(opp_id)
        names = [s.name for s in self.config.open_stages]
        if opp.stage not in names:
            raise Refused([Problem("stage", "closed", f"opportunity #{opp_id} is {opp.state}")])
        index = names.index(opp.stage) + delta
        if not 0 <= index < len(names):
            edge = "last" if delta > 0 else "first"
            raise Refused([Problem("stage", "edge", f"{opp.stage} is the {edge} open stage")])
        return self.move(opp_id, names[index], expected_version=expected_version)

    @retry_writes
    def win(self, opp_id: int, *, expected_version: int | None = None) -> Opportunity:
        """Close a deal as won; its lead becomes a customer."""
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state != OPP_OPEN:
                raise Refused(
                    [Problem("state", "closed", f"opportunity #{opp_id} is already {opp.state}")]
                )
            now = self.now()
            self._change_stage(
                opp, self.config.won_stage, {"state": OPP_WON, "closed_at": now}, now
            )
            lead = _row_for_update(Lead, opp.lead_id)
            if lead.level != LEVEL_CUSTOMER:
                self._bump(Lead, lead, {"level": LEVEL_CUSTOMER, "updated_at": now})
                self._history(
                    "lead",
                    lead.id,
                    "won",
                    [("level", LEVEL_OPPORTUNITY, LEVEL_CUSTOMER)],
                    now,
                    lead.version,
                )
        return opp

    @retry_writes
    def lose(self, opp_id: int, reason: str, *, expected_version: int | None = None) -> Opportunity:
        """Close a deal as lost; the reason must be one of the configured loss reasons."""
        check = v.check_choice("reason", reason, self.config.loss_reasons)
        if check.ok and not check.value:
            check = v.Check(
                "reason",
                False,
                "required",
                "a lost deal needs a reason: " + ", ".join(self.config.loss_reasons),
            )
        if not check.ok:
            raise Refused([check.problem])
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state != OPP_OPEN:
                raise Refused(
                    [Problem("state", "closed", f"opportunity #{opp_id} is already {opp.state}")]
                )
            now = self.now()
            self._change_stage(
                opp,
                self.config.lost_stage,
                {"state": OPP_LOST, "closed_at": now, "lost_reason": check.value},
                now,
            )
        return opp

    @retry_writes
    def reopen(self, opp_id: int, *, expected_version: int | None = None) -> Opportunity:
        """Reopen a won or lost deal in the stage it was closed from."""
        with database.atomic():
            opp = self._opp_for_update(opp_id, expected_version)
            if opp.state == OPP_OPEN:
                raise Refused([Problem("state", "open", f"opportunity #{opp_id} is already open")])
            last = (
                StageChange.select()
                .where((StageChange.opportunity == opp.id) & (StageChange.to_stage == opp.stage))
                .order_by(StageChange.id.desc())
                .first()
            )
            open_names = [s.name for s in self.config.open_stages]
            back = last.from_stage if last and last.from_stage in open_names else open_names[0]
            was_won = opp.state == OPP_WON
            now = self.now()
            self._change_stage(
                opp, back, {"state": OPP_OPEN, "closed_at": None, "lost_reason": ""}, now
            )
            if was_won:
                lead = _row_for_update(Lead, opp.lead_id)
                still_won = (
                    Opportunity.select()
                    .where((Opportunity.lead == lead.id) & (Opportunity.state == OPP_WON))
                    .exists()
                )
                if not still_won and lead.level == LEVEL_CUSTOMER:
                    self._bump(Lead, lead, {"level": LEVEL_OPPORTUNITY, "updated_at": now})
                    self._history(
                        "lead",
                        lead.id,
                        "reopen",
                        [("level", LEVEL_CUSTOMER, LEVEL_OPPORTUNITY)],
                        now,
                        lead.version,
                    )
        return opp

    def _opp_for_update(self, opp_id: int, expected_version: int | None) -> Opportunity:
        """The deal, locked for this transaction where the engine locks rows; refused
        as stale when its stage or state changed since `expected_version` (a move or a
        close made on a card someone else has moved meanwhile)."""
        opp = _row_for_update(Opportunity, opp_id)
        if opp is None:
            raise NotFound("opportunity", opp_id)
        self._check_version("opportunity", opp, expected_version, DEAL_POSITION)
        return opp

    def _change_stage(
        self,
        opp: Opportunity,
        to_stage: str,
        extra: dict[str, Any],
        now: dt.datetime | None = None,
        action: str = "move",
    ) -> None:
        now = now or self.now()
        old_stage, old_extra = opp.stage, {k: _plain(getattr(opp, k)) for k in extra}
        self._bump(
            Opportunity,
            opp,
            {"stage": to_stage, "stage_entered_at": now, "updated_at": now, **extra},
        )
        StageChange.create(
            opportunity=opp.id, from_stage=old_stage, to_stage=to_stage, user=self.user_id, at=now
        )
        changes = [("stage", old_stage, to_stage)] + [
            (k, old_extra[k], _plain(val))
            for k, val in extra.items()
            if old_extra[k] != _plain(val)
        ]
        self._history("opportunity", opp.id, action, changes, now, opp.version)

    # ---------------------------------------------------------------------- undo

    @retry_writes
    def undo_last(self, entity: str | None = None, entity_id: int | None = None) -> Undone:
        """Undo the acting user's latest change (to one record, given `entity` and
        `entity_id`): a lead's field edits, status or checklist answer, or a deal's move,
        win, loss or reopening. The undo is a change like any other, in the history, so
        it can be undone in turn. Refused when someone else has changed one of those
        fields since (the undo would overwrite their work), and for changes that are
        not undone: a capture, a promotion, a conversion, a logged activity."""
        with database.atomic():
            query = History.select().where(
                (History.user == self.user_id) & History.action.not_in(SIDE_EFFECT_ACTIONS)
            )
            if entity is not None:
                query = query.where((History.entity == entity) & (History.entity_id == entity_id))
            last = query.order_by(History.id.desc()).first()
            where = f" on {entity} #{entity_id}" if entity is not None else ""
            if last is None:
                raise Refused([Problem("undo", "nothing", f"you have no change to undo{where}")])
            group = list(
                History.select()
                .where(
                    (History.entity == last.entity)
                    & (History.entity_id == last.entity_id)
                    & (History.user == last.user_id)
                    & (History.at == last.at)
                    & (History.action == last.action)
                    & (History.id <= last.id)
                )
                .order_by(History.id)
            )
            if (last.entity, last.action) not in UNDOABLE:
                why = NOT_UNDONE.get(last.action, "it is not a change undo can take back")
                stays = words.say(
                    "undo_stays",
                    where=where,
                    what=words.change_name(last.action),
                    record=words.record_words(last.entity, last.entity_id),
                    why=why,
                )
                raise Refused([Problem("undo", "cannot", stays)])
            fields = {h.field for h in group}
            later = (
                History.select(History, User.login)
                .join(User)
                .where(
                    (History.entity == last.entity)
                    & (History.entity_id == last.entity_id)
                    & (History.id > last.id)
                    & History.field.in_(fields)
                )
                .order_by(History.id.desc())
                .first()
            )
            if later is not None:
                changed = words.say(
                    "undo_changed_since",
                    user=later.user.login,
                    field=words.field_word(later.field.rpartition(".")[0] or later.field),
                    record=words.record_words(last.entity, last.entity_id),
                    when=words.time_words(later.at, self.zone),
                )
                raise Refused([Problem("undo", "changed", changed)])
            restored = [(h.field, h.new, h.old) for h in group]
            if last.entity == "opportunity" and fields <= DEAL_COLUMNS:
                undo_deal_fields(self, last.entity_id, group)
            elif last.entity == "opportunity":
                self._undo_move(last.entity_id, group)
            elif any("." in h.field for h in group):  # checklist answers: "need.answer"
                self._undo_answers(last.entity_id, group)
            else:
                self._undo_lead_fields(last.entity_id, group)
        model = Opportunity if last.entity == "opportunity" else Lead
        named = model.get_or_none(model.id == last.entity_id)
        # The companies an edit of the company field names by id, for the summary.
        ids = [int(x) for f, *values in restored if f == "company" for x in values if x]
        companies = (
            dict(Company.select(Company.id, Company.name).where(Company.id.in_(ids)).tuples())
            if ids
            else {}
        )
        return Undone(
            last.entity,
            last.entity_id,
            last.action,
            last.at,
            restored,
            named.name if named else "",
            self.config,
            companies,
        )

    def _undo_lead_fields(self, lead_id: int, group: list[History]) -> None:
        now = self.now()
        lead = self._lead_for_update(lead_id)
        values: dict[str, Any] = {}
        changes = []
        for entry in group:
            column = _column(entry.field)
            values[column] = Lead._meta.combined[column].python_value(entry.old)
            changes.append((entry.field, _plain(getattr(lead, column)), entry.old))
        # What the columns restored imply, as capture and update_lead write it.
        if "name" in values:
            values["name_key"] = v.normalise_key(values["name"] or "")
            values["name_fold"] = stored_fold(values["name_key"])
        if "email_norm" in values:
            values["email_key"] = email_key(values["email_norm"])
        if "phone_e164" in values:
            e164 = values["phone_e164"]
            values["phone_display"] = (
                v.check_phone(e164).details.get("international", e164) if e164 else ""
            )
        if "company_id" in values:
            company = Company.get_or_none(Company.id == values["company_id"])
            values["company_key"] = company.name_key if company else ""
            values["company_fold"] = stored_fold(values["company_key"])
        self._bump(Lead, lead, {**values, "updated_at": now})
        self._history("lead", lead_id, "undo", changes, now, lead.version)
        if {"company_id", "country"} & set(values):
            self.rescore(lead_id)

    def _undo_answers(self, lead_id: int, group: list[History]) -> None:
        items: dict[str, dict[str, str]] = defaultdict(dict)
        for entry in group:
            item, _, part = entry.field.rpartition(".")
            if item:
                items[item][part] = entry.old or ""
        for item, parts in items.items():
            row = Qualification.get_or_none(
                (Qualification.lead == lead_id) & (Qualification.item == item)
            )
            current = {
                "answer": row.answer if row else ANSWER_UNKNOWN,
                "evidence": row.evidence if row else "",
                "value": row.value if row else "",
            }
            wanted = {**current, **parts}
            self.answer(
                lead_id,
                item,
                wanted["answer"] or ANSWER_UNKNOWN,
                wanted["evidence"],
                wanted["value"],
                action="undo",
            )

    def _undo_move(self, opp_id: int, group: list[History]) -> None:
        old = {h.field: h.old for h in group}
        opp = self._opp_for_update(opp_id, None)
        old_state = old.get("state", opp.state)
        if opp.state != OPP_OPEN and old_state == OPP_OPEN:
            self.reopen(opp_id)  # back to the stage it was closed from
            if old.get("stage") and self.get_opportunity(opp_id).stage != old["stage"]:
                self.move(opp_id, old["stage"])
        elif old_state == OPP_WON:
            self.win(opp_id)
        elif old_state == OPP_LOST:
            self.lose(opp_id, old.get("lost_reason") or opp.lost_reason or "other")
        else:
            self._change_stage(opp, old["stage"], {}, action="undo")

    # ---------------------------------------------------------------- activities

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
    ) -> Activity:
        """Log an interaction; the first two-way one moves a *new* lead to *working*.

        A two-way interaction also adds to the lead's stored engagement key (derived
        data, like the score: no version bump, no history)."""
        problems = []
        kind = kind.strip().lower().replace(" ", "_").replace("-", "_")
        if kind not in ACTIVITY_KINDS:
            problems.append(
                Problem("type", "invalid", f"{kind!r} is not one of {', '.join(ACTIVITY_KINDS)}")
            )
        direction = "" if kind == "note" else direction.strip().lower()
        if kind != "note" and direction not in DIRECTIONS:
            problems.append(
                Problem("direction", "invalid", f"{direction!r} must be outbound or inbound")
            )
        checks = [
            v.check_text("outcome", "_".join(outcome.lower().split())),
            v.check_text("note", note),
            v.check_text("next_action", next_action),
        ]
        problems += [c.problem for c in checks if not c.ok]
        if next_action.strip() and next_due is None:
            problems.append(Problem("due", "required", "a next action needs a due date"))
        if next_due is not None and next_due < self.today():
            problems.append(
                Problem(
                    "due", "past", f"{next_due:%a} {next_due} is in the past; pick today or later"
                )
            )
        if (lead_id is None) == (opportunity_id is None):
            problems.append(
                Problem("record", "required", "log against exactly one lead or opportunity")
            )
        if problems:
            raise Refused(problems)
        outcome_text, note_text, action_text = (c.value for c in checks)
        now = self.now()
        when = occurred_at or now
        with database.atomic():
            if opportunity_id is not None:
                opp = self._opp_for_update(opportunity_id, None)
                lead = _row_for_update(Lead, opp.lead_id)
            else:
                lead = self._lead_for_update(lead_id)
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
                updates.update(next_action=action_text, next_action_due=next_due)
            if updates:
                Lead.update(**updates).where(Lead.id == lead.id).execute()
            if opportunity_id is not None:
                self._note_on_opportunity(opp, when, action_text, next_due, settles)
        return activity

    @staticmethod
    def _note_on_opportunity(
        opp: Opportunity,
        when: dt.datetime,
        action: str,
        due: dt.date | None,
        settles: bool = True,
    ) -> None:
        """Copy the latest activity time and the open next action onto the deal's row,
        which the board reads (derived data: no version bump, no history)."""
        updates: dict[str, Any] = {}
        if opp.last_activity_at is None or when > opp.last_activity_at:
            updates["last_activity_at"] = when
        if settles:
            updates.update(next_action=action, next_action_due=due)
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
        is Monday); a record with nothing scheduled gets "Follow up" then.
        Returns the new due date; history records the move."""
        if (lead_id is None) == (opportunity_id is None):
            raise Refused([Problem("record", "required", "snooze exactly one lead or deal")])
        if not 1 <= days <= 366:
            raise Refused([Problem("days", "invalid", "snooze by 1 to 366 days")])
        now, today = self.now(), self.today()
        with database.atomic():
            if opportunity_id is not None:
                record: Lead | Opportunity = self._opp_for_update(opportunity_id, None)
                entity = "opportunity"
            else:
                record, entity = self._lead_for_update(lead_id), "lead"
            old_due = record.next_action_due
            new_due = next_working_day(
                max(old_due or today, today) + dt.timedelta(days=days), self.config.working_days
            )
            action = record.next_action or "Follow up"
            type(record).update(next_action=action, next_action_due=new_due).where(
                type(record).id == record.id
            ).execute()
            changes = [("next_action_due", old_due, new_due)]
            if action != record.next_action:
                changes.append(("next_action", record.next_action, action))
            self._history(entity, record.id, "snooze", changes, now)
        return new_due

    def _set_next_action(
        self, lead: Lead, action: str, due: dt.date | None, now: dt.datetime
    ) -> None:
        """Give a lead's own record a next action (derived: no version bump)."""
        if (lead.next_action, lead.next_action_due) == (action, due):
            return
        Lead.update(next_action=action, next_action_due=due).where(Lead.id == lead.id).execute()
        self._history(
            "lead",
            lead.id,
            "next",
            [
                ("next_action_due", lead.next_action_due, due),
                ("next_action", lead.next_action, action),
            ],
            now,
        )
        lead.next_action, lead.next_action_due = action, due

    # ------------------------------------------------------------------- reading

    def get_lead(self, lead_id: int) -> Lead:
        lead = Lead.get_or_none(Lead.id == lead_id)
        if lead is None:
            raise NotFound("lead", lead_id)
        return lead

    def get_opportunity(self, opp_id: int) -> Opportunity:
        opp = Opportunity.get_or_none(Opportunity.id == opp_id)
        if opp is None:
            raise NotFound("opportunity", opp_id)
        return opp

    def engagement(self, lead_id: int, now: dt.datetime | None = None) -> Engagement:
        """The lead's engagement at `now` (default: this moment, UTC), computed afresh
        from its two-way interactions, those logged on its opportunities included."""
        self.get_lead(lead_id)
        rows = (
            Activity.select(Activity.occurred_at)
            .where((Activity.lead == lead_id) & _two_way_sql())
            .tuples()
        )
        times = [row[0] for row in rows]
        half_life = self.config.engagement_half_life_days
        value = engagement_now(engagement_key(times, half_life), now or self.now(), half_life)
        return Engagement(value, engagement_level(value), len(times), max(times, default=None))

    def engagement_levels(self, keys: Iterable[float | None]) -> list[int | None]:
        """Stored engagement keys (lead.engagement_key, as the list's pages carry them)
        as levels 0–100 now; None for a lead never reached two-way."""
        now, half_life = self.now(), self.config.engagement_half_life_days
        return [level_of_key(key, now, half_life) for key in keys]


def is_two_way(kind: str, direction: str, outcome: str) -> bool:
    """Whether an interaction reached the person: they talked, met or answered."""
    if kind == "note":
        return False
    return kind in ALWAYS_TWO_WAY_KINDS or direction == "inbound" or outcome in TWO_WAY_OUTCOMES


def _two_way_sql() -> peewee.Expression:
    """is_two_way as a condition on stored activities (which hold the kind, direction
    and outcome as log_activity cleaned them)."""
    return (Activity.kind != "note") & (
        Activity.kind.in_(sorted(ALWAYS_TWO_WAY_KINDS))
        | (Activity.direction == "inbound")
        | Activity.outcome.in_(sorted(TWO_WAY_OUTCOMES))
    )


# ------------------------------------------------------------------ engagement
#
# Each two-way interaction at time t_i (in days) adds 1 point that halves every
# half-life h, so at time t a lead's engagement is E(t) = sum_i 2^(-(t - t_i) / h).
# Stored is the key K = log2(sum_i 2^(t_i / h)), with t in days since
# ENGAGEMENT_EPOCH; then E(t) = 2^(K - t / h). K does not change with time, and at
# any common moment t, E is increasing in K: the list sorts by E through an index
# on K. An interaction adds to K as logaddexp in base 2; no interaction is NULL
# (E = 0). Changing h changes every K: sync_engagement recomputes them.


def engagement_time(when: dt.datetime, half_life: float) -> float:
    """`when` as half-lives since ENGAGEMENT_EPOCH: t / h in the formulas above."""
    return (when - ENGAGEMENT_EPOCH).total_seconds() / (86400.0 * half_life)


def add_engagement(key: float | None, exponent: float) -> float:
    """log2(2^key + 2^exponent) without overflow: the key after one more
    interaction at `exponent` (engagement_time); None as `key` is no interaction."""
    if key is None:
        return exponent
    high, low = (key, exponent) if key >= exponent else (exponent, key)
    return high + math.log1p(2.0 ** (low - high)) / math.log(2.0)


def engagement_key(times: Iterable[dt.datetime], half_life: float) -> float | None:
    """The engagement key of two-way interactions at `times`; None for none."""
    exponents = [engagement_time(t, half_life) for t in times]
    if not exponents:
        return None
    top = max(exponents)
    return top + math.log2(math.fsum(2.0 ** (x - top) for x in exponents))


def key_of_seconds(seconds: Sequence[float], half_life: float) -> float:
    """engagement_key of two-way interactions given as seconds since ENGAGEMENT_EPOCH
    (at least one), for the bulk paths that hold numbers rather than datetimes
    (recompute_engagement, the demo): the same key to within rounding, and the same
    bits whichever of them computes it."""
    per_half_life = 86400.0 * half_life  # seconds, as engagement_time divides them
    top = max(seconds)
    return top / per_half_life + math.log2(
        math.fsum(2.0 ** ((s - top) / per_half_life) for s in seconds)
    )


def engagement_now(key: float | None, now: dt.datetime, half_life: float) -> float:
    """E at `now` from a stored key (lead.engagement_key): 0.0 for None."""
    if key is None:
        return 0.0
    # Capped so that keys of interactions dated far in the future cannot overflow.
    return 2.0 ** min(key - engagement_time(now, half_life), 1000.0)


def engagement_level(value: float) -> int:
    """E on a 0–100 scale for display: 100 * (1 - 2^-E), rounded.

    Monotone in E and bounded without a configured maximum: one interaction just now
    shows 50, two 75, three 88; a single one falls to 25 after about 1.2 half-lives
    and to 0 after about seven (E < 0.005), so a lead nobody has reached in months
    reads 0 whatever it had before.
    """
    return round(100 * (1.0 - 2.0**-value))


def level_of_key(key: float | None, now: dt.datetime, half_life: float) -> int | None:
    """A stored engagement key as the 0–100 level at `now`; None: never reached two-way
    (which a list shows apart from a level that has faded to 0)."""
    return None if key is None else engagement_level(engagement_now(key, now, half_life))


def engagement_fingerprint(config: Config) -> str:
    """What the stored engagement keys depend on in the config: the half-life (and the
    formula's epoch, should it ever change)."""
    return f"{ENGAGEMENT_EPOCH.date().isoformat()}/{config.engagement_half_life_days!r}"


def sync_engagement(config: Config) -> int:
    """Recompute every lead's engagement key when the stored ones were computed with
    another half-life than `config`'s (or are unknown: a database migrated from schema
    5 or older); returns how many keys changed. A no-op costs one read of funnel_meta.

    As with scores (sync_scores): one team, one half-life.
    """
    return _sync_derived(
        ENGAGEMENT_META_KEY,
        engagement_fingerprint(config),
        lambda: recompute_engagement(config.engagement_half_life_days),
    )


def _sync_derived(meta_key: str, wanted: str, recompute: Callable[[], int]) -> int:
    """Run `recompute` (returning how many rows changed) unless the fingerprint stored
    under `meta_key` is `wanted`; then store it. Checked again inside the transaction,
    as another instance opening the database at once may just have done it."""
    if get_meta(meta_key) == wanted:
        return 0
    with database.atomic():
        if get_meta(meta_key) == wanted:
            return 0
        changed = recompute()
        set_meta(meta_key, wanted)
    return changed


def recompute_engagement(half_life: float) -> int:
    """Recompute every lead's engagement key from its two-way activities; returns how
    many changed. Two reads (the two-way activities' times, the stored keys) and
    batched writes of the keys that moved: 100,000 leads take about a second."""
    db = database.obj
    sql, params = (
        Activity.select(Activity.lead, Activity.occurred_at)
        .where(Activity.lead.is_null(False) & _two_way_sql())
        .sql()
    )
    seconds: dict[int, list[float]] = defaultdict(list)
    epoch = ENGAGEMENT_EPOCH
    parse = dt.datetime.fromisoformat
    for lead_id, at in db.execute_sql(sql, params):
        # SQLite returns text, PostgreSQL datetimes; both naive UTC.
        when = parse(at) if isinstance(at, str) else at
        seconds[lead_id].append((when - epoch).total_seconds())
    wanted = {lead_id: key_of_seconds(found, half_life) for lead_id, found in seconds.items()}
    moved: list[tuple[float | None, int]] = []
    for lead_id, stored in db.execute_sql('SELECT "id", "engagement_key" FROM "lead"'):
        key = wanted.get(lead_id)
        if key is None or stored is None:
            if key is not stored:
                moved.append((key, lead_id))
        elif not math.isclose(key, stored, rel_tol=0.0, abs_tol=1e-9):
            moved.append((key, lead_id))
    _write_engagement_keys(db, moved)
    return len(moved)


def _write_engagement_keys(db: peewee.Database, rows: list[tuple[float | None, int]]) -> None:
    """Write (key, lead id) pairs. PostgreSQL gets one UPDATE joined to the list of
    them (executemany would make a round trip per row, and a join per batch would
    scan the lead table once per batch); SQLite an UPDATE by id per row."""
    if isinstance(db, peewee.PostgresqlDatabase):
        from psycopg2.extras import execute_values

        if rows:
            execute_values(
                db.cursor(),
                'UPDATE "lead" SET "engagement_key" = v.k FROM (VALUES %s) AS v (k, id) '
                'WHERE "lead"."id" = v.id',
                rows,
                template="(%s::double precision, %s)",
                page_size=len(rows),
            )
        return
    cursor = db.cursor()
    for start in range(0, len(rows), 5000):
        cursor.executemany(
            'UPDATE "lead" SET "engagement_key" = ? WHERE "id" = ?', rows[start : start + 5000]
        )


def _engagement_key_for_update(lead_id: int) -> float | None:
    """The lead's stored engagement key, the row locked until the transaction ends
    where the engine can (PostgreSQL), so two interactions logged at once both count.
    SQLite's transactions (BEGIN IMMEDIATE) already run one at a time."""
    query = Lead.select(Lead.engagement_key).where(Lead.id == lead_id)
    if database.obj.for_update:
        query = query.for_update()
    row = query.tuples().first()
    return row[0] if row else None


_UNSET: Any = object()


@dataclass(frozen=True)
class Undone:
    """What undo_last took back: the record, the change, and (field, from, to back)."""

    entity: str
    entity_id: int
    action: str
    at: dt.datetime
    fields: list[tuple[str, str | None, str | None]]
    name: str = ""  # the lead's or deal's name, as it is after the undo
    config: Config | None = None  # for the checklist's labels
    companies: Mapping[int, str] | None = None  # names of the companies `fields` name

    def summary(self) -> str:
        """`Undone: your change of status on lead #7 Anna Dup: back to new.`"""
        return words.undo_summary(
            self.entity,
            self.entity_id,
            self.action,
            self.fields,
            self.name,
            self.config,
            self.companies,
        )


# Changes the rules make as a consequence of a user's change (a won deal's lead becomes
# a customer; the first call moves a lead to working): undo takes back the change itself.
SIDE_EFFECT_ACTIONS = ("won", "reopen", "auto", "next")
UNDOABLE = frozenset(
    {
        ("lead", "update"),
        ("lead", "status"),
        ("lead", "qualify"),
        ("lead", "undo"),
        ("opportunity", "move"),
        ("opportunity", "update"),
        ("opportunity", "undo"),
    }
)
NOT_UNDONE = {
    "create": "a record once made is kept; change its fields or its status instead",
    "promote": "a promotion is taken back by the status, not undone",
    "convert": "the deal it made is kept; mark it lost instead",
    "duplicate_saved": "a record once made is kept",
    "import": "an imported lead is kept; change its fields or its status instead",
    "snooze": "snooze again, or log what was done",
}

# The history fields that place a deal on the board: a move or a close made on a stale
# card clashes with another change to one of them.
DEAL_POSITION = frozenset({"stage", "state", "closed_at", "lost_reason"})


def _row_for_update(model: type[peewee.Model], row_id: int) -> Any:
    """The row, locked until the transaction ends where the engine can (PostgreSQL), so
    its version cannot move between the check and the write. SQLite's transactions
    (BEGIN IMMEDIATE) already run one at a time."""
    query = model.select().where(model.id == row_id)
    if database.obj.for_update:
        query = query.for_update()
    return query.first()


class _LeadFacts(NamedTuple):
    """What scoring reads of a lead, for leads not loaded as models."""

    country: str
    company: CompanyFacts | None

    @property
    def company_id(self) -> int | None:
        return self.company.id if self.company else None


class _Answer(NamedTuple):
    answer: str
    value: str
    evidence: str


def compute_score(
    config: Config,
    lead: Any,
    answers: Mapping[str, Any],
    *,
    company: Any = _UNSET,
) -> Score:
    """Score a lead from its checklist answers and, for ICP items, its company data.

    `lead` needs `country` and `company_id`; `answers` map items to rows with `answer`,
    `value` and `evidence`; `company` (with `industry`, `employees` and `country`) is
    read from the lead when not given.
    """
    items: list[ScoreItem] = []
    for key in BANT_ITEMS:
        row = answers.get(key)
        answer = row.answer if row else ANSWER_UNKNOWN
        weight = config.bant_weights.get(key, 0)
        items.append(
            ScoreItem(
                key,
                BANT_LABELS[key],
                answer,
                weight if answer == ANSWER_YES else 0,
                weight,
                "checklist",
                row.evidence if row else "",
            )
        )
    if company is _UNSET:
        company = lead.company if lead.company_id else None
    for criterion in config.icp:
        key = f"icp:{criterion.key}"
        known = company_fact(criterion.key, lead, company)
        row = answers.get(key)
        if known not in (None, ""):
            answer, source = _meets(criterion, known), "company data"
        elif row and row.value:
            answer, source = _meets(criterion, row.value), "checklist"
        else:
            answer, source = (row.answer if row else ANSWER_UNKNOWN), "checklist"
        items.append(
            ScoreItem(
                key,
                criterion.label,
                answer,
                criterion.weight if answer == ANSWER_YES else 0,
                criterion.weight,
                source,
                row.evidence if row else "",
            )
        )
    earned = sum(i.points for i in items)
    total = round(100 * earned / config.total_weight)
    return Score(total, tuple(items))


def company_fact(key: str, lead: Any, company: Any) -> Any:
    """What the lead's company data says for ICP criterion `key` (None or "": unknown)."""
    if key == "region":
        return lead.country or (company.country if company else "")
    if company is None:
        return None
    return {"industry": company.industry, "employees": company.employees}.get(key)


def _meets(criterion, value: Any) -> str:
    if criterion.kind == "in":
        wanted = {x.casefold() for x in criterion.values}
        return ANSWER_YES if str(value).strip().casefold() in wanted else ANSWER_NO
    try:
        number = float(str(value).replace(",", "").replace("_", "").strip())
    except ValueError:
        return ANSWER_UNKNOWN
    return ANSWER_YES if number >= criterion.value else ANSWER_NO


# Public for the demo, which reads the ICP values it makes up as scoring reads them.
meets = _meets


def score_fingerprint(config: Config) -> str:
    """A digest of everything in the config that scores read: equal fingerprints, equal
    scores."""
    data = {
        "bant": sorted(config.bant_weights.items()),
        "icp": sorted(
            (c.key, c.kind, c.weight, sorted(x.casefold() for x in c.values), c.value)
            for c in config.icp
        ),
    }
    return hashlib.sha256(_json(data).encode()).hexdigest()[:20]


def sync_scores(config: Config) -> int:
    """Rescore every lead when the stored scores were computed under other weights or
    criteria than `config`'s (or are unknown: a database migrated from schema 2); returns
    how many scores changed. A no-op costs one read of funnel_meta.

    Several instances with different scoring configs on one database would rescore it
    in turn each time they open it: one team, one scoring config.
    """
    return _sync_derived(SCORE_META_KEY, score_fingerprint(config), lambda: rescore_all(config))


def rescore_all(config: Config) -> int:
    """Recompute every lead's stored score; returns how many changed.

    Reads leads, companies and answers in three queries and writes only the scores that
    moved, grouped by value (at most 101 distinct), so 100,000 leads take seconds, not
    100,000 statements.
    """
    companies = {
        row[0]: CompanyFacts(*row)
        for row in Company.select(
            Company.id, Company.industry, Company.employees, Company.country
        ).tuples()
    }
    answers: dict[int, dict[str, _Answer]] = defaultdict(dict)
    query = Qualification.select(
        Qualification.lead,
        Qualification.item,
        Qualification.answer,
        Qualification.value,
        Qualification.evidence,
    )
    for lead_id, item, answer, value, evidence in query.tuples().iterator():
        answers[lead_id][item] = _Answer(answer, value, evidence)
    moved: dict[int, list[int]] = defaultdict(list)
    leads = Lead.select(Lead.id, Lead.country, Lead.company, Lead.score).tuples().iterator()
    for lead_id, country, company_id, stored in leads:
        company = companies.get(company_id) if company_id else None
        total = compute_score(
            config, _LeadFacts(country, company), answers.get(lead_id, {}), company=company
        ).total
        if total != stored:
            moved[total].append(lead_id)
    for total, ids in moved.items():
        for start in range(0, len(ids), 500):
            Lead.update(score=total).where(Lead.id.in_(ids[start : start + 500])).execute()
    return sum(len(ids) for ids in moved.values())


# Columns derived from others: not changes a person made, so not in the history.
_DERIVED = frozenset(
    {"name_key", "company_key", "phone_display", "email_key", "name_fold", "company_fold"}
)


def _first_by(column: str, values: set[str]) -> dict[str, tuple[int, str]]:
    """The oldest lead with each of `values` in `column`: (id, name) by value."""
    found: dict[str, tuple[int, str]] = {}
    param = database.obj.param
    for chunk in _chunks(sorted(values)):
        marks = ", ".join([param] * len(chunk))
        sql = (
            f'SELECT "{column}", "id", "name" FROM "lead" WHERE "{column}" IN ({marks}) '
            'ORDER BY "id"'
        )
        for value, lead_id, name in database.execute_sql(sql, chunk):
            found.setdefault(value, (lead_id, name))
    return found


def _first_by_name(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """The oldest lead with each (name_key, company_key): (id, name) by pair."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    param = database.obj.param
    cursor = database.obj.cursor()
    # The pairs joined as a table of values: the database looks each up through an
    # index, in one statement for many. (A row-value IN of the pairs makes SQLite read
    # the whole lead table.)
    for chunk in _chunks(sorted(pairs), 200):
        rows = ", ".join([f"({param}, {param})"] * len(chunk))
        sql = (
            f'WITH wanted ("name_key", "company_key") AS (VALUES {rows}) '
            'SELECT l."name_key", l."company_key", l."id", l."name" FROM wanted w '
            'JOIN "lead" l ON l."name_key" = w."name_key" AND l."company_key" = w."company_key"'
        )
        cursor.execute(sql, [value for pair in chunk for value in pair])
        for name_key, company_key, lead_id, name in cursor.fetchall():
            known = found.get((name_key, company_key))
            if known is None or lead_id < known[0]:
                found[name_key, company_key] = (lead_id, name)
    return found


def _chunks(values: list[Any], size: int = 400) -> Iterator[list[Any]]:
    """Values in lists short enough for one IN (...) on every engine and SQLite build."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _column(name: str) -> str:
    return "company_id" if name == "company" else name


def _plain(value: Any) -> Any:
    """A value as history stores it: dates as ISO text, None kept."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _lead_snapshot(clean: Mapping[str, Any], company: str) -> dict[str, Any]:
    hidden = ("name_key", "phone_display", "email_key", "name_fold", "company_fold")
    shown = {k: val for k, val in clean.items() if k not in hidden and val not in ("", None)}
    if company:
        shown["company"] = company
    return shown
