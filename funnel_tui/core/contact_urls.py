"""The URLs of a phone and an email (`tel:`, `mailto:`), built from stored values that
are not trusted: a member can write the shared file, so what goes into a terminal's
hyperlink or a calendar's URL line is only what such a URL can hold."""

from __future__ import annotations

import re
from urllib.parse import quote

_NOT_DIALLED = re.compile(r"[^\d+]")


def tel_url(number: str) -> str:
    """`tel:+48512345678` for a number in E.164 (or as shown, +48 512 345 678); "" for
    one without its country code, which a phone cannot dial from anywhere."""
    digits = _NOT_DIALLED.sub("", number or "")
    return f"tel:{digits}" if digits.startswith("+") and len(digits) > 4 else ""


def mail_url(address: str) -> str:
    """`mailto:` an address as stored (checked by email-validator when saved); "" for
    none or one that could not be a link (a space, a quote, a bracket, a control
    character in it). Letters beyond ASCII are percent-encoded, so the URL holds
    printable ASCII alone and nothing in it can end an escape sequence or a line."""
    address = (address or "").strip()
    if "@" not in address or any(c in address for c in ' "<>[]\\') or not address.isprintable():
        return ""
    return "mailto:" + quote(address, safe="@.+-_!#$&'*/=?^`{|}~%")
