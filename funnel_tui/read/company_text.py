"""A company as text and as plain data: its record (`funnel company show`), and a row of
the Companies list (`funnel company list`). Amounts stay per currency, never added
together; JSON keys are stable English words, times UTC marked Z."""

from __future__ import annotations

import datetime as dt
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import to_local
from funnel_tui.core.i18n import _, ngettext, pgettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.money import amount_value, exact_figure, exact_money
from funnel_tui.core.output import plain, to_json_value
from funnel_tui.read.companies import CompanyRecord
from funnel_tui.read.record_text import label_rows, moment_text, padded, record_label
from funnel_tui.rules.history_lines import describe
from funnel_tui.rules.history_words import activity_words, many, say

COMPANY_FIELDS = ("name", "industry", "employees", "country", "website")
LIST_COLUMNS = (
    "id",
    "name",
    "industry",
    "country",
    "people",
    "customer",
    "open_pipeline",
    "won",
    "last_activity",
)


def money_values(amounts: dict[str, int]) -> dict[str, float]:
    """Per-currency amounts as JSON gives them: {"EUR": 12500.0}."""
    return {currency: amount_value(cents) for currency, cents in amounts.items()}


def money_text(amounts: dict[str, int], separator: str = " · ") -> str:
    """`EUR 12,500.00 · USD 300.00`; "" for none."""
    return separator.join(exact_money(cents, currency) for currency, cents in amounts.items())


def list_row(row: dict[str, Any], form: str) -> dict[str, Any]:
    """A row of company_page as `form` ("json", "csv" or "table") writes it."""
    out = {key: row[key] for key in ("id", "name", "industry", "country", "people")}
    out["last_activity"] = row["last_activity"]
    if form == "json":
        out["customer"] = row["customer"]
        out["open_pipeline"] = money_values(row["open"])
        out["won"] = money_values(row["won"])
    else:
        out["customer"] = "yes" if row["customer"] else "no"
        if form == "table":  # a person reads it; CSV keeps the key
            out["customer"] = vocab_label(out["customer"])
        # CSV: one cell, figures a spreadsheet reads ("EUR 12500.00; USD 300.00").
        if form == "csv":
            out["open_pipeline"] = _plain_money(row["open"])
            out["won"] = _plain_money(row["won"])
        else:
            out["open_pipeline"] = money_text(row["open"])
            out["won"] = money_text(row["won"])
    return out


def _plain_money(amounts: dict[str, int]) -> str:
    return "; ".join(
        f"{currency} {exact_figure(cents).replace(',', '')}" for currency, cents in amounts.items()
    )


def company_as_dict(record: CompanyRecord) -> dict[str, Any]:
    company = record.company
    return {
        "id": company.id,
        **{name: getattr(company, name) for name in COMPANY_FIELDS},
        "version": company.version,
        "created_at": to_json_value(company.created_at),
        "merged_into": record.merged_into,
        "customer": record.customer,
        "first_won_at": to_json_value(record.first_won),
        "lifetime_won": money_values(record.lifetime_won),
        "last_activity": to_json_value(record.last_activity),
        "totals": {state: money_values(amounts) for state, amounts in record.totals.items()},
        "people": [
            {
                "id": p["id"],
                "name": p["name"],
                "title": p["title"],
                "status": p["status"],
                "level": p["level"],
                "owner": p["owner"],
                "email": p["email"],
                "phone": p["phone"] or p["phone_raw"],
                "last_activity": to_json_value(p["last_activity"]),
            }
            for p in record.people
        ],
        "deals": [
            {
                "id": d["id"],
                "name": d["name"],
                "lead_id": d["lead_id"],
                "stage": d["stage"],
                "state": d["state"],
                "amount": amount_value(d["amount_cents"]),
                "currency": d["currency"],
                "expected_close": to_json_value(d["expected_close"]),
                "closed_at": to_json_value(d["closed_at"]),
                "owner": d["owner"],
            }
            for d in record.deals
        ],
        "activity_count": record.activity_count,
        "activities": [
            {
                "id": a["id"],
                "at": to_json_value(a["at"]),
                "user": a["user"],
                "type": a["kind"],
                "direction": a["direction"],
                "outcome": a["outcome"],
                "note": a["note"],
                "lead_id": a["lead_id"],
                "deal_id": a["deal_id"],
            }
            for a in record.activities
        ],
        "history": [
            {
                "at": to_json_value(h.at),
                "user": h.user.login,
                "action": h.action,
                "field": h.field,
                "old": h.old,
                "new": h.new,
            }
            for h in record.history
        ],
    }


