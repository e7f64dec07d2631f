"""What the checklist screen shows of one lead, read in one go: the explained score,
who answered each item and when, the gate's verdict and the deals it led to.

UI-free: the screen calls `load_checklist` in a worker and draws the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from funnel_tui.core.errors import Problem
from funnel_tui.core.formats import number
from funnel_tui.rules.engagement import Engagement
from funnel_tui.rules.funnel import Funnel
from funnel_tui.rules.scoring import Score, ScoreItem, company_fact, compute_score
from funnel_tui.storage.models import Company, Lead, Opportunity, Qualification, User


@dataclass(frozen=True)
class Answered:
    """Who last answered a checklist item, when, and with what figure."""

    by: str
    at: dt.datetime
    value: str


@dataclass(frozen=True)
class ChecklistState:
    lead: Lead
    company: str
    owner: str
    score: Score
    answered: dict[str, Answered]  # item key → last answer's author; absent: never answered
    gate: list[Problem]  # empty: the gate would promote the lead now
    opportunities: list[Opportunity]
    engagement: Engagement
    facts: dict[str, str]  # ICP item key → the company's data it was judged by

    def item(self, key: str) -> ScoreItem:
        return self.score.item(key)


def load_checklist(rules: Funnel, lead_id: int) -> ChecklistState | None:
    """The checklist of `lead_id`, None when there is no such lead."""
    # The lead with its company and owner in one query: this runs at every answer key.
    lead = (
        Lead.select(Lead, Company, User)
        .join(Company, JOIN.LEFT_OUTER)
        .switch(Lead)
        .join(User, on=Lead.owner == User.id)
        .where(Lead.id == lead_id)
        .get_or_none()
    )
    if lead is None:
        return None
    rows = _answer_rows(lead_id)
    opportunities = list(
        Opportunity.select().where(Opportunity.lead == lead_id).order_by(Opportunity.id)
    )
    company = lead.company if lead.company_id else None
    facts = {}
    for criterion in rules.config.icp:
        fact = company_fact(criterion.key, lead, company)
        if fact not in (None, ""):
            facts[f"icp:{criterion.key}"] = number(fact) if isinstance(fact, int) else str(fact)
    return _judged(
        rules,
        lead=lead,
        company=company.name if company else "",
        owner=lead.owner.login,
        rows=rows,
        opportunities=opportunities,
        engagement=rules.engagement(lead_id),
        facts=facts,
    )


def reload_answers(rules: Funnel, state: ChecklistState) -> ChecklistState:
    """`state` after its answers changed (and nothing else): the answers read again, the
    score and the gate judged again; the lead, its company, deals and engagement kept.
    A third of load_checklist's queries, at every answer key."""
    lead = state.lead
    return _judged(
        rules,
        lead=lead,
        company=state.company,
        owner=state.owner,
        rows=_answer_rows(lead.id),
        opportunities=state.opportunities,
        engagement=state.engagement,
        facts=state.facts,
    )


def _answer_rows(lead_id: int) -> list[Qualification]:
    return list(
        Qualification.select(Qualification, User.login)
        .join(User)
        .where(Qualification.lead == lead_id)
    )


def _judged(rules: Funnel, *, lead: Lead, rows: list[Qualification], **rest) -> ChecklistState:
    # The rows read here, not rules.score(), which would read them again. The company
    # was read with the lead (load_checklist's join).
    company = lead.company if lead.company_id else None
    score = compute_score(rules.config, lead, {r.item: r for r in rows}, company=company)
    return ChecklistState(
        lead=lead,
        score=score,
        answered={
            r.item: Answered(r.answered_by.login, r.answered_at, r.value or "") for r in rows
        },
        gate=rules.judge_gate(lead, score),
        **rest,
    )
