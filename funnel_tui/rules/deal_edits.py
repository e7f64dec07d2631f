"""Editing a deal after conversion: its name, amount, currency, expected close and notes,
with the version check, history and undo a lead's fields have (rules layer, no UI).

Funnel.update_deal and undo_last call in here; the amount and currency checks are the
ones convert uses, so a deal is never saved with an amount read another way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from funnel_tui.core import validators as v
from funnel_tui.core.errors import AmountError, Problem
from funnel_tui.core.formats import date_short
from funnel_tui.core.i18n import _
from funnel_tui.core.money import (
    HARD_MAX_AMOUNT,
    check_currency,
    exact_money,
    parse_amount,
    units,
)
from funnel_tui.rules.session import Session, _plain, _row_for_update

if TYPE_CHECKING:
    from funnel_tui.storage.models import History, Opportunity

# What a deal's form and `funnel deal update` call its fields → the column (and the
# history's field name).
DEAL_FIELDS = {
    "name": "name",
    "amount": "amount_cents",
    "currency": "currency",
    "close": "expected_close",
    "notes": "notes",
}
# The history's field names a deal edit writes; an undo of them restores them.
DEAL_COLUMNS = frozenset(DEAL_FIELDS.values())


def read_currency(currency: str, problems: list[Problem]) -> str:
    """The ISO 4217 code `currency` names; a refusal appended to `problems` otherwise."""
    try:
        return check_currency(currency)
    except AmountError as exc:
        problems.append(Problem("currency", "invalid", exc.message))
        return ""


def read_amount(
    amount: Any, currency: str, locale: str, ceiling: int, problems: list[Problem]
) -> int:
    """The amount in hundredths of `currency`, read as `locale` writes numbers; a
    refusal appended to `problems` (and 0 returned) otherwise. Codes: invalid (not an
    amount, or negative), ambiguous, decimals, too_large."""
    try:
        return parse_amount(amount, currency, locale, ceiling)
    except AmountError as exc:
        code = "invalid" if exc.code == "negative" else exc.code
        problems.append(Problem("amount", code, exc.message))
        return 0


def read_close(text: str, today: dt.date, order: str = "mdy") -> dt.date | None:
    """A deal's expected close as typed ("+2w", "fri", "12/01", "2026-12-01"); None for
    nothing typed (no date). The one place a deal's date is read from text, so that the
    app's one quick-date parser (dates.py) serves it. ValueError with a message naming
    what would do otherwise."""
    from funnel_tui.core.dates import parse_due

    if not text.strip():
        return None
    return parse_due(text, today, order)


def update_deal(
    rules: Session,
    opp_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    allow_past_close: bool = False,
) -> Opportunity:
    """Change some of a deal's fields (`data` keyed as DEAL_FIELDS: "amount" as typed,
    "close" a date or None); history records each changed field. See Funnel.update_deal."""
    from funnel_tui.core.errors import NotFound, Refused
    from funnel_tui.core.vocab import OPP_OPEN
    from funnel_tui.storage.models import Opportunity, database

    unknown = set(data) - set(DEAL_FIELDS)
    if unknown:
        raise ValueError(f"not a deal field: {', '.join(sorted(unknown))}")
    current = Opportunity.get_or_none(Opportunity.id == opp_id)
    if current is None:
        raise NotFound("opportunity", opp_id)
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    if "name" in data:
        check = v.check_text("title", str(data["name"] or ""))
        if not check.ok:
            problems.append(Problem("name", check.problem.code, check.problem.message))
        elif not check.value:
            problems.append(Problem("name", "required", _("a deal needs a name")))
        else:
            clean["name"] = check.value
    currency = current.currency
    if "currency" in data:
        currency = read_currency(str(data["currency"] or ""), problems)
        if currency:
            clean["currency"] = currency
    if "amount" in data:
        clean["amount_cents"] = read_amount(
            data["amount"], currency, rules.locale, rules.config.max_amount, problems
        )
    elif currency and currency != current.currency:
        # The stored amount must have a form in the new currency (EUR 12.50 is no JPY).
        fits: list[Problem] = []
        stored = units(current.amount_cents)
        read_amount(stored, currency, "en", HARD_MAX_AMOUNT, fits)
        if fits:
            stored = exact_money(current.amount_cents, current.currency)
            problems.append(
                Problem(
                    "amount",
                    "decimals",
                    _(
                        "{amount} has no form in {currency}: give the amount in {currency} too"
                    ).format(amount=stored, currency=currency),
                )
            )
    if "close" in data:
        close = data["close"]
        if close is not None and not isinstance(close, dt.date):
            raise TypeError("close must be a date or None")
        today = rules.today()
        if (
            close is not None
            and close < today
            and close != current.expected_close
            and current.state == OPP_OPEN
            and not allow_past_close
        ):
            problems.append(
                Problem(
                    "close",
                    "past",
                    _("{date} is in the past; confirm to use it").format(date=date_short(close)),
                )
            )
        clean["expected_close"] = close
    if "notes" in data:
        check = v.check_text("notes", str(data["notes"] or ""))
        if not check.ok:
            problems.append(check.problem)
        else:
            clean["notes"] = check.value
    if problems:
        raise Refused(problems)
    now = rules.now()
    with database.atomic():
        opp = _row_for_update(Opportunity, opp_id)
        if opp is None:
            raise NotFound("opportunity", opp_id)
        rules._check_version("opportunity", opp, expected_version, set(clean), clean)
        changes = [
            (name, _plain(getattr(opp, name)), _plain(new))
            for name, new in clean.items()
            if _plain(getattr(opp, name)) != _plain(new)
        ]
        if not changes:
            return opp
        rules._bump(Opportunity, opp, {**clean, "updated_at": now})
        rules._history("opportunity", opp.id, "update", changes, now, opp.version)
    return Opportunity.get_by_id(opp_id)


def undo_deal_fields(
    rules: Session,
    opp_id: int,
    group: list[History],
    action: str = "undo",
    at: dt.datetime | None = None,
) -> None:
    """Put back the fields one edit of a deal changed (or an undo of one); `action` and
    `at` are those of the history the undo writes (a batch's: one moment for all)."""
    from funnel_tui.core.errors import NotFound
    from funnel_tui.storage.models import Opportunity

    opp = _row_for_update(Opportunity, opp_id)
    if opp is None:
        raise NotFound("opportunity", opp_id)
    values: dict[str, Any] = {}
    changes = []
    for entry in group:
        field = Opportunity._meta.combined[entry.field]
        values[entry.field] = field.python_value(entry.old)
        changes.append((entry.field, _plain(getattr(opp, entry.field)), entry.old))
    if values.get("amount_cents") is not None:
        values["amount_cents"] = int(values["amount_cents"])
    now = at or rules.now()
    rules._bump(Opportunity, opp, {**values, "updated_at": now})
    rules._history("opportunity", opp_id, action, changes, now, opp.version)
