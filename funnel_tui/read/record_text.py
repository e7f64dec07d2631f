"""A lead's whole record as text (for `funnel show`) and as plain data (for JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import to_local
from funnel_tui.core.errors import Problem
from funnel_tui.core.money import amount_value, exact_money
from funnel_tui.core.output import plain, to_json_value
from funnel_tui.rules.engagement import Engagement
from funnel_tui.rules.history_lines import describe
from funnel_tui.rules.history_words import activity_words, date_words, many
from funnel_tui.rules.scoring import Score

_LEAD_FIELDS = (
    ("name", "name"),
    ("title", "title"),
    ("phone_raw", "phone"),
    ("phone_e164", "phone (E.164)"),
    ("phone_type", "phone type"),
    ("email_raw", "email"),
    ("email_norm", "email (normalised)"),
    ("country", "country"),
    ("source", "source"),
    ("status", "status"),
    ("level", "level"),
    ("nurture_until", "nurture until"),
    ("unqualified_reason", "unqualified because"),
    ("created_at", "created"),
    ("last_activity_at", "last activity"),
    ("next_action", "next action"),
    ("next_action_due", "next action due"),
    ("version", "version"),
    ("notes", "notes"),
)


def record_as_dict(
    record: dict[str, Any], score: Score, gate: list[Problem], engagement: Engagement
) -> dict[str, Any]:
    lead = record["lead"]
    company = record["company"]
    return {
        "id": lead.id,
        **{column: to_json_value(getattr(lead, column)) for column, _ in _LEAD_FIELDS},
        "merged_into": lead.merged_into_id,
        "owner": record["owner"],
        "company": company.name if company else None,
        "score": score_as_dict(score),
        "engagement": {
            "level": engagement.level,
            "value": round(engagement.value, 4),
            "two_way_interactions": engagement.interactions,
            "last": to_json_value(engagement.last),
        },
        "gate": gate_as_list(gate),
        "opportunities": [
            {
                "id": o.id,
                "name": o.name,
                "stage": o.stage,
                "state": o.state,
                "amount": amount_value(o.amount_cents),
                "currency": o.currency,
                "expected_close": to_json_value(o.expected_close),
                "lost_reason": o.lost_reason,
            }
            for o in record["opportunities"]
        ],
        "activities": [
            {
                "id": a.id,
                "at": to_json_value(a.occurred_at),
                "user": a.user.login,
                "type": a.kind,
                "direction": a.direction,
                "outcome": a.outcome,
                "note": a.note,
                "next_action": a.next_action,
                "next_due": to_json_value(a.next_action_due),
            }
            for a in record["activities"]
        ],
        "history": [
            {
                "at": to_json_value(h.at),
                "user": h.user.login,
                "entity": h.entity,
                "entity_id": h.entity_id,
                "action": h.action,
                "field": h.field,
                "old": h.old,
                "new": h.new,
            }
            for h in record["history"]
        ],
    }


def score_as_dict(score: Score) -> dict[str, Any]:
    """The explained score as plain data: the total and each item's share."""
    return {
        "total": score.total,
        "items": [
            {
                "key": i.key,
                "label": i.label,
                "answer": i.answer,
                "points": i.points,
                "max": i.max_points,
                "source": i.source,
                "evidence": i.evidence,
            }
            for i in score.items
        ],
    }


def gate_as_list(gate: list[Problem]) -> list[dict[str, Any]]:
    """What the promotion gate refuses, one entry per problem (empty: it passes)."""
    return [p.as_dict() for p in gate]


def record_as_text(
    record: dict[str, Any],
    score: Score,
    gate: list[Problem],
    config: Config,
    engagement: Engagement,
    zone: dt.tzinfo = dt.UTC,
) -> str:
    """The record for a person to read: times in `zone` (the user's), which the
    heading names; JSON (record_as_dict) keeps them in UTC."""

    def local(value: Any) -> Any:
        return to_local(value, zone) if isinstance(value, dt.datetime) else value

    lead = record["lead"]
    company = record["company"]
    lines = [f"Lead #{lead.id}  (times in {zone})"]
    if lead.merged_into_id is not None:
        lines.append(f"  merged into lead #{lead.merged_into_id}: this record is kept as it was")
    for column, label in _LEAD_FIELDS:
        value = local(getattr(lead, column))
        if value not in ("", None):
            lines.append(f"  {label:<22}{plain(value)}")
    lines.append(f"  {'owner':<22}{plain(record['owner'])}")
    if company:
        lines.append(f"  {'company':<22}{plain(company.name)}")
    lines.append("")
    lines.append(f"Qualification (score {score.total}/100, prospect at ≥ {config.min_score})")
    for item in score.items:
        mark = {"yes": "✔", "no": "✘"}.get(item.answer, "?")
        evidence = f" — {plain(item.evidence)}" if item.evidence else ""
        origin = " (company data)" if item.source != "checklist" else ""
        lines.append(
            f"  {mark} {item.label:<26}{item.answer:<8}{item.points:>3}/{item.max_points}"
            f"{origin}{evidence}"
        )
    lines.append("")
    if engagement.last is None:
        lines.append("Engagement 0/100: no two-way interaction yet")
    else:
        lines.append(
            f"Engagement {engagement.level}/100: "
            f"{many(engagement.interactions, 'interaction')}, the last "
            f"{local(engagement.last):%Y-%m-%d %H:%M}; each counts half after "
            f"{config.engagement_half_life_days:g} days"
        )
    lines.append("")
    if gate:
        lines.append("Promotion gate: refused")
        lines += [f"  ✘ {plain(str(p))}" for p in gate]
    else:
        lines.append("Promotion gate: passes")
    if record["opportunities"]:
        lines.append("")
        lines.append("Opportunities")
        for o in record["opportunities"]:
            lines.append(
                f"  #{o.id} {plain(o.name)} — {exact_money(o.amount_cents, o.currency)}, "
                f"{o.stage} ({o.state})"
                + (f", lost: {plain(o.lost_reason)}" if o.lost_reason else "")
            )
    if record["activities"]:
        lines.append("")
        lines.append("Activities")
        for a in record["activities"]:
            due = f" by {date_words(a.next_action_due)}" if a.next_action_due else ""
            nxt = f" → next: {plain(a.next_action)}{due}" if a.next_action else ""
            head, outcome = activity_words(a.kind, a.direction, a.outcome)
            said = f"{head}: {outcome}" if outcome else head
            note = f" — {plain(a.note)}" if a.note else ""
            lines.append(
                f"  {plain(local(a.occurred_at))} {plain(a.user.login)}: {said}{note}{nxt}"
            )
    lines.append("")
    lines.append("History")
    companies = {company.id: company.name} if company else {}
    for line in describe(record["history"], config, zone, companies):
        lines.append(
            f"  {plain(local(line.at))} {plain(line.user)} {line.record} {line.text}".rstrip()
        )
    return "\n".join(lines) + "\n"
