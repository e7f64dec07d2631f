"""Amounts as people write and read them: typed the way the rep's locale writes numbers
(parse_amount), exact (`EUR 12,500.00`) on a record, short (`EUR 12.5k`) on a card, read
back in the rep's own format before saving (format_amount), and per-currency totals that
are never added together unless the caller passes exchange rates (convert). The one home
of money's arithmetic and words: callers pass what they know (a locale, the config's
rates) and show what comes back. The reports repeat convert and weighted in SQL
(read/reports/measure.py, forecast.py) so that the database does the sums.

Stored amounts are hundredths of the currency's unit, whatever the currency (the column
is `amount_cents`): totals, the board, reports and exchange rates read every currency on
one scale. A currency's own minor units decide how many decimals may be typed and shown:
JPY none (stored as a multiple of 100), KWD three, of which funnel keeps two.

Babel (CLDR's number symbols) is imported only when an amount is parsed or read back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import NamedTuple

from funnel_tui.core import formats
from funnel_tui.core.currencies import ISO_4217, minor_units
from funnel_tui.core.errors import AmountError
from funnel_tui.core.i18n import ENGLISH, current_language, current_locale

STORED_DECIMALS = 2  # amount_cents: hundredths of a unit, in every currency
# Whole currency units: the cents of any amount up to here fit a BIGINT many times
# over, whatever ceiling the config sets.
HARD_MAX_AMOUNT = 10**15


def check_currency(text: str) -> str:
    """The ISO 4217 code `text` names ("eur " → "EUR"); AmountError otherwise."""
    code = (text or "").strip().upper()
    if code in ISO_4217:
        return code
    if len(code) == 3 and code.isascii() and code.isalpha():
        raise AmountError("currency", f"{code} is not an ISO 4217 currency in use")
    raise AmountError("currency", f"{text!r} is not a currency code like EUR, PLN or USD")


@cache
def number_symbols(locale: str) -> tuple[str, str]:
    """(decimal mark, grouping mark) of `locale` in Latin digits: ("," ".") for de."""
    from babel import Locale, UnknownLocaleError

    try:
        symbols = Locale.parse(locale or "en").number_symbols.get("latn", {})
    except (UnknownLocaleError, ValueError, TypeError):
        return ".", ","
    return symbols.get("decimal", "."), symbols.get("group", ",")


# Spaces (any width), apostrophes (de_CH) and "_" only ever group thousands; "." and ","
# group or mark decimals (_decimal_mark decides). Patterns compiled on first use (re's
# cache), not at start-up.
_SCIENTIFIC = r"[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]{1,3}"
_NUMBER = r"[0-9]*(?:[., '’_][0-9]+)*[.,]?"


def parse_amount(
    amount: object,
    currency: str,
    locale: str = "en",
    ceiling: int = HARD_MAX_AMOUNT,
) -> int:
    """The amount in hundredths of `currency` (ISO 4217, checked first by the caller),
    read the way `locale` writes numbers; AmountError when it is not an amount, is
    negative, above `ceiling` (whole units), has more decimals than the currency has
    (or than funnel keeps), or could be read two ways.

    A mark followed by other than three digits, or the last of two kinds of marks, is
    the decimal mark in any locale ("12,5" is 12.50, "1.250,50" 1250.50, "1 250,50"
    1250.50); a mark that occurs twice groups ("1.250.000"). Only "1,250" and "1.250"
    are in doubt: the locale's grouping mark reads as grouping ("1.250" in de is 1250,
    "1,250" in en); any other such amount is refused with both readings.
    """
    if isinstance(amount, bool):
        raise AmountError("invalid", f"{amount!r} is not an amount")
    if isinstance(amount, int | Decimal | float):
        value = Decimal(str(amount))
        if not value.is_finite():
            raise AmountError("invalid", f"{amount!r} is not an amount")
        typed = str(amount)
    else:
        typed = str(amount)
        value = _read(typed, currency, locale)
    if value < 0:
        raise AmountError("negative", f"{typed!r} must be zero or more")
    _fits(value, typed, currency)
    ceiling = min(ceiling, HARD_MAX_AMOUNT)
    if value > ceiling:
        raise AmountError("too_large", f"{typed!r} is more than the ceiling of {ceiling:,}")
    return int(value.scaleb(STORED_DECIMALS).to_integral_value())


def _read(typed: str, currency: str, locale: str) -> Decimal:
    text = unicodedata.normalize("NFKC", typed).strip().replace("\u2212", "-")
    negative = text.startswith("-")
    text = text.lstrip("+-").strip()
    invalid = AmountError("invalid", f"{typed!r} is not an amount")
    if re.fullmatch(_SCIENTIFIC, text):  # 1e6, 2.5E3: one reading only
        return -Decimal(text) if negative else Decimal(text)
    if not text or not any(c.isdigit() for c in text) or not re.fullmatch(_NUMBER, text):
        raise invalid
    parts = re.split(r"([., '’_])", text)
    runs, marks = parts[0::2], parts[1::2]
    if runs[-1] == "":  # "1250." or "1250,": a mark with nothing after it
        runs, marks = runs[:-1], marks[:-1]
    decimal_at = _decimal_mark(typed, runs, marks, currency, locale)
    whole_runs = runs[: decimal_at + 1] if decimal_at is not None else runs
    fraction = runs[decimal_at + 1] if decimal_at is not None else ""
    if whole_runs == [""]:  # ".5"
        whole_runs = ["0"]
    if len(whole_runs) > 1 and (
        not 1 <= len(whole_runs[0]) <= 3 or any(len(run) != 3 for run in whole_runs[1:])
    ):
        raise AmountError(
            "invalid", f"{typed!r} is not an amount: thousands are grouped by three digits"
        )
    try:
        value = Decimal("".join(whole_runs) + ("." + fraction if fraction else ""))
    except InvalidOperation as exc:
        raise invalid from exc
    return -value if negative else value


def _decimal_mark(
    typed: str, runs: list[str], marks: list[str], currency: str, locale: str
) -> int | None:
    """The index in `marks` of the decimal mark, or None for a whole number."""
    points = [i for i, mark in enumerate(marks) if mark in ".,"]
    if not points:
        return None
    kinds = {marks[i] for i in points}
    last = points[-1]
    if len(kinds) == 2:
        if [marks[i] for i in points].count(marks[last]) > 1 or last != len(marks) - 1:
            raise AmountError("invalid", f"{typed!r} is not an amount")
        return last
    if len(points) > 1:
        return None  # one kind, more than once: "1.250.000" groups
    if last != len(marks) - 1 or runs[0] == "":
        return last if runs[0] == "" and len(marks) == 1 else _bad(typed)
    before, after = runs[last], runs[last + 1]
    if len(after) != 3 or len(marks) > 1 or before.startswith("0") or len(before) > 3:
        return last
    # "1,250" or "1.250": three digits after the one mark. Grouping where the locale
    # groups with it; otherwise it could be either, and a guess costs a deal 1000 times
    # its size or a thousandth of it.
    mark = marks[last]
    decimal_mark, group_mark = number_symbols(locale)
    if mark == group_mark and mark != decimal_mark:
        return None
    places = min(minor_units(currency), STORED_DECIMALS)
    whole, decimals = before + after, len(after.rstrip("0"))
    if decimals <= places:
        other = f"{before}{decimal_mark}{after[:places]}" if places else before
        raise AmountError("ambiguous", f"{typed!r} could be {whole} or {other}: type one of those")
    exact = f"{before}{decimal_mark}{after.rstrip('0')}"
    raise AmountError(
        "ambiguous",
        f"{typed!r} could be {whole}, or {exact}, which has more decimals than {currency} "
        f"keeps: type {whole} if you mean it",
    )


def _bad(typed: str) -> int:
    raise AmountError("invalid", f"{typed!r} is not an amount")


def _fits(value: Decimal, typed: str, currency: str) -> None:
    """Refuse more decimals than `currency` has, or than funnel keeps."""
    decimals = max(0, -value.normalize().as_tuple().exponent) if value else 0
    allowed = minor_units(currency)
    if decimals <= min(allowed, STORED_DECIMALS):
        return
    if allowed == 0:
        raise AmountError(
            "decimals", f"{typed!r}: {currency} has no minor units, type a whole amount"
        )
    if decimals > allowed:
        raise AmountError(
            "decimals", f"{typed!r} has {decimals} decimals; {currency} has {allowed}"
        )
    raise AmountError(
        "decimals", f"{typed!r} has {decimals} decimals; funnel keeps {STORED_DECIMALS}"
    )


def format_amount(cents: int, currency: str, locale: str = "en") -> str:
    """The amount as the rep writes it, with the currency's own decimals: `EUR 1.250,50`
    in de, `PLN 1 250,50` in pl, `JPY 1,250` in en. For reading back before saving."""
    from babel.numbers import format_decimal

    places = minor_units(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    value = units(cents)
    try:
        shown = format_decimal(value, format=pattern, locale=locale or "en")
    except (ValueError, TypeError):
        shown = format_decimal(value, format=pattern, locale="en")
    return f"{currency} {shown}"


def units(cents: int) -> Decimal:
    """A stored amount (hundredths) in whole units, exactly: 125050 → Decimal("1250.50")."""
    return Decimal(cents).scaleb(-STORED_DECIMALS)


def amount_value(cents: float) -> float:
    """A stored amount as scripts get it (JSON, CSV): a number of units, 1250.5."""
    return cents / 100


def exact_money(cents: int, currency: str) -> str:
    """`EUR 12,500.00`; `JPY 1,200,000` for a currency without minor units, `KWD
    1,250.500` for one with three. In another language, as its locale writes money
    (CLDR): `12.500,00 €`, `1 234,56 zł`, `¥1,234.00`, `NT$1,234`."""
    if current_language() != ENGLISH:
        return local_money(cents, currency, current_locale())
    return f"{currency} {exact_figure(cents, minor_units(currency))}"


# Symbols a country's own sales people write where CLDR's local one would be ambiguous
# (Taiwan's own CLDR symbol for its dollar is a bare "$").
_SYMBOLS = {"TWD": "NT$"}
# Currencies paid in whole units in everyday use (CLDR's cash digits): no ".00".
_WHOLE_UNITS = frozenset({"TWD"})


def local_money(cents: int, currency: str, locale: str) -> str:
    """`cents` of `currency` as `locale` writes money, through Babel."""
    from babel.numbers import format_currency

    value = units(cents)
    places = minor_units(currency)
    if currency in _WHOLE_UNITS and value == value.to_integral_value():
        places = 0
    pattern = None
    if currency in _SYMBOLS:
        from babel import Locale

        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        pattern = pattern.replace("¤", f"'{_SYMBOLS[currency]}'")
    digits = "." + "0" * places if places else ""
    try:
        if pattern is not None:
            pattern = pattern.replace("#,##0.00", "#,##0" + digits)
            return format_currency(
                value, currency, format=pattern, locale=locale, currency_digits=False
            )
        shown = format_currency(
            value,
            currency,
            locale=locale,
            currency_digits=False,
            format=None,
            format_type="standard",
        )
        if places != 2:
            from babel import Locale

            standard = Locale.parse(locale).currency_formats["standard"].pattern
            shown = format_currency(
                value,
                currency,
                locale=locale,
                currency_digits=False,
                format=standard.replace("#,##0.00", "#,##0" + digits),
            )
        return shown
    except (ValueError, TypeError, KeyError):
        return f"{currency} {exact_figure(cents, minor_units(currency))}"


def exact_figure(cents: int, places: int = STORED_DECIMALS) -> str:
    """The figure of exact_money without a currency (`12,500.00`): for an amount whose
    currency is not known, shown with the two decimals funnel keeps."""
    sign = "-" if cents < 0 else ""
    value = units(abs(cents)).quantize(Decimal(1).scaleb(-places))
    return f"{sign}{value:,}"


def whole_figure(cents: float) -> str:
    """An amount (hundredths, perhaps a converted fraction of one) to the whole unit,
    grouped as the reader's locale groups: `12,500`, `12.500` in de, `12 500` in pl; a
    report's money column."""
    return formats.number(round(cents / 100))


