"""The currencies a deal may be in: ISO 4217 codes in use today, with their minor units.

A table rather than a call into Babel at run time: the board and every record format
amounts with it, and loading Babel's CLDR data costs about 35 ms. It is Babel's own data
(CLDR: the currencies some territory has as tender today, and their digits) written
out; tests/test_money.py fails when the installed Babel says otherwise, and prints the
table to paste here.
"""

from __future__ import annotations

# Tender somewhere today (CLDR territory data): historic codes (DEM), funds (CLF, UYW),
# metals (XAU) and testing codes (XXX, XTS) are not.
_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE
    SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS
    VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_CODES.split())

# Minor units (decimals) where they are not 2. CLDR's, which follow use where it and
# ISO's letter differ (HUF, IDR, COP: no decimals in use).
_DIGITS = """
    AFN:0 ALL:0 BHD:3 BIF:0 CLP:0 COP:0 DJF:0 GNF:0 HUF:0 IDR:0 IQD:0 IRR:0 ISK:0
    JOD:3 JPY:0 KMF:0 KPW:0 KRW:0 KWD:3 LAK:0 LBP:0 LYD:3 MGA:0 MMK:0 OMR:3 PYG:0
    RWF:0 SOS:0 SYP:0 TND:3 UGX:0 VND:0 VUV:0 XAF:0 XOF:0 XPF:0 YER:0
"""
MINOR_UNITS = {code: int(digits) for code, _, digits in (p.partition(":") for p in _DIGITS.split())}


def minor_units(currency: str) -> int:
    """How many decimals an amount in `currency` has: 0 for JPY, 3 for KWD, else 2."""
    return MINOR_UNITS.get(currency, 2)


def currency_name(code: str) -> str:
    """A currency's name in the language spoken, from CLDR: "Euro", "Złoty" in de,
    "złoty polski" in pl, "新台幣" in zh_TW; the code itself when CLDR has no name.
    Babel is imported on the first call."""
    from babel import Locale, UnknownLocaleError

    from funnel_tui.core.i18n import current_locale

    try:
        return Locale.parse(current_locale()).currencies.get(code.upper(), code.upper())
    except (UnknownLocaleError, ValueError):
        return code.upper()


def from_babel() -> tuple[frozenset[str], dict[str, int]]:
    """The table as the installed Babel has it (the test compares the two)."""
    from babel.core import get_global
    from babel.numbers import get_currency_precision

    territories = get_global("territory_currencies")
    codes = frozenset(
        code
        for currencies in territories.values()
        for code, _start, end, tender in currencies
        if end is None and tender
    )
    digits = {code: get_currency_precision(code) for code in codes}
    return codes, {code: d for code, d in digits.items() if d != 2}