def activity_line(activity: dict[str, Any]) -> str:
    """`call: reached — note (Anna Nowak)`: one activity of the timeline, without its
    time and user."""
    head, outcome = activity_words(activity["kind"], activity["direction"], activity["outcome"])
    said = say("line", head=head, body=outcome) if outcome else head
    note = f" — {plain(activity['note'])}" if activity["note"] else ""
    about = activity["lead"] or activity["deal"] or ""
    if not about:
        return f"{said}{note}"
    return _("{activity} ({about})").format(activity=f"{said}{note}", about=plain(about))


def company_as_text(record: CompanyRecord, config: Config, zone: dt.tzinfo = dt.UTC) -> str:
    """The record for a person to read, times in `zone` (named in the heading)."""

    def local(value: Any) -> Any:
        return to_local(value, zone) if isinstance(value, dt.datetime) else value

    company = record.company
    lines = [_("Company #{id}  (times in {zone})").format(id=company.id, zone=zone)]
    if record.merged_into:
        lines.append("  " + _("merged into company #{id}").format(id=record.merged_into))
    rows = []
    for name in COMPANY_FIELDS:
        value = getattr(company, name)
        if value not in ("", None):
            label = pgettext("company record", "name") if name == "name" else record_label(name)
            rows.append((label, plain(value)))
    rows.append((record_label("version"), str(company.version)))
    if record.customer:
        since = _("{since} · won in all: {amounts}").format(
            since=moment_text(local(record.first_won)), amounts=money_text(record.lifetime_won)
        )
        rows.append((record_label("customer since"), since))
    else:
        rows.append((record_label("customer"), _("not yet: no won deal")))
    lines += label_rows(rows)
    lines.append("")
    lines.append(_("People ({count})").format(count=len(record.people)))
    for p in record.people:
        values = {
            "id": p["id"],
            "name": plain(p["name"]),
            "title": plain(p["title"]),
            "status": vocab_label(p["status"]),
            "level": vocab_label(p["level"]),
            "owner": plain(p["owner"]),
        }
        if p["title"]:
            said = _("#{id} {name}, {title} — {status}, {level}, owner {owner}")
        else:
            said = _("#{id} {name} — {status}, {level}, owner {owner}")
        lines.append("  " + said.format(**values))
    lines.append("")
    lines.append(_("Deals ({count})").format(count=len(record.deals)))
    for state, amounts in record.totals.items():
        lines.append(f"  {padded(vocab_label(state), 8)}{money_text(amounts)}")
    for d in record.deals:
        lines.append(
            "  "
            + _("#{id} {name} — {amount}, {stage} ({state}), owner {owner}").format(
                id=d["id"],
                name=plain(d["name"]),
                amount=exact_money(d["amount_cents"], d["currency"]),
                stage=plain(shown_name(d["stage"])),
                state=vocab_label(d["state"]),
                owner=plain(d["owner"]),
            )
        )
    lines.append("")
    shown = len(record.activities)
    activities = many(record.activity_count, "activity")
    if shown < record.activity_count:
        heading = ngettext(
            "Activities ({activities}, the newest {count})",
            "Activities ({activities}, the newest {count})",
            shown,
        ).format(activities=activities, count=shown)
    else:
        heading = _("Activities ({activities})").format(activities=activities)
    lines.append(heading)
    for a in record.activities:
        said = say("line", head=plain(a["user"]), body=activity_line(a))
        lines.append(f"  {moment_text(local(a['at']))} {said}")
    lines.append("")
    lines.append(_("History"))
    for line in describe(record.history, config, zone):
        lines.append(f"  {moment_text(local(line.at))} {plain(line.user)} {line.text}".rstrip())
    return "\n".join(lines) + "\n"
