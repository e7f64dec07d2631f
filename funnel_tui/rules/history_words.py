"""The words of the history: every phrase as a template in the tables below, the small
functions that fill them (a count that agrees with its noun, a level with its article, a
date, a field's name) and the Context a value is worded in; rules.undo_words says an
undo in them.

Every phrase is a template in the tables below, in plain English, so that a translation
replaces them in one place. Nothing here reads the database or imports a UI.
rules.history_lines turns the rows of the history into lines with these words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import to_local
from funnel_tui.core.i18n import N_
from funnel_tui.core.money import exact_figure, exact_money
from funnel_tui.core.output import plain

# ---------------------------------------------------------------- the templates

# Lines of the history: a head, and what follows its colon.
TEMPLATES = {
    "line": "{head}: {body}",
    "record": "{entity} #{id}",
    "record_named": "{entity} #{id} {name}",
    "change": "{old} → {new}",
    "empty": "empty",
    "unknown": "unknown",
    "list": ", ",
    "parts": "; ",
    "date": "{weekday} {day} {month} {year}",
    "time": "{weekday} {day} {month} {year} {hour}:{minute}",
    # A record made
    "captured": "captured",
    "imported": "imported from {file}, row {row}",
    "imported_no_row": "imported from {file}",
    "new_company": "new company",
    "opened": "opened",
    "opened_from": "from lead #{lead}",
    "opened_amount": "{amount} in {stage}",
    "opened_close": "closing {date}",
    "source": "source {source}",
    # Statuses, levels and the funnel's steps
    "status_until": "{change} until {until}",
    "status_because": "{change}: {reason}",
    "promoted": "promoted to prospect",
    "promoted_on": "promoted to prospect (yes: {items})",
    "converted": "converted: opened opportunity #{id}",
    "converted_plain": "converted to an opportunity",
    "became_customer": "became a customer",
    "deal_won": "its deal was won",
    "back_to_opportunity": "back to opportunity",
    "deal_reopened": "its won deal was reopened",
    "by_itself": "{change} (done for you: a two-way contact)",
    "by_undo": "{change} (by undo)",
    "by_merge": "{change} (by merge)",
    "merged_here": "merged {record} into this record",
    "merged_into": "merged into {record}",
    "unmerged": "merge with {record} undone",
    # Deals on the board
    "moved": "moved",
    "opened_in": "opened in",
    "won": "won",
    "lost": "lost",
    "lost_because": "lost ({reason})",
    "reopened": "reopened",
    "stage_change": "{old} → {new}",
    # Owners
    "handed_over": "handed over",
    "handed_over_from": "from {old} to {new}",
    # Activities and next actions
    "logged": "logged {kind}",
    "logged_inbound": "logged {kind} (inbound)",
    "next": "next: {action}",
    "next_due": "next: {action} by {due}",
    "next_action": "Next action",
    "next_action_due": "{action}, due {due}",
    "next_action_cleared": "cleared",
    "snoozed": "snoozed",
    "snoozed_to": "to {due} (was {was})",
    "snoozed_new": "{action}, due {due}",
    "snoozed_named": "{action}, {when}",
    # Answers of the checklist
    "answer_evidence": "evidence: {text}",
    "answer_evidence_change": "evidence: {change}",
    "answer_value": "figure: {text}",
    "answer_value_change": "figure: {change}",
    # Spans of time
    "today": "today",
    "in_time": "in {time}",
    "time_ago": "{time} ago",
    "stage_for": "{stage} for {time}",
    # A change funnel does not know how to word (an older or newer funnel wrote it)
    "unknown_action": "{action}",
    # The summary of an undo
    "undone": "Undone: your {what} {record}: {back}.",
    "undone_back": "back to {value}",
    "undone_batch": "Undone: your {what} {count} records.",
    "undone_merge": "Undone: your merge of {other} into {keep}; both are as they were.",
    "merged_summary": "Merged {other} into {keep}{taken}.",
    "merged_taken": ": {fields} taken from #{other}",
    "unmerge_changed_since": (
        "{user} changed {what} on {record} since the merge ({when}); "
        "undo would overwrite it, so nothing was changed"
    ),
    "a_change": "something",
    "undone_field_back": "{field} back to {value}",
    "undone_more": "{listed} and {count} more",
    "quoted": '"{text}"',
    # Refusals of undo (rules.undo)
    "undo_stays": "your last change{where} ({what} {record}) stays: {why}",
    "undo_changed_since": (
        "{user} changed the {field} of {record} since ({when}); "
        "undo would overwrite it, so nothing was changed"
    ),
}

# A count and the noun (and verb) that agree with it: (one, more than one).
PLURALS = {
    "deal": ("{count} deal", "{count} deals"),
    "record": ("{count} record", "{count} records"),
    "row": ("{count} row", "{count} rows"),
    "lead": ("{count} lead", "{count} leads"),
    "company": ("{count} company", "{count} companies"),
    "opportunity": ("{count} opportunity", "{count} opportunities"),
    "activity": ("{count} activity", "{count} activities"),
    "day": ("{count} day", "{count} days"),
    "currency_no_rate": ("{count} currency has no rate", "{count} currencies have no rate"),
    "currency": ("{count} currency", "{count} currencies"),
    "interaction": ("{count} two-way interaction", "{count} two-way interactions"),
    "duplicate_skipped": ("{count} duplicate skipped", "{count} duplicates skipped"),
    "cell": ("{count} cell", "{count} cells"),
    "value": ("{count} value", "{count} values"),
    "line_more": (
        "{count} more line that looks like a row of its own",
        "{count} more lines that look like rows of their own",
    ),
    "history_entry": ("{count} history entry", "{count} history entries"),
    "change": ("{count} change", "{count} changes"),
    "matches_lead": (
        "saved although it matches lead {ids}",
        "saved although it matches leads {ids}",
    ),
}

# What a record is called.
ENTITIES = {
    "lead": "lead",
    "opportunity": "opportunity",
    "activity": "activity",
    "company": "company",
}

# The fields of records as a rep calls them; a line starts with its field's word.
FIELDS = {
    "name": "name",
    "title": "title",
    "company": "company",
    "phone": "phone",
    "phone_raw": "phone",
    "phone_e164": "phone",
    "email": "email",
    "email_raw": "email",
    "email_norm": "email",
    "country": "country",
    "source": "source",
    "notes": "notes",
    "owner": "owner",
    "status": "status",
    "level": "level",
    "nurture_until": "nurture until",
    "unqualified_reason": "reason unqualified",
    "next_action": "next action",
    "next_action_due": "next action due",
    "stage": "stage",
    "state": "state",
    "lost_reason": "reason lost",
    "closed_at": "closed",
    "amount_cents": "amount",
    "currency": "currency",
    "expected_close": "expected close",
    "opportunity": "opportunity",
    "duplicate_of": "duplicate of",
    "checklist": "checklist",
    "answer": "answer",
    "evidence": "evidence",
    "value": "figure",
    "industry": "industry",
    "employees": "employees",
    "website": "website",
}

# Values that are words of the product (statuses, levels, states, answers).
VALUES = {
    "new": "new",
    "working": "working",
    "nurturing": "nurturing",
    "unqualified": "unqualified",
    "lead": "lead",
    "prospect": "prospect",
    "opportunity": "opportunity",
    "customer": "customer",
    "open": "open",
    "won": "won",
    "lost": "lost",
    "yes": "yes",
    "no": "no",
    "unknown": "unknown",
}

# A level with its article, for "lead #3 is already an opportunity".
LEVELS_WITH_ARTICLE = {
    "lead": "a lead",
    "prospect": "a prospect",
    "opportunity": "an opportunity",
    "customer": "a customer",
}

# The checklist's BANT items (the ICP criteria's labels come from the config).
BANT_LABELS = {
    "budget": N_("Budget"),
    "authority": N_("Authority"),
    "need": N_("Need"),
    "timeline": N_("Timeline"),
}

# Kinds of activity with their article, and their outcomes.
ACTIVITY_KINDS = {
    "call": "a call",
    "email": "an email",
    "meeting": "a meeting",
    "sms": "an SMS",
    "social": "a social message",
    "in_person": "an in-person meeting",
    "note": "a note",
}
ACTIVITY_KIND_NAMES = {
    "call": "call",
    "email": "email",
    "meeting": "meeting",
    "sms": "SMS",
    "social": "social message",
    "in_person": "in person",
    "note": "note",
}
OUTCOMES = {
    "reached": "reached",
    "no_answer": "no answer",
    "left_voicemail": "left a voicemail",
    "busy": "busy",
    "wrong_number": "wrong number",
    "sent": "sent",
    "replied": "replied",
    "bounced": "bounced",
    "held": "held",
    "no_show": "no show",
    "rescheduled": "rescheduled",
    "connected": "connected",
    "met": "met",
}

# What an undone change was, for its summary: "Undone: your edit of lead #3 …".
UNDONE_WHAT = {
    "update": "edit of",
    "status": "change of status on",
    "qualify": "checklist answer on",
    "undo": "undo on",
    "undo_batch": "undo of a change of",
    "merge": "merge into",
    "assign": "hand-over of",
    "bulk_status": "status change on",
    "bulk_activity": "activity logged on",
    "move": "move of",
    "won": "win of",
    "lost": "loss of",
    "reopened": "reopening of",
}
# What a change that stays was, for undo's refusal: "(the capture of lead #3)".
CHANGE_NAMES = {
    "create": "the creation of",
    "import": "the import of",
    "duplicate_saved": "the saving of",
    "update": "your edit of",
    "status": "your change of status on",
    "qualify": "your checklist answer on",
    "promote": "the promotion of",
    "convert": "the conversion of",
    "move": "your move of",
    "snooze": "your snooze on",
    "undo": "your undo on",
    "assign": "your hand-over of",
    "bulk_status": "your status change on",
    "bulk_activity": "your activity logged on",
}

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def say(key: str, **values: Any) -> str:
    """The template `key` filled in."""
    return TEMPLATES[key].format(**values)


def many(count: int, key: str, **values: Any) -> str:
    """`1 deal`, `2 deals`: a count with the words of PLURALS[key] that agree with it."""
    one, more = PLURALS[key]
    return (one if count == 1 else more).format(count=f"{count:,}", **values)


def days_from_today(days: int) -> str:
    """`today`, `in 1 day`, `3 days ago`."""
    if days == 0:
        return say("today")
    if days > 0:
        return say("in_time", time=many(days, "day"))
    return say("time_ago", time=many(-days, "day"))


def with_article(level: str) -> str:
    """`an opportunity`, `a prospect`: a level as a sentence names it."""
    return LEVELS_WITH_ARTICLE.get(level, level)


def field_word(name: str) -> str:
    """A column or form field as a rep calls it: `nurture_until` → `nurture until`."""
    return FIELDS.get(name, name.replace("_", " "))


def record_words(entity: str, entity_id: int, name: str = "") -> str:
    """`lead #3`, or `lead #3 Anna Dup` with its name."""
    what = ENTITIES.get(entity, entity)
    if name:
        return say("record_named", entity=what, id=entity_id, name=plain(name))
    return say("record", entity=what, id=entity_id)


def value_word(value: str) -> str:
    return VALUES.get(value, value)


def outcome_words(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome.replace("_", " "))


def kind_words(kind: str) -> str:
    """An activity's kind on its own: `call`, `in person`."""
    return ACTIVITY_KIND_NAMES.get(kind, kind.replace("_", " "))


