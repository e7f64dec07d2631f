"""What several reports measure the same way: time between two stored moments,
percentiles of many values, and amounts in one currency.

Percentiles are picked in the database (a window over the sorted values), so a report
over 100,000 leads reads back a few rows per group, not 100,000 durations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.config import Config
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_plural, _, ngettext
from funnel_tui.core.money import rates_into
from funnel_tui.read.reports.base import percentile
from funnel_tui.storage.models import Opportunity, database

MEDIAN, P90 = 0.5, 0.9

# The note on deals whose currency a report's amounts leave out, one whole sentence for
# each kind of deal a report counts (Money.notes' `what`), in the forms of its count.
_LEFT_OUT = {
    ("open deal", "open deals"): N_plural(
        "amounts are in {currency}: {count} open deal in {names} is counted but its amount"
        " is not (pick a currency with c on the Reports screen or --currency, or give"
        " exchange_rates in funnel.toml)",
        "amounts are in {currency}: {count} open deals in {names} are counted but their"
        " amounts are not (pick a currency with c on the Reports screen or --currency, or"
        " give exchange_rates in funnel.toml)",
    ),
    ("won deal", "won deals"): N_plural(
        "amounts are in {currency}: {count} won deal in {names} is counted but its amount"
        " is not (pick a currency with c on the Reports screen or --currency, or give"
        " exchange_rates in funnel.toml)",
        "amounts are in {currency}: {count} won deals in {names} are counted but their"
        " amounts are not (pick a currency with c on the Reports screen or --currency, or"
        " give exchange_rates in funnel.toml)",
    ),
    ("closed deal", "closed deals"): N_plural(
        "amounts are in {currency}: {count} closed deal in {names} is counted but its amount"
        " is not (pick a currency with c on the Reports screen or --currency, or give"
        " exchange_rates in funnel.toml)",
        "amounts are in {currency}: {count} closed deals in {names} are counted but their"
        " amounts are not (pick a currency with c on the Reports screen or --currency, or"
        " give exchange_rates in funnel.toml)",
    ),
}


def _postgres() -> bool:
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def count_if(condition: Any) -> Any:
    """How many rows of a group meet `condition`."""
    return peewee.fn.SUM(peewee.Case(None, [(condition, 1)], 0))


def column_sums(found: dict[Any, Any], width: int) -> list:
    """Each figure summed over the groups found (`width` zeros when none were)."""
    return [sum(column) for column in zip(*found.values(), strict=True)] or [0] * width


def days_between(later: Any, earlier: Any) -> Any:
    """Days from `earlier` to `later` (stored times), as a fraction; NULL if either is."""
    if _postgres():
        interval = (
            peewee.SQL("EXTRACT(EPOCH FROM ("),
            later,
            peewee.SQL("-"),
            earlier,
            peewee.SQL("))"),
        )
        return peewee.NodeList(interval) / 86400.0
    return peewee.fn.julianday(later) - peewee.fn.julianday(earlier)


def sorted_values(
    query: peewee.Select, grouped: bool = True, counts: dict[Any, int] | None = None
) -> dict[Any, list[float]]:
    """For a query of (group_key, value) rows: each group's values, smallest first,
    leaving out NULLs. `grouped=False`: every row is in one group, "". `counts`, when
    given, gets each group's number of rows, NULLs included. A value below zero counts
    as zero: a moment logged a little before the one it follows (a call noted, then
    the lead typed in) is no wait at all.

    Percentiles are taken from these in Python: the same on every engine (SQLite has no
    percentile function), and faster than ranking in SQL. The rows are read from the
    cursor as they are, without Peewee's row conversion (a third of the time for
    100,000 rows)."""
    found: dict[Any, list[float]] = {}
    tally = counts if counts is not None else {}
    for group, value in database.execute(query).fetchall():
        key = group if grouped else ""
        tally[key] = tally.get(key, 0) + 1
        if value is not None:
            found.setdefault(key, []).append(max(float(value), 0.0))
    for values in found.values():
        values.sort()
    return found


def spread(values: list[float] | None) -> dict[str, Any]:
    """How many values there are, with their median and 90th percentile (None of none)."""
    values = values or []
    return {
        "count": len(values),
        "median": percentile(values, MEDIAN),
        "p90": percentile(values, P90),
    }


@dataclass(frozen=True)
class Money:
    """Amounts in one currency: those in it as they are, those the config has a rate
    for converted, the rest left out of the sums (and said so)."""

    currency: str
    rates: dict[str, float]  # currency -> what one unit is worth in `currency`

    @classmethod
    def choose(cls, config: Config | None, asked: str = "") -> Money:
        config_currency = config.report_currency if config else ""
        currency = (
            asked or config_currency or (config.default_currency if config else "EUR")
        ).upper()
        return cls(
            currency, rates_into(currency, config_currency, config.exchange_rates if config else {})
        )

    def amount(self, cents: Any = Opportunity.amount_cents, currency: Any = None) -> Any:
        """An opportunity's amount in cents of `currency` (or a sum of such amounts,
        the columns given); NULL in a currency left out."""
        currency = Opportunity.currency if currency is None else currency
        if len(self.rates) == 1:
            return peewee.Case(None, [(currency == self.currency, cents)], None)
        return peewee.Case(
            currency,
            # Value(converter=False): the rate as it is, not through the integer column's
            # own conversion (which would send 0.92 as 0).
            [
                (currency, cents * peewee.Value(rate, converter=False))
                for currency, rate in self.rates.items()
            ],
            None,
        )

    def counted(self) -> Any:
        """An opportunity whose amount counts here."""
        return Opportunity.currency.in_(list(self.rates))

    def notes(self, left_out: dict[str, int], what: tuple[str, str]) -> list[str]:
        """What a reader must know of the amounts: converted at the config's rates, and
        which currencies (with how many `what`) are not in them."""
        notes = []
        if len(self.rates) > 1:
            others = ", ".join(sorted(cur for cur in self.rates if cur != self.currency))
            notes.append(
                _("amounts in {others} are converted to {currency} at funnel.toml's rates").format(
                    others=others, currency=self.currency
                )
            )
        if left_out:
            count = sum(left_out.values())
            names = ", ".join(sorted(left_out, key=lambda cur: (-left_out[cur], cur)))
            one, more = _LEFT_OUT.get(what, _LEFT_OUT[("closed deal", "closed deals")])
            notes.append(
                ngettext(one, more, count).format(
                    currency=self.currency, count=number(count), names=names
                )
            )
        return notes


def left_out_currencies(query: peewee.Select, money: Money) -> dict[str, int]:
    """Of the opportunities `query` picks, how many there are per currency not counted."""
    rows = (
        query.select(Opportunity.currency, peewee.fn.COUNT(peewee.SQL("*")))
        .where(~money.counted())
        .group_by(Opportunity.currency)
        .tuples()
    )
    return {currency: int(count) for currency, count in rows}
