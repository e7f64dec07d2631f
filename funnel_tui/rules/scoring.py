"""A lead's 0–100 score: compute_score (pure) and keeping stored scores in step with the config.

compute_score takes the config, the lead's facts and its answers and touches no database,
so the demo generator and the read side score a record by the one rule.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from funnel_tui.config import Config
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.vocab import ANSWER_NO, ANSWER_UNKNOWN, ANSWER_YES, BANT_ITEMS
from funnel_tui.rules import history_words as words
from funnel_tui.rules.session import _json
from funnel_tui.storage.models import Company, Lead, Qualification, database
from funnel_tui.storage.schema import get_meta, set_meta

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
        """Each item's answer and points, then the total, in the rep's language:
        `Budget: yes → 25/25`, `Region: no → 0/15 (company data)`, `score 60/100`."""
        lines = []
        for i in self.items:
            said = (
                _("{label}: {answer} → {points}/{max_points}")
                if i.source == "checklist"
                else _("{label}: {answer} → {points}/{max_points} (company data)")
            )
            lines.append(
                said.format(
                    label=item_label(i),
                    answer=vocab_label(i.answer),
                    points=i.points,
                    max_points=i.max_points,
                )
            )
        return [*lines, _("score {total}/100").format(total=self.total)]


def item_label(item: ScoreItem) -> str:
    """A checklist item's label as the rep reads it: a BANT item's in their language,
    an ICP criterion's as the team named it (translated while a shipped default)."""
    return _(item.label) if item.key in BANT_LABELS else shown_name(item.label)


SCORE_META_KEY = "score_config"


class CompanyFacts(NamedTuple):
    """What scoring reads of a company."""

    id: int
    industry: str
    employees: int | None
    country: str


_UNSET: Any = object()


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
