"""Leads inserted in batches: prepared raw SQL, companies by key, duplicates many at once.

Capture inserts one lead through the same path as the import's batches, so a lead is
stored one way; the history rows go in with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from funnel_tui.core.folding import email_key, stored_fold
from funnel_tui.core.vocab import LEVEL_LEAD, STATUS_NEW
from funnel_tui.rules.scoring import CompanyFacts, _LeadFacts, compute_score
from funnel_tui.rules.session import Session, _json
from funnel_tui.storage.bulk import companies_by_name_key, first_by, first_by_name
from funnel_tui.storage.models import Company, History, Lead, database
from funnel_tui.storage.statements import insert_rows, insert_sql, inserted_id, stored_time
from funnel_tui.storage.summaries import new_leads_in_bulk

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
    "next_action_at": None,
    "version": 1,
    "company_key": "",
    "score": 0,
    "engagement_key": None,
    "merged_into": None,
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


class BulkLeadRules(Session):
    """Leads and companies inserted, and duplicates found, many at once."""

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
        by_email = first_by("email_key", emails)
        by_phone = first_by("phone_e164", phones)
        by_name = first_by_name(pairs)
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
        for key, *facts in companies_by_name_key(keys):
            out.setdefault(key, CompanyFacts(*facts))
        return out

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
        history_sql = insert_sql(History, _HISTORY_COLUMNS)
        cursor = database.obj.cursor()
        made, history, written = [], [], []
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
            written.append(values)
        stored = [[values[name] for name in _LEAD_COLUMNS] for values in written]
        # On SQLite the summaries count a batch's leads in a few statements at its end.
        with new_leads_in_bulk(database.obj, len(stored)) as inserted:
            ids = insert_rows(Lead, _LEAD_COLUMNS, stored)
            inserted.extend(ids)
        for row, values, lead_id in zip(rows, written, ids, strict=True):
            snapshot = {**_lead_snapshot(row.clean, row.company_name), **(row.origin or {})}
            history.append(
                (stored_now, user_id, "lead", lead_id, action, "", None, _json(snapshot), 1)
            )
            made.append((lead_id, {**values, "created_at": now, "updated_at": now}))
        cursor.executemany(history_sql, history)
        return made

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


def _lead_snapshot(clean: Mapping[str, Any], company: str) -> dict[str, Any]:
    hidden = ("name_key", "phone_display", "email_key", "name_fold", "company_fold")
    shown = {k: val for k, val in clean.items() if k not in hidden and val not in ("", None)}
    if company:
        shown["company"] = company
    return shown
