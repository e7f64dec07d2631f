"""Valid mobile numbers for the demo without validating each one: per region, prefixes
valid with any digits after them, and how people type such a number, learnt once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from funnel_tui.demo import names as words


@dataclass(frozen=True)
class PhonePlan:
    """Mobile numbers of one region with one prefix, and how people type them."""

    country_code: str
    prefix: str
    free: int
    type_name: str
    international: tuple[str, tuple[tuple[int, str], ...]]
    national: tuple[str, tuple[tuple[int, str], ...]]


def _layout(formatted: str, nsn: str, free: int) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Split a formatted sample into the text before the free digits and the groups of
    free digits with what follows each group, e.g. "+49 151 " and ((8, ""),)."""
    positions = [i for i, ch in enumerate(formatted) if ch.isdigit()][-len(nsn) :]
    if "".join(formatted[i] for i in positions) != nsn:
        raise ValueError(f"cannot find {nsn} in {formatted}")
    first = positions[len(nsn) - free]
    groups: list[tuple[int, str]] = []
    run, sep = 0, ""
    for ch in formatted[first:]:
        if ch.isdigit():
            if sep:
                groups.append((run, sep))
                run, sep = 0, ""
            run += 1
        else:
            sep += ch
    groups.append((run, sep))
    return formatted[:first], tuple(groups)


def render(layout: tuple[str, tuple[tuple[int, str], ...]], digits: str) -> str:
    head, groups = layout
    out, at = head, 0
    for count, sep in groups:
        out += digits[at : at + count] + sep
        at += count
    return out


@cache
def phone_plans() -> dict[str, tuple[PhonePlan, ...]]:
    """Per region, its mobile prefixes with their typed layouts (built once a process).

    A prefix whose sample number does not validate (newer phone metadata, say) is left
    out rather than producing invalid numbers.
    """
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    from funnel_tui.core.validators import check_phone

    plans: dict[str, tuple[PhonePlan, ...]] = {}
    for spec in words.REGIONS:
        code = str(phonenumbers.country_code_for_region(spec.code))
        found = []
        for prefix in spec.mobile_prefixes.split():
            nsn = prefix + "2345678901"[: spec.free_digits]
            check = check_phone("+" + code + nsn)
            if not check.ok or check.details.get("region") != spec.code:
                continue
            number = phonenumbers.parse("+" + code + nsn)
            try:
                intl = _layout(
                    phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
                    nsn,
                    spec.free_digits,
                )
                national = _layout(
                    phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
                    nsn,
                    spec.free_digits,
                )
            except ValueError:
                continue
            found.append(
                PhonePlan(code, prefix, spec.free_digits, check.details["type"], intl, national)
            )
        if not found:
            raise RuntimeError(f"no usable mobile prefix for {spec.code}")
        plans[spec.code] = tuple(found)
    return plans
