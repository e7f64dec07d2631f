"""The demo's checklist answers, and the scores and promotion checklists they give:
computed by the rules' compute_score, so the demo holds no copy of the scoring rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from funnel_tui.config import Config, IcpCriterion
from funnel_tui.core.vocab import ANSWER_NO, ANSWER_UNKNOWN, ANSWER_YES, BANT_ITEMS
from funnel_tui.demo import names as words
from funnel_tui.demo.draws import js, pick
from funnel_tui.demo.kinds import NURTURING, PROSPECT, UNQUALIFIED, WORKING
from funnel_tui.rules.scoring import CompanyFacts, Score, company_fact, compute_score, meets

# Share of leads of each kind with any checklist answers (qualified ones have all).
ANSWER_CHANCE = (0.1, 0.5, 0.4, 0.3, 1.0, 1.0, 1.0)


class _LeadFacts(NamedTuple):
    """What compute_score reads of a lead when its company is given."""

    country: str
    company_id: int | None


class _Answer(NamedTuple):
    """What compute_score reads of a checklist answer."""

    answer: str
    value: str
    evidence: str


class Checklists:
    """Makes up a lead's checklist answers (item, answer, value, evidence) and reads
    them as the rules do. A company is the demo's company tuple (id, name, domain,
    industry, employees, ...) of the lead's own region."""

    def __init__(self, config: Config, rnd: Callable[[], float]):
        self.config = config
        self.rnd = rnd
        self.icp = [(c, f"icp:{c.key}") for c in config.icp]
        self.checklist_parts: dict[tuple, str] = {}
        self.readings: dict[tuple, tuple] = {}
        self.scores: dict[tuple, Score] = {}

    def plan(self, kind: int, company: tuple | None, country: str) -> list[tuple]:
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
            evidence = "" if answer == ANSWER_UNKNOWN else pick(rnd, words.EVIDENCE[(item, answer)])
            out.append((item, answer, "", evidence))
        for criterion, key in self.icp:
            if rnd() >= (0.25 if ready else 0.1):
                continue
            value = self._icp_value(criterion, company, country)
            answer = (
                meets(criterion, value) if value else (ANSWER_YES if rnd() < 0.5 else ANSWER_NO)
            )
            out.append((key, answer, value, pick(rnd, words.ICP_EVIDENCE)))
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
            return pick(rnd, criterion.values)
        return ""

    def total(self, answers: list[tuple], company: tuple | None, country: str) -> int:
        """The lead's score as stored in lead.score."""
        return self._score(answers, company, country).total

    def checklist(self, answers: list[tuple], company: tuple | None, country: str) -> str:
        """The checklist JSON of a promote history row, as funnel.promote writes it from
        the lead's Score (sorted keys), joined from parts kept per item."""
        rows = {a[0]: a for a in answers}
        items = sorted(
            (i.key, i.answer, i.points, rows[i.key][3] if i.key in rows else "")
            for i in self._score(answers, company, country).items
        )
        parts = []
        for item in items:
            part = self.checklist_parts.get(item)
            if part is None:
                key, answer, points, evidence = item
                part = (
                    f'{json.dumps(key, ensure_ascii=False)}: {{"answer": "{answer}", '
                    f'"evidence": {js(evidence)}, "points": {points}}}'
                )
                self.checklist_parts[item] = part
            parts.append(part)
        return "{" + ", ".join(parts) + "}"

    def _score(self, answers: list[tuple], company: tuple | None, country: str) -> Score:
        """The lead's Score by funnel.compute_score, kept for the leads that share what
        it reads: computed for each of 100,000 leads, it made the demo's rows take a
        fifth longer to make.

        Leads share a Score when their company data reads the same for every ICP
        criterion (_readings) and they gave the same answers. An answer's value need
        not be compared: plan() answers an item with a value as funnel.meets reads the
        value, which is what compute_score does with it. Nor its evidence, which
        explains a score and never changes it: the Score kept carries the evidence of
        the first lead scored, and a caller takes each item's evidence from its own
        answers."""
        key = (self._readings(company, country), tuple([(a[0], a[1]) for a in answers]))
        score = self.scores.get(key)
        if score is None:
            facts = CompanyFacts(company[0], company[3], company[4], country) if company else None
            score = self.scores[key] = compute_score(
                self.config,
                _LeadFacts(country, facts.id if facts else None),
                {a[0]: _Answer(a[1], a[2], a[3]) for a in answers},
                company=facts,
            )
        return score

    def _readings(self, company: tuple | None, country: str) -> tuple:
        """How the lead's company data reads for each ICP criterion it says anything
        about (funnel.company_fact and funnel.meets, as compute_score reads them); kept
        per facts, which a company's leads share, and so do those of a country without
        one."""
        facts = (country, company[3], company[4]) if company else (country, None, None)
        found = self.readings.get(facts)
        if found is None:
            lead = _LeadFacts(country, company[0] if company else None)
            data = CompanyFacts(company[0], company[3], company[4], country) if company else None
            readings = []
            for criterion, key in self.icp:
                fact = company_fact(criterion.key, lead, data)
                if fact not in (None, ""):
                    readings.append((key, meets(criterion, fact)))
            found = self.readings[facts] = tuple(readings)
        return found
