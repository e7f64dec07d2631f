"""What a form shows under a field when it is left: the normalised value, or why it is
refused. Shared by the capture form and the lead record so both say the same."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from funnel_tui.core import validators as v
from funnel_tui.core.i18n import ENGLISH, _, current_language
from funnel_tui.core.labels import field_label

CHECKED_FIELDS = ("name", "phone", "email", "country")


def feedback(name: str, values: dict[str, str], default_region: str) -> Text | None:
    """The line for field `name` given every field's current text; None shows nothing."""
    region = v.check_country(values.get("country", "")).value or default_region
    value = values.get(name, "")
    if name == "phone":
        check = v.check_phone(value, region)
    elif name == "email":
        check = v.check_email(value)
    elif name == "country":
        check = v.check_country(value)
    elif name == "name" and value:
        check = v.check_name(value)
    else:
        return None
    if check.code == "empty":
        return None
    if not check.ok:
        return Text(f"✘ {named(name, check.message)}", style="red")
    return Text(f"✔ {check.message}", style="green") if check.message else None


def named(field: str, message: str) -> str:
    """A message that leaves its subject to the field ("is required", "is 300
    characters long") with the field put in front: "Name is required"."""
    if current_language() != ENGLISH:
        # Other languages say the field as a label: "Name: ist Pflicht", "姓名：為必填".
        return _("{field}: {message}").format(field=field_label(field), message=message)
    if message.startswith(("is ", "must ", "cannot ")):
        return f"{field.replace('_', ' ').capitalize()} {message}"
    return message


def show_hint(hint: Static, text: Text | None) -> None:
    """A hint line takes room only while it has something to say."""
    hint.display = text is not None
    if text is not None:
        hint.update(text)
