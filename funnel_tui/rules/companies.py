"""A company's own fields (name, industry, employees, country, website): checked, saved
with the version check and field-level merge of a lead's edit, recorded in History as
entity "company", and taken back by undo (undo_company_fields)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from funnel_tui.core import validators as v
from funnel_tui.core.errors import NotFound, Problem, Refused
from funnel_tui.core.folding import stored_fold
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _
from funnel_tui.rules.qualify import QualifyRules
from funnel_tui.rules.session import _plain, _row_for_update
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Company, History, Lead, database

COMPANY_FIELDS = ("name", "industry", "employees", "country", "website")
# What a company's leads are scored by (rules.scoring.CompanyFacts): a change to one of
# them rescores the company's leads.
_SCORED = frozenset({"industry", "employees", "country"})
MAX_EMPLOYEES = 10_000_000  # more than the largest employer on Earth: a typo


def check_company(data: Mapping[str, Any]) -> dict[str, Any]:
    """The columns to store for the fields present in `data` (None: not given), or
    Refused naming every field that is wrong and what to type instead."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    def take(check: v.Check) -> Any:
        if not check.ok:
            problems.append(check.problem)
        return check.value

    given = {k: data[k] for k in COMPANY_FIELDS if data.get(k) is not None}
    if "name" in given:
        check = v.check_name(given["name"])
        if not check.ok and check.code == "required":
            check = v.Check("name", False, "required", _("a company needs a name; type one"))
        out["name"] = take(check)
    if "industry" in given:
        out["industry"] = take(v.check_text("industry", given["industry"]))
    if "country" in given:
        out["country"] = take(v.check_country(given["country"]))
    if "website" in given:
        out["website"] = take(_check_website(given["website"]))
    if "employees" in given:
        employees = _check_employees(given["employees"])
        if employees.ok:
            out["employees"] = int(employees.value) if employees.value else None
        else:
            problems.append(employees.problem)
    if problems:
        raise Refused(problems)
    return out


def _check_employees(value: object) -> v.Check:
    text = v.clean_text(value).replace(",", "").replace("_", "").replace(" ", "")
    if not text:
        return v.Check("employees", True, "empty", "", "")
    if not text.isascii() or not text.isdigit():
        return v.Check(
            "employees",
            False,
            "not_a_number",
            _(
                "{text!r} is not a number of people; type a whole number "
                "such as {example}, or nothing when not known"
            ).format(text=v.clean_text(value), example=number(250)),
        )
    if int(text) > MAX_EMPLOYEES:
        return v.Check(
            "employees",
            False,
            "too_large",
            _("{count} is more people than any company employs; type at most {most}").format(
                count=number(int(text)), most=number(MAX_EMPLOYEES)
            ),
        )
    return v.Check("employees", True, "ok", "", str(int(text)))


def _check_website(value: object) -> v.Check:
    check = v.check_text("website", value)
    text = check.value
    if not check.ok or not text:
        return check
    if any(ch.isspace() for ch in text) or "." not in text:
        return v.Check(
            "website",
            False,
            "invalid",
            _("{text!r} is not a web address; type one such as example.com").format(text=text),
        )
    return check


class CompanyRules(QualifyRules):
    """Editing a company's fields."""

    def get_company(self, company_id: int) -> Company:
        company = Company.get_or_none(Company.id == company_id)
        if company is None:
            raise NotFound("company", company_id)
        return company

    @retry_writes
    def update_company(
        self, company_id: int, data: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Company:
        """Change some fields of a company (name, industry, employees, country,
        website); history records each changed field.

        With `expected_version`, an edit made on a copy read at that version is saved
        over the changes made since only when none of them is to a field this edit
        changes; otherwise it is refused with what the others changed (StaleEdit), as
        update_lead. A name another company already has is refused (merge the two
        instead); a merged company is not edited (its survivor is).
        """
        clean = check_company(data)
        now = self.now()
        with database.atomic():
            company = _row_for_update(Company, company_id)
            if company is None:
                raise NotFound("company", company_id)
            if company.merged_into_id is not None:
                raise Refused(
                    [
                        Problem(
                            "id",
                            "merged",
                            _(
                                "company #{id} was merged into company #{into}; "
                                "edit that one instead"
                            ).format(id=company_id, into=company.merged_into_id),
                        )
                    ]
                )
            self._check_version("company", company, expected_version, set(clean), clean)
            changes = [
                (name, _plain(getattr(company, name)), _plain(new))
                for name, new in clean.items()
                if _plain(getattr(company, name)) != _plain(new)
            ]
            if not changes:
                return company
            values: dict[str, Any] = {**clean, "updated_at": now}
            if "name" in clean:
                key = v.normalise_key(clean["name"])
                if key != company.name_key:
                    _refuse_taken_name(company_id, key, clean["name"])
                values["name_key"] = key
            self._bump(Company, company, values)
            self._history("company", company_id, "update", changes, now, company.version)
            self._company_changed(company_id, {name for name, _old, _new in changes})
        return Company.get_by_id(company_id)

    def _company_changed(self, company_id: int, fields: set[str]) -> None:
        """Bring what the company's leads derive from it up to date: their folded
        company (search; the database's trigger copies the key and clears the fold) and
        their scores."""
        if "name" in fields:
            key = Company.get_by_id(company_id).name_key
            fold = stored_fold(key)
            if fold:
                Lead.update(company_fold=fold).where(Lead.company == company_id).execute()
        if fields & _SCORED:
            for (lead_id,) in Lead.select(Lead.id).where(Lead.company == company_id).tuples():
                self.rescore(lead_id)


def _refuse_taken_name(company_id: int, key: str, name: str) -> None:
    other = (
        Company.select(Company.id)
        .where(
            (Company.name_key == key) & (Company.id != company_id) & Company.merged_into.is_null()
        )
        .first()
    )
    if other is not None:
        raise Refused(
            [
                Problem(
                    "name",
                    "taken",
                    _(
                        "company #{id} is already called {name!r}; "
                        "choose another name, or merge the two companies"
                    ).format(id=other.id, name=name),
                )
            ]
        )


def undo_company_fields(
    rules: CompanyRules,
    company_id: int,
    group: list[History],
    action: str = "undo",
    at: dt.datetime | None = None,
) -> None:
    """Put back the fields one company edit changed (rules.undo), as a change of its own
    in the history; the caller checked that nobody changed them since."""
    now = at or rules.now()
    company = _row_for_update(Company, company_id)
    if company is None:
        raise NotFound("company", company_id)
    values: dict[str, Any] = {}
    changes = []
    for entry in group:
        column = Company._meta.combined[entry.field]
        values[entry.field] = column.python_value(entry.old)
        changes.append((entry.field, _plain(getattr(company, entry.field)), entry.old))
    if "name" in values:
        values["name_key"] = v.normalise_key(values["name"] or "")
    if "employees" in values and values["employees"] is not None:
        values["employees"] = int(values["employees"])
    rules._bump(Company, company, {**values, "updated_at": now})
    rules._history("company", company_id, action, changes, now, company.version)
    rules._company_changed(company_id, set(values))