def short_amount(cents: int) -> str:
    """`12.5k`, `3.4M`, `950`: three significant figures at most (`12,5k` where the
    reader's locale marks decimals with a comma)."""
    value = cents / 100
    if abs(value) < 999.5:
        return f"{value:.0f}"
    for limit, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "B")):
        scaled = value / limit
        if abs(scaled) < 999.5:
            if abs(scaled) >= 99.95:
                return f"{scaled:.0f}{suffix}"
            return f"{formats.number(scaled, 1)}{suffix}"
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


def read_back(typed: str, currency: str, locale: str, ceiling: int = HARD_MAX_AMOUNT) -> str:
    """What an amount field will save, as the rep reads it while typing: `EUR 1.250,50`
    for "1.250,50" in de; AmountError saying why not (currency first); "" for nothing
    typed."""
    if not str(typed).strip():
        return ""
    code = check_currency(currency)
    return format_amount(parse_amount(typed, code, locale, ceiling), code, locale)


def example_amount(currency: str, locale: str) -> str:
    """How `locale` writes 1250.50 in `currency` (1.250,50 in de; 1,250 for JPY in en):
    the hint an empty amount field shows."""
    code = currency.strip().upper()
    return format_amount(125050, code if code in ISO_4217 else "EUR", locale).split(" ", 1)[1]


