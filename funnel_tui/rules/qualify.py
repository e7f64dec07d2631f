"""Qualification: answering the checklist, and the score and checklist those answers give."""

from __future__ import annotations

from typing import Any

from funnel_tui.core import validators as v
from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import ANSWERS, BANT_ITEMS
from funnel_tui.rules import history_words as words
from funnel_tui.rules.scoring import Score, compute_score
from funnel_tui.rules.session import Session
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Lead, Qualification, database


class QualifyRules(Session):
    """The checklist's answers and the score."""

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
                    _("{item!r} is not a checklist item: {items}").format(
                        item=item, items=words.listed(sorted(known))
                    ),
                )
            )
        answer = answer.strip().lower()
        if answer not in ANSWERS:
            problems.append(
                Problem(
                    item or "answer",
                    "invalid",
                    _("answer {answer!r} must be yes, no or unknown").format(answer=answer),
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

    def _checklist_as_it_stands(self, lead_id: int) -> dict[str, dict[str, Any]]:
        """Each checklist item's answer, points and evidence now: what promotion and
        conversion record, so later revisions do not rewrite what a decision was based on."""
        return {
            i.key: {"answer": i.answer, "points": i.points, "evidence": i.evidence}
            for i in self.score(lead_id).items
        }
