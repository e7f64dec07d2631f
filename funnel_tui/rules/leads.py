"""A lead before the gate: checking what was typed, capture, duplicates, edits and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import peewee

from funnel_tui.core import validators as v
from funnel_tui.core.errors import DuplicateFound, Problem, Refused
from funnel_tui.core.folding import email_key, stored_fold
from funnel_tui.core.formats import date_short
from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import (
    LEAD_FIELDS,
    LEAD_STATUSES,
    NURTURE_ACTION,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
)
from funnel_tui.rules.bulk_leads import BulkLeadRules, NewLead
from funnel_tui.rules.near_duplicates import NearDuplicate, close_names
from funnel_tui.rules.qualify import QualifyRules
from funnel_tui.rules.scoring import CompanyFacts
from funnel_tui.rules.session import _column, _plain
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Company, Lead, database
from funnel_tui.storage.statements import prepared

# Columns derived from others: not changes a person made, so not in the history.
_DERIVED = frozenset(
    {"name_key", "company_key", "phone_display", "email_key", "name_fold", "company_fold"}
)


class LeadRules(QualifyRules, BulkLeadRules):
    """Capturing and editing leads."""

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
                Problem("contact", "required", _("a lead needs a phone number or an email address"))
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
                Lead.select(Lead.id, Lead.name, peewee.SQL("'email'"), Lead.merged_into)
                .where(Lead.email_key == p)
                .union_all(
                    Lead.select(Lead.id, Lead.name, peewee.SQL("'phone'"), Lead.merged_into).where(
                        Lead.phone_e164 == p
                    )
                )
                .union_all(
                    Lead.select(Lead.id, Lead.name, peewee.SQL("'name'"), Lead.merged_into)
                    .join(Company)
                    .where((Lead.name_key == p) & (Company.name_key == p))
                )
            ),
        )
        # An empty key matches nothing: NULL never equals anything in SQL.
        params = (email_key(email), phone_e164 or None, name_key or None, company_key or None)
        # A handful of matches is enough to warn; never read a long tail.
        rows = database.execute_sql(sql, params).fetchmany(15)
        # A lead merged into another stands for its survivor: typing the merged record's
        # number again finds the lead it now lives in.
        survivors = [row[3] for row in rows if row[3] is not None]
        names = (
            dict(Lead.select(Lead.id, Lead.name).where(Lead.id.in_(survivors)).tuples())
            if survivors
            else {}
        )
        found, seen = [], set()
        for lead_id, name, reason, merged_into in rows:
            if merged_into is not None:
                lead_id, name = merged_into, names.get(merged_into, name)
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
                        Problem(
                            reason,
                            "duplicate",
                            _("matches lead #{id} {name}").format(id=lead_id, name=name),
                        )
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

    def _company_for(
        self, name: str, key: str, country: str, now: dt.datetime
    ) -> CompanyFacts | None:
        """The company named `name` (by its key), created when new; None for no name."""
        if not name:
            return None
        return self._companies_for({key: (name, country)}, now)[key]

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
            if any(name in ("country", "company") for name, _old, _new in changes):
                # Region and company facts are ICP items of the score.
                self.rescore(lead_id)
        return Lead.get_by_id(lead_id)

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
        new = status_values(status, reason, until, self.today())
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
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


def status_values(
    status: str, reason: str, until: dt.date | None, today: dt.date
) -> dict[str, Any]:
    """The columns a status sets (status, unqualified_reason, nurture_until), or Refused
    naming each field: unqualified needs a reason, nurturing a date from `today` on. For
    one lead (set_status) and for many (bulk_actions.bulk_set_status)."""
    problems = []
    if status not in LEAD_STATUSES:
        problems.append(
            Problem(
                "status",
                "invalid",
                _("{status!r} is not one of {choices}").format(
                    status=status, choices=", ".join(LEAD_STATUSES)
                ),
            )
        )
    reason_check = v.check_text("reason", reason)
    if not reason_check.ok:
        problems.append(reason_check.problem)
    if status == STATUS_UNQUALIFIED and not reason_check.value:
        problems.append(Problem("reason", "required", _("say why the lead is unqualified")))
    if status == STATUS_NURTURING:
        if until is None:
            problems.append(Problem("until", "required", _("say when to touch the lead again")))
        elif until < today:
            past = _("{date} is in the past").format(date=date_short(until))
            problems.append(Problem("until", "past", past))
    if problems:
        raise Refused(problems)
    return {
        "status": status,
        "unqualified_reason": reason_check.value if status == STATUS_UNQUALIFIED else "",
        "nurture_until": until if status == STATUS_NURTURING else None,
    }