def warm(locale: str) -> None:
    """Load what reading and writing amounts in `locale` needs (Babel and its data,
    about 30 ms), so that the first key typed in an amount field does not wait for it."""
    number_symbols(locale)
    format_amount(0, "EUR", locale)


def editable_amount(cents: int, currency: str, locale: str) -> str:
    """A stored amount as a form shows it for editing, in the rep's way and read back
    the same: no grouping, their decimal mark, decimals only when there are any
    (`1250,50` in de, `1250` for EUR 1250.00, `1250` for JPY)."""
    places = min(minor_units(currency), STORED_DECIMALS)
    whole, minor = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    if not minor or not places:
        return f"{sign}{whole + (1 if places == 0 and minor >= 50 else 0)}"
    decimal_mark = number_symbols(locale)[0]
    return f"{sign}{whole}{decimal_mark}{minor:02d}"


# ---------------------------------------------------------------- totals


def weighted(cents: int, probability: int) -> int:
    """What `cents` is worth at `probability` percent, to the hundredth: a deal's
    weighted amount at its stage's probability."""
    return round(cents * probability / 100)


def add_amounts(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    """Per-currency sums of per-currency amounts, in the order currencies first come."""
    out: dict[str, int] = {}
    for amounts in parts:
        for currency, cents in amounts.items():
            out[currency] = out.get(currency, 0) + cents
    return out


class Converted(NamedTuple):
    """Amounts in one currency where the caller gives rates: `total` (cents of
    `currency`, None when no amount had a rate) and the amounts left in their own
    currency for want of a rate."""

    currency: str
    total: int | None
    unconverted: dict[str, int]


def convert(amounts: dict[str, int], currency: str, rates: Mapping[str, float]) -> Converted:
    """Per-currency `amounts` as one total in `currency`, where `rates` (currency → what
    one unit is worth in `currency`) has a rate; `currency` itself counts at 1."""
    total, rest = None, {}
    for code, cents in amounts.items():
        rate = 1.0 if code == currency else rates.get(code)
        if rate is None:
            rest[code] = cents
        else:
            total = (total or 0) + round(cents * rate)
    return Converted(currency, total, rest)


def rates_into(
    currency: str, report_currency: str, exchange_rates: Mapping[str, float]
) -> dict[str, float]:
    """The rates that turn amounts into `currency`: `currency` itself at 1, and the
    configured `exchange_rates` only when `currency` is the `report_currency` they are
    given in (no rate is derived for any other currency)."""
    rates = {currency: 1.0}
    if currency == report_currency:
        rates.update({code: rate for code, rate in exchange_rates.items() if code != currency})
    return rates
