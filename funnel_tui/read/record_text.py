"""A lead's whole record as text (for `funnel show`) and as plain data (for JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import to_local
from funnel_tui.core.errors import Problem
from funnel_tui.core.formats import date_short, number
from funnel_tui.core.i18n import ENGLISH, _, current_language, ngettext, pgettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.money import amount_value, exact_money
from funnel_tui.core.output import cell_width, plain, to_json_value
from funnel_tui.core.times import moment_text as timed_moment
from funnel_tui.rules.engagement import Engagement
from funnel_tui.rules.history_lines import describe
from funnel_tui.rules.history_words import activity_words, date_words, many, say
from funnel_tui.rules.scoring import Score, item_label

# The lead's columns in the record, in order (the JSON keys are these names).
_LEAD_FIELDS = (
    "name",
    "title",
    "phone_raw",
    "phone_e164",
    "phone_type",
    "email_raw",
    "email_norm",
    "country",
    "source",
    "status",
    "level",
    "nurture_until",
    "unqualified_reason",
    "created_at",
    "last_activity_at",
    "next_action",
    "next_action_due",
    "next_action_at",
    "version",
    "notes",
)


def record_label(key: str) -> str:
    """The label of a field in a lead's or a company's record, as a column of labels
    reads it ("Nächster Schritt", "Typ telefonu"): its own context, as a label is
    capitalised where the same word inside a sentence is not."""
    labels = {
        "name": pgettext("record", "name"),
        "title": pgettext("record", "title"),
        "phone_raw": pgettext("record", "phone"),
        "phone_e164": pgettext("record", "phone (E.164)"),
        "phone_type": pgettext("record", "phone type"),
        "email_raw": pgettext("record", "email"),
        "email_norm": pgettext("record", "email (normalised)"),
        "country": pgettext("record", "country"),
        "source": pgettext("record", "source"),
        "status": pgettext("record", "status"),
        "level": pgettext("record", "level"),
        "nurture_until": pgettext("record", "nurture until"),
        "unqualified_reason": pgettext("record", "unqualified because"),
        "created_at": pgettext("record", "created"),
        "last_activity_at": pgettext("record", "last activity"),
        "next_action": pgettext("record", "next action"),
        "next_action_due": pgettext("record", "next action due"),
        "next_action_at": pgettext("record", "next action at"),
        "version": pgettext("record", "version"),
        "notes": pgettext("record", "notes"),
        "owner": pgettext("record", "owner"),
        "company": pgettext("record", "company"),
        "industry": pgettext("record", "industry"),
        "employees": pgettext("record", "employees"),
        "website": pgettext("record", "website"),
        "customer": pgettext("record", "customer"),
        "customer since": pgettext("record", "customer since"),
    }
    return labels.get(key, key)


# Stored keys read as words (vocab_label), and names from the config (shown_name).
_VOCAB_COLUMNS = frozenset({"status", "level"})
_NAME_COLUMNS = frozenset({"source", "unqualified_reason"})


def record_as_dict(
    record: dict[str, Any], score: Score, gate: list[Problem], engagement: Engagement
) -> dict[str, Any]:
    lead = record["lead"]
    company = record["company"]
    return {
        "id": lead.id,
        **{column: to_json_value(getattr(lead, column)) for column in _LEAD_FIELDS},
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
                "next_at": to_json_value(a.next_action_at),
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


def padded(label: str, width: int) -> str:
    """`label` and spaces to `width` terminal cells (a Chinese character takes two),
    with one space at least after a label longer than that."""
    return label + " " * max(1 if cell_width(label) >= width else 0, width - cell_width(label))


def label_rows(rows: list[tuple[str, str]], width: int = 22) -> list[str]:
    """Lines of `label value`, the values in one column: at `width` cells, or after the
    widest label where a language's are longer (English's all fit in 22)."""
    width = max([width, *(cell_width(label) + 1 for label, _value in rows)])
    return [f"  {padded(label, width)}{value}" for label, value in rows]


def shown_value(column: str, value: Any) -> str:
    """A lead's stored value as the rep reads it: a status or level in their words, a
    shipped source or reason translated, dates as their locale writes them."""
    if column in _VOCAB_COLUMNS and isinstance(value, str):
        return plain(vocab_label(value))
    if column in _NAME_COLUMNS and isinstance(value, str):
        return plain(shown_name(value))
    return moment_text(value)


def moment_text(value: Any) -> str:
    """A date or a (local) time: `2026-01-10 12:00` in English, `10.01.2026 12:00`,
    `2026/01/10 12:00` in others; anything else as plain text."""
    if current_language() == ENGLISH or not isinstance(value, dt.date):
        return plain(value)
    if isinstance(value, dt.datetime):
        return f"{date_short(value.date())} {value:%H:%M}"
    return date_short(value)


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
    lines = [_("Lead #{id}  (times in {zone})").format(id=lead.id, zone=zone)]
    if lead.merged_into_id is not None:
        lines.append(
            "  "
            + _("merged into lead #{id}: this record is kept as it was").format(
                id=lead.merged_into_id
            )
        )
    rows = []
    for column in _LEAD_FIELDS:
        value = local(getattr(lead, column))
        if value not in ("", None):
            rows.append((record_label(column), shown_value(column, value)))
    rows.append((record_label("owner"), plain(record["owner"])))
    if company:
        rows.append((record_label("company"), plain(company.name)))
    lines += label_rows(rows)
    lines.append("")
    lines.append(
        _("Qualification (score {score}/100, prospect at ≥ {minimum})").format(
            score=score.total, minimum=config.min_score
        )
    )
    labels = [item_label(item) for item in score.items]
    answers = [vocab_label(item.answer) for item in score.items]
    label_width = max([26, *(cell_width(label) + 1 for label in labels)])
    answer_width = max([8, *(cell_width(answer) + 1 for answer in answers)])
    for item, label, answer in zip(score.items, labels, answers, strict=True):
        mark = {"yes": "✔", "no": "✘"}.get(item.answer, "?")
        evidence = f" — {plain(item.evidence)}" if item.evidence else ""
        origin = " " + _("(company data)") if item.source != "checklist" else ""
        lines.append(
            f"  {mark} {padded(label, label_width)}{padded(answer, answer_width)}"
            f"{item.points:>3}/{item.max_points}{origin}{evidence}"
        )
    lines.append("")
    if engagement.last is None:
        lines.append(_("Engagement 0/100: no two-way interaction yet"))
    else:
        half_life = config.engagement_half_life_days
        whole = int(half_life) if float(half_life).is_integer() else None
        lines.append(
            ngettext(
                "Engagement {level}/100: {interactions}, the last {when}; "
                "each counts half after {days} day",
                "Engagement {level}/100: {interactions}, the last {when}; "
                "each counts half after {days} days",
                whole if whole is not None else 2,
            ).format(
                level=engagement.level,
                interactions=many(engagement.interactions, "interaction"),
                when=_when(local(engagement.last)),
                days=f"{half_life:g}"
                if current_language() == ENGLISH
                else number(whole if whole is not None else half_life),
            )
        )
    lines.append("")
    if gate:
        lines.append(_("Promotion gate: refused"))
        lines += [f"  ✘ {plain(str(p))}" for p in gate]
    else:
        lines.append(_("Promotion gate: passes"))
    if record["opportunities"]:
        lines.append("")
        lines.append(_("Opportunities"))
        for o in record["opportunities"]:
            values = {
                "id": o.id,
                "name": plain(o.name),
                "amount": exact_money(o.amount_cents, o.currency),
                "stage": plain(shown_name(o.stage)),
                "state": vocab_label(o.state),
            }
            if o.lost_reason:
                said = _("#{id} {name} — {amount}, {stage} ({state}), lost: {reason}")
                values["reason"] = plain(shown_name(o.lost_reason))
            else:
                said = _("#{id} {name} — {amount}, {stage} ({state})")
            lines.append("  " + said.format(**values))
    if record["activities"]:
        lines.append("")
        lines.append(_("Activities"))
        for a in record["activities"]:
            nxt = ""
            if a.next_action and a.next_action_due:
                due = date_words(a.next_action_due)
                if a.next_action_at is not None:  # the day and time where the reader is
                    due = timed_moment(a.next_action_at, zone)
                nxt = " → " + say("next_due", action=plain(a.next_action), due=due)
            elif a.next_action:
                nxt = " → " + say("next", action=plain(a.next_action))
            head, outcome = activity_words(a.kind, a.direction, a.outcome)
            said = say("line", head=head, body=outcome) if outcome else head
            note = f" — {plain(a.note)}" if a.note else ""
            when = moment_text(local(a.occurred_at))
            said = say("line", head=plain(a.user.login), body=f"{said}{note}{nxt}")
            lines.append(f"  {when} {said}")
    lines.append("")
    lines.append(_("History"))
    companies = {company.id: company.name} if company else {}
    for line in describe(record["history"], config, zone, companies):
        lines.append(
            f"  {moment_text(local(line.at))} {plain(line.user)} {line.record} {line.text}".rstrip()
        )
    return "\n".join(lines) + "\n"


def _when(moment: dt.datetime) -> str:
    """The last interaction's local time: `2026-01-10 12:00` (`10.01.2026 12:00`)."""
    if current_language() == ENGLISH:
        return f"{moment:%Y-%m-%d %H:%M}"
    return moment_text(moment)
