"""Merging two companies that are one: the survivor's fields, picked field by field as
for leads (rules.merge), and every lead and deal of the other moved to it. The other
company is kept, marked merged into the survivor, and no longer listed or offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from funnel_tui.core import validators as v
from funnel_tui.rules.merge import KEEP, OTHER, FieldChoice, Merged, MergePlan, MergeRules, _ids
from funnel_tui.rules.session import _plain
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Company, Lead, Opportunity, database

# The company fields a person picks between, and the columns behind each.
COMPANY_MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "name_key"),
    "industry": ("industry",),
    "employees": ("employees",),
    "country": ("country",),
    "website": ("website",),
}


class CompanyMergeRules(MergeRules):
    """Merging companies."""

    def plan_company_merge(self, keep_id: int, other_id: int) -> MergePlan:
        """What merging company `other_id` into `keep_id` would take and move."""
        keep, other = self._merge_pair(Company, "company", keep_id, other_id)
        fields = []
        for name in COMPANY_MERGE_FIELDS:
            mine, theirs = _shown(getattr(keep, name)), _shown(getattr(other, name))
            if mine != theirs:
                fields.append(FieldChoice(name, mine, theirs, OTHER if not mine else KEEP))
        live = Lead.merged_into.is_null()
        moves = {
            "people": Lead.select().where((Lead.company == other_id) & live).count(),
            "deals": Opportunity.select().where(Opportunity.company == other_id).count(),
        }
        return MergePlan(
            "company",
            keep_id,
            other_id,
            keep.name,
            other.name,
            keep.version,
            other.version,
            fields,
            [],
            moves,
        )

    @retry_writes
    def merge_companies(
        self,
        keep_id: int,
        other_id: int,
        take: Mapping[str, str] | None = None,
        *,
        keep_version: int | None = None,
        other_version: int | None = None,
    ) -> Merged:
        """Merge company `other_id` into `keep_id`: fields as chosen, its leads and
        deals moved (their scores follow the survivor's facts), the other kept merged.
        One transaction, in both companies' history; undone exactly by its merger."""
        now = self.now()
        with database.atomic():
            plan = self.plan_company_merge(keep_id, other_id)
            keep, other, _, taken, values = self._take_fields(
                Company, plan, take, (keep_version, other_version), COMPANY_MERGE_FIELDS
            )
            if "name" in values:
                values["name_key"] = v.normalise_key(values["name"])
            snapshot: dict[str, Any] = {
                "keep": {c: _plain(getattr(keep, c)) for c in values},
                "leads": _ids(Lead.select(Lead.id).where(Lead.company == other_id)),
                "deals": _ids(
                    Opportunity.select(Opportunity.id).where(Opportunity.company == other_id)
                ),
                "merged_before": _ids(
                    Company.select(Company.id).where(Company.merged_into == other_id)
                ),
            }
            Lead.update(company=keep_id).where(Lead.company == other_id).execute()
            Opportunity.update(company=keep_id).where(Opportunity.company == other_id).execute()
            Company.update(merged_into=keep_id).where(Company.merged_into == other_id).execute()
            self._record_merge(Company, keep, other, values, {}, snapshot, now)
            # Industry, size and country are ICP facts of each lead's score.
            for lead_id in snapshot["leads"]:
                self.rescore(lead_id)
        return Merged("company", keep_id, other_id, taken, plan.moves)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
