"""THE PROMOTION GATE: what a lead needs to become a prospect, and promote itself.

judge_gate says every reason a lead cannot pass (gate_problems reads it first); promote
refuses with those reasons or moves the lead to prospect, recording its checklist.
"""

from __future__ import annotations

from funnel_tui.core import validators as v
from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.vocab import (
    ANSWER_YES,
    BANT_ITEMS,
    LEVEL_LEAD,
    LEVEL_PROSPECT,
    STATUS_UNQUALIFIED,
)
from funnel_tui.rules import history_words as words
from funnel_tui.rules.qualify import QualifyRules
from funnel_tui.rules.scoring import Score, compute_score
from funnel_tui.rules.session import _json
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Lead, Qualification, database


class GateRules(QualifyRules):
    """The promotion gate: lead → prospect."""

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
                    _already_at(lead.id, lead.level),
                )
            )
        if lead.status == STATUS_UNQUALIFIED:
            problems.append(
                Problem(
                    "status",
                    "unqualified",
                    _("the lead is unqualified ({reason}); reopen it first").format(
                        reason=shown_name(lead.unqualified_reason or "")
                    ),
                )
            )
        problems += self._contact_problems(lead)
        if self.config.need_required and score.item("need").answer != ANSWER_YES:
            problems.append(
                Problem(
                    "need",
                    "required",
                    _("{answer} (Need must be yes)").format(
                        answer=vocab_label(score.item("need").answer)
                    ),
                )
            )
        if score.bant_yes < self.config.min_bant_yes:
            for key in BANT_ITEMS:
                item = score.item(key)
                if item.answer != ANSWER_YES and not (key == "need" and self.config.need_required):
                    problems.append(Problem(key, "not_yes", vocab_label(item.answer)))
            problems.append(
                Problem(
                    "bant",
                    "too_few",
                    _("{yes} of 4 BANT items are yes; {needed} needed").format(
                        yes=score.bant_yes, needed=self.config.min_bant_yes
                    ),
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
                Problem("contact", "required", _("a phone number or an email address is needed"))
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


def _already_at(lead_id: int, level: str) -> str:
    # A sentence per level: the article and the noun's case differ by language.
    sentences = {
        "prospect": _("lead #{id} is already a prospect"),
        "opportunity": _("lead #{id} is already an opportunity"),
        "customer": _("lead #{id} is already a customer"),
    }
    fallback = _("lead #{id} is already {level}")
    return sentences.get(level, fallback).format(id=lead_id, level=words.with_article(level))
