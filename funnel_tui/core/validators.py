"""Phone, email and record checks, returning structured results.

Every check returns a `Check` (field, code, human message, normalised value) and every
refusal is a `Problem` naming the field, so the CLI, the screens and imports can all say
exactly what is wrong and where. phonenumbers and email_validator are imported on first
use: commands that never validate (`funnel --help`, `funnel list`) do not pay for them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from funnel_tui.core.countries import country_code, country_name
from funnel_tui.core.errors import Problem
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language

# Longest text each field accepts. Longer input is refused, never cut: cutting would lose
# what the user typed.
LIMITS = {
    "name": 500,
    "company": 500,
    "title": 300,
    "source": 100,
    "country": 60,
    "phone": 64,
    "email": 320,
    "notes": 20000,
    "note": 20000,
    "evidence": 1000,
    "reason": 500,
    "industry": 200,
    "website": 500,
    "next_action": 500,
    "outcome": 100,
    "value": 100,
}
MULTILINE_FIELDS = frozenset({"notes", "note"})

# C0 and C1 control characters and DEL. Format characters (Cf) are kept: zero-width joiners
# build emoji and scripts need them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES_AND_BREAKS = re.compile(r"[\t\n\r]+")
_EMAIL_TOKEN = re.compile(r"[^\s,;<>()]+@[^\s,;<>()]+")
_PHONE_ONLY = re.compile(r"[0-9+\-()./\s]+")


@dataclass(frozen=True)
class Check:
    """The outcome of checking one field: ok or a problem, with the normalised value."""

    field: str
    ok: bool
    code: str
    message: str
    value: str = ""  # normalised: E.164 phone, normalised email; "" when empty or refused
    details: dict[str, str] = field(default_factory=dict)

    @property
    def problem(self) -> Problem | None:
        return None if self.ok else Problem(self.field, self.code, self.message)


def clean_text(value: object, field_name: str = "") -> str:
    """Text as stored: control characters removed, ends trimmed, one line unless a note."""
    text = "" if value is None else str(value)
    if text.isprintable():  # no control character nor line break: nothing to remove
        return text.strip()
    if field_name in MULTILINE_FIELDS:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL_KEEP_LINES.sub("", text).strip()
    text = _SPACES_AND_BREAKS.sub(" ", text)
    return _CONTROL.sub("", text).strip()


def check_length(field_name: str, text: str) -> Problem | None:
    limit = LIMITS.get(field_name)
    if limit is not None and len(text) > limit:
        return Problem(
            field_name,
            "too_long",
            _("is {length} characters long; at most {limit} fit").format(
                length=len(text), limit=limit
            ),
        )
    return None


def check_name(value: object) -> Check:
    text = clean_text(value, "name")
    if not text:
        return Check("name", False, "required", _("is required"))
    problem = check_length("name", text)
    if problem:
        return Check("name", False, problem.code, problem.message)
    return Check("name", True, "ok", "", text)


def check_country(value: object) -> Check:
    text = clean_text(value, "country")
    if not text:
        return Check("country", True, "empty", "", "")
    code = country_code(text)
    if code is None:
        return Check(
            "country",
            False,
            "unknown_country",
            _("{text!r} is not a country funnel knows; use a code such as DE, MX or TW").format(
                text=text
            ),
        )
    return Check("country", True, "ok", country_name(code), code)


_PHONE_TYPE_NAMES = {
    0: N_("fixed line"),
    1: N_("mobile"),
    2: N_("fixed line or mobile"),
    3: N_("toll free"),
    4: N_("premium rate"),
    5: N_("shared cost"),
    6: N_("VoIP"),
    7: N_("personal number"),
    8: N_("pager"),
    9: N_("UAN"),
    10: N_("voicemail"),
}


def check_phone(value: object, region: str = "") -> Check:
    """Parse a phone number with `region` as the default for numbers without "+".

    On success `value` is E.164 and `details` holds the international format, the region
    and the number type.
    """
    import phonenumbers
    from phonenumbers import NumberParseException, ValidationResult

    text = clean_text(value, "phone")
    if not text:
        return Check("phone", True, "empty", "", "")
    problem = check_length("phone", text)
    if problem:
        return Check("phone", False, problem.code, problem.message)
    if not text.startswith("+") and not region:
        return Check(
            "phone",
            False,
            "no_region",
            _(
                "{text} has no country code: add the country code (e.g. +49 …) "
                "or set the lead's country"
            ).format(text=text),
        )
    try:
        number = phonenumbers.parse(text, region or None)
    except NumberParseException as exc:
        return Check("phone", False, *_parse_failure(exc, text))
    # An invalid number maps to no region; name the country its code belongs to instead.
    where = (
        phonenumbers.region_code_for_number(number)
        or phonenumbers.region_code_for_country_code(number.country_code)
        or region
    )
    place = country_name(where) if where and where != "001" else _("that country code")
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        message = _("{text} has an unknown country code").format(text=text)
        return Check("phone", False, "invalid_country_code", message)
    if possible == ValidationResult.TOO_SHORT:
        message = _("{text} is too short for {place}").format(text=text, place=place)
        return Check("phone", False, "too_short", message)
    if possible == ValidationResult.TOO_LONG:
        message = _("{text} is too long for {place}").format(text=text, place=place)
        return Check("phone", False, "too_long", message)
    if possible == ValidationResult.INVALID_LENGTH:
        message = _("{text} has the wrong number of digits for {place}")
        return Check("phone", False, "invalid_length", message.format(text=text, place=place))
    if not phonenumbers.is_valid_number(number):
        return Check(
            "phone",
            False,
            "not_valid",
            _(
                "{text} is not a valid number for {place} "
                "(the length is possible, but no such numbers are in use)"
            ).format(text=text, place=place),
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    pretty = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    kind = _PHONE_TYPE_NAMES.get(phonenumbers.number_type(number), "")
    details = {"international": pretty, "region": where, "type": kind}
    shown = f"{pretty} ({country_name(where)}, {_(kind) if kind else ''})"
    return Check("phone", True, "ok", shown, e164, details)


def _parse_failure(exc: Exception, text: str) -> tuple[str, str]:
    from phonenumbers import NumberParseException

    reasons = {
        NumberParseException.INVALID_COUNTRY_CODE: (
            "invalid_country_code",
            _("{text} has an unknown country code").format(text=text),
        ),
        NumberParseException.NOT_A_NUMBER: (
            "not_a_number",
            _("{text} is not a phone number").format(text=text),
        ),
        NumberParseException.TOO_SHORT_AFTER_IDD: (
            "too_short",
            _("{text} is too short").format(text=text),
        ),
        NumberParseException.TOO_SHORT_NSN: (
            "too_short",
            _("{text} is too short").format(text=text),
        ),
        NumberParseException.TOO_LONG: ("too_long", _("{text} is too long").format(text=text)),
    }
    fallback = ("not_a_number", _("{text} is not a phone number").format(text=text))
    return reasons.get(exc.error_type, fallback)


def check_email(value: object, *, deliverability: bool = False) -> Check:
    """Check an address offline (no DNS unless `deliverability`); value is normalised.

    Internationalised addresses are accepted. The normalised form lower-cases the domain
    (domains are case-insensitive) and keeps the local part as typed.
    """
    from email_validator import EmailNotValidError, EmailUndeliverableError, validate_email

    text = clean_text(value, "email")
    if not text:
        return Check("email", True, "empty", "", "")
    problem = check_length("email", text)
    if problem:
        return Check("email", False, problem.code, problem.message)
    try:
        result = validate_email(text, check_deliverability=deliverability)
    except EmailUndeliverableError as exc:
        return Check("email", False, "undeliverable", f"{text}: {_email_reason(exc)}")
    except EmailNotValidError as exc:
        message = _("{text} is not valid: {reason}").format(text=text, reason=_email_reason(exc))
        return Check("email", False, "invalid", message)
    return Check("email", True, "ok", result.normalized, result.normalized)


# email-validator's most common reasons, worded for each language; any other reads as
# the library says it (in English).
_EMAIL_REASONS = {
    "There must be something after the @-sign.": N_("there must be something after the @"),
    "There must be something before the @-sign.": N_("there must be something before the @"),
    "An email address must have an @-sign.": N_("an email address needs an @"),
    "The part after the @-sign is not valid. It should have a period.": N_(
        "the part after the @ needs a dot, as in example.com"
    ),
    "An email address cannot have two periods in a row.": N_(
        "an email address cannot have two dots in a row"
    ),
}


def _email_reason(exc: Exception) -> str:
    reason = str(exc).strip()
    if reason in _EMAIL_REASONS and current_language() != ENGLISH:
        return _(_EMAIL_REASONS[reason])
    for prefix in ("The email address is not valid. ", "The email address is not valid."):
        if reason.startswith(prefix):
            reason = reason[len(prefix) :].strip() or "it is not a valid address"
    return reason[:1].lower() + reason[1:].rstrip(".")


def check_text(field_name: str, value: object) -> Check:
    """A free-text field: cleaned and length-checked."""
    text = clean_text(value, field_name)
    problem = check_length(field_name, text)
    if problem:
        return Check(field_name, False, problem.code, problem.message)
    return Check(field_name, True, "ok", "", text)


def check_choice(field_name: str, value: object, choices: tuple[str, ...]) -> Check:
    """A value from a configured list, matched case-insensitively; empty is allowed."""
    text = clean_text(value, field_name)
    if not text:
        return Check(field_name, True, "empty", "", "")
    folded = text.casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return Check(field_name, True, "ok", "", choice)
    listed = ", ".join(choices)
    message = _("{text!r} is not one of: {choices}").format(text=text, choices=listed)
    return Check(field_name, False, "not_a_choice", message)


def normalise_key(text: str) -> str:
    """A name or company as compared for duplicates: case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def sort_contact(phone: str, email: str) -> tuple[str, str]:
    """(phone, email) with each typed into the field it belongs to.

    A rep types whatever the card shows into the first contact field: an email address
    in the phone field (alone, or after the number: "+48 512 345 678 anna@kowalski.pl")
    moves to an empty email field; a number in the email field moves to an empty phone
    field. Nothing is moved onto something already typed, and text that moves nowhere
    comes back exactly as typed.
    """
    if not email.strip():
        found = _EMAIL_TOKEN.search(phone)
        if found:
            rest = (phone[: found.start()] + phone[found.end() :]).strip(" ,;/\t")
            return rest, found.group()
    if not phone.strip() and "@" not in email:
        text = email.strip()
        if _PHONE_ONLY.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 5:
            return text, ""
    return phone, email
