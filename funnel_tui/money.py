"""Amounts as people read them: exact (`EUR 12,500.00`) on a record, short
(`EUR 12.5k`) on a card, and per-currency totals that are never added together."""

from __future__ import annotations

# Currencies written without minor units (ISO 4217 exponent 0) among those in use.
NO_MINOR_UNITS = frozenset({"JPY", "KRW", "CLP", "ISK", "HUF", "TWD", "VND", "IDR", "UGX"})


def exact_money(cents: int, currency: str) -> str:
    """`EUR 12,500.00`; `JPY 1,200,000` for a currency without minor units."""
    if currency in NO_MINOR_UNITS:
        return f"{currency} {round(cents / 100):,}"
    sign = "-" if cents < 0 else ""
    whole, minor = divmod(abs(cents), 100)
    return f"{currency} {sign}{whole:,}.{minor:02d}"


def short_amount(cents: int) -> str:
    """`12.5k`, `3.4M`, `950`: three significant figures at most."""
    value = cents / 100
    if abs(value) < 999.5:
        return f"{value:.0f}"
    for limit, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "B")):
        scaled = value / limit
        if abs(scaled) < 999.5:
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 99.95 else f"{scaled:.0f}{suffix}"
    return f"{value / 1e12:.0f}T"


def short_money(cents: int, currency: str) -> str:
    return f"{currency} {short_amount(cents)}"


def totals_line(amounts: dict[str, int], width: int) -> tuple[str, int]:
    """As many per-currency totals as fit `width` cells, largest first, as
    `EUR 3.7M · USD 2.8M`; returns the text and how many currencies were left out."""
    parts: list[str] = []
    items = list(amounts.items())
    for index, (currency, cents) in enumerate(items):
        part = short_money(cents, currency)
        left = len(items) - index - 1
        more = f" +{left}" if left else ""
        candidate = " · ".join([*parts, part])
        if len(candidate) + len(more) > width and parts:
            return " · ".join(parts), len(items) - index
        parts.append(part)
    return " · ".join(parts), 0