def date_words(day: dt.date) -> str:
    """`Mon 1 Mar 2027`: never a bare 03/01 that reads two ways."""
    return say(
        "date",
        weekday=WEEKDAYS[day.weekday()],
        day=day.day,
        month=MONTHS[day.month - 1],
        year=day.year,
    )


def time_words(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A stored (naive UTC) time in the user's zone: `Fri 4 Dec 2026 06:45`."""
    local = to_local(moment, zone)
    return say(
        "time",
        weekday=WEEKDAYS[local.weekday()],
        day=local.day,
        month=MONTHS[local.month - 1],
        year=local.year,
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
    )


# ------------------------------------------------ what the history and undo share


class Context:
    """What wording needs besides the rows: the config (the ICP criteria's labels and
    the won and lost stages), the user's zone, and names for the companies a change
    names by id."""

    def __init__(
        self,
        config: Config | None = None,
        zone: dt.tzinfo = dt.UTC,
        companies: Mapping[int, str] | None = None,
    ) -> None:
        self.config = config
        self.zone = zone
        self.companies = dict(companies or {})
        self.labels = dict(BANT_LABELS)
        if config is not None:
            self.labels.update({f"icp:{c.key}": c.label for c in config.icp})

    def item_label(self, item: str) -> str:
        """A checklist item's label: `Budget`, `Company size (employees)`."""
        if item in self.labels:
            return self.labels[item]
        return _capital(item.removeprefix("icp:").replace("_", " "))

    def value(self, field: str, value: Any) -> str:
        """A stored value as a person reads it; "empty" for nothing."""
        if value is None or value == "":
            return say("empty")
        text = str(value)
        if field in _DATE_FIELDS:
            day = _date(text)
            return date_words(day) if day else plain(text)
        if field in _TIME_FIELDS:
            moment = _time(text)
            return time_words(moment, self.zone) if moment else plain(text)
        if field == "company":
            try:
                company_id = int(text)
            except ValueError:
                return plain(text)
            name = self.companies.get(company_id)
            return plain(name) if name else record_words("company", company_id)
        if field in _VALUE_FIELDS:
            return value_word(text)
        if field == "amount_cents":
            return amount_words(text)
        return plain(text)

    def change(self, field: str, old: Any, new: Any) -> str:
        return say("change", old=self.value(field, old), new=self.value(field, new))


def amount_words(cents: Any, currency: str = "") -> str:
    """A stored amount (hundredths) as a person reads it: `EUR 1,250.50`, or `1,250.50`
    when the change does not say its currency."""
    try:
        value = int(str(cents))
    except ValueError:
        return plain(str(cents))
    return exact_money(value, currency) if currency else exact_figure(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def activity_words(kind: str, direction: str, outcome: str) -> tuple[str, str]:
    """(head, body) of a logged activity: ("logged a call", "reached")."""
    what = ACTIVITY_KINDS.get(kind, kind.replace("_", " "))
    head = say("logged_inbound" if direction == "inbound" else "logged", kind=what)
    return head, outcome_words(outcome) if outcome else ""


# Fields funnel derives or keeps for itself: never a line of their own.
_HIDDEN = frozenset({"name_key", "company_key", "phone_display", "phone_type", "closed_at"})
# Fields shown only when the field a person typed is not beside them in the change.
_SHOWN_BESIDE = {
    "phone_e164": frozenset({"phone_raw"}),
    "email_norm": frozenset({"email_raw"}),
}
_DATE_FIELDS = frozenset({"nurture_until", "next_action_due", "expected_close", "next_due"})
_TIME_FIELDS = frozenset({"closed_at", "promoted_at", "created_at", "last_activity_at"})
_VALUE_FIELDS = frozenset({"status", "level", "state", "answer"})


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
