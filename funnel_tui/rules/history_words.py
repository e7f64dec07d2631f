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
from collections.abc import Iterable, Mapping
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import to_local
from funnel_tui.core.formats import date_weekday, number
from funnel_tui.core.i18n import ENGLISH, N_, N_plural, _, current_language, ngettext
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.money import exact_figure, exact_money
from funnel_tui.core.output import plain

# ---------------------------------------------------------------- the templates

# Lines of the history: a head, and what follows its colon.
TEMPLATES = {
    "line": N_("{head}: {body}"),
    "record": N_("{entity} #{id}"),
    "record_named": N_("{entity} #{id} {name}"),
    "change": N_("{old} → {new}"),
    "empty": N_("empty"),
    "unknown": N_("unknown"),
    "list": N_(", "),
    "parts": N_("; "),
    "date": N_("{weekday} {day} {month} {year}"),
    "time": N_("{weekday} {day} {month} {year} {hour}:{minute}"),
    # A record made
    "captured": N_("captured"),
    "imported": N_("imported from {file}, row {row}"),
    "imported_no_row": N_("imported from {file}"),
    "new_company": N_("new company"),
    "opened": N_("opened"),
    "opened_from": N_("from lead #{lead}"),
    "opened_amount": N_("{amount} in {stage}"),
    "opened_close": N_("closing {date}"),
    "source": N_("source {source}"),
    # Statuses, levels and the funnel's steps
    "status_until": N_("{change} until {until}"),
    "status_because": N_("{change}: {reason}"),
    "promoted": N_("promoted to prospect"),
    "promoted_on": N_("promoted to prospect (yes: {items})"),
    "converted": N_("converted: opened opportunity #{id}"),
    "converted_plain": N_("converted to an opportunity"),
    "became_customer": N_("became a customer"),
    "deal_won": N_("its deal was won"),
    "back_to_opportunity": N_("back to opportunity"),
    "deal_reopened": N_("its won deal was reopened"),
    "by_itself": N_("{change} (done for you: a two-way contact)"),
    "by_undo": N_("{change} (by undo)"),
    "by_merge": N_("{change} (by merge)"),
    "merged_here": N_("merged {record} into this record"),
    "merged_into": N_("merged into {record}"),
    "unmerged": N_("merge with {record} undone"),
    # Erasure on request (rules.erasure): the fields named, none of their values.
    "erased": N_("erased on request"),
    # Deals on the board
    "moved": N_("moved"),
    "opened_in": N_("opened in"),
    "won": N_("won"),
    "lost": N_("lost"),
    "lost_because": N_("lost ({reason})"),
    "reopened": N_("reopened"),
    "stage_change": N_("{old} → {new}"),
    # Owners
    "handed_over": N_("handed over"),
    "handed_over_from": N_("from {old} to {new}"),
    # Activities and next actions
    "logged": N_("logged {kind}"),
    "logged_inbound": N_("logged {kind} (inbound)"),
    "next": N_("next: {action}"),
    "next_due": N_("next: {action} by {due}"),
    "next_action": N_("Next action"),
    "next_action_due": N_("{action}, due {due}"),
    "next_action_cleared": N_("cleared"),
    "snoozed": N_("snoozed"),
    "snoozed_to": N_("to {due} (was {was})"),
    "snoozed_new": N_("{action}, due {due}"),
    "snoozed_named": N_("{action}, {when}"),
    # Answers of the checklist
    "answer_evidence": N_("evidence: {text}"),
    "answer_evidence_change": N_("evidence: {change}"),
    "answer_value": N_("figure: {text}"),
    "answer_value_change": N_("figure: {change}"),
    # Spans of time
    "today": N_("today"),
    "in_time": N_("in {time}"),
    "time_ago": N_("{time} ago"),
    # A change funnel does not know how to word (an older or newer funnel wrote it)
    "unknown_action": N_("{action}"),
    # The summary of an undo
    "undone": N_("Undone: your {what} {record}: {back}."),
    "undone_back": N_("back to {value}"),
    "undone_batch": N_("Undone: your {what} {count} records."),
    "undone_merge": N_("Undone: your merge of {other} into {keep}; both are as they were."),
    "merged_summary": N_("Merged {other} into {keep}{taken}."),
    "merged_taken": N_(": {fields} taken from #{other}"),
    "unmerge_changed_since": N_(
        "{user} changed {what} on {record} since the merge ({when}); "
        "undo would overwrite it, so nothing was changed"
    ),
    "a_change": N_("something"),
    "undone_field_back": N_("{field} back to {value}"),
    "undone_more": N_("{listed} and {count} more"),
    "quoted": '"{text}"',
    # Refusals of undo (rules.undo)
    "undo_stays": N_("your last change ({what} {record}) stays: {why}"),
    "undo_stays_on": N_("your last change on {on} ({what} {record}) stays: {why}"),
    "undo_nothing": N_("you have no change to undo"),
    "undo_nothing_on": N_("you have no change to undo on {on}"),
    "item_part": N_("{item} {part}"),
    "undo_changed_since": N_(
        "{user} changed the {field} of {record} since ({when}); "
        "undo would overwrite it, so nothing was changed"
    ),
}

# A count and the noun (and verb) that agree with it: (one, more than one).
PLURALS = {
    "deal": N_plural("{count} deal", "{count} deals"),
    "record": N_plural("{count} record", "{count} records"),
    "row": N_plural("{count} row", "{count} rows"),
    "lead": N_plural("{count} lead", "{count} leads"),
    "company": N_plural("{count} company", "{count} companies"),
    "opportunity": N_plural("{count} opportunity", "{count} opportunities"),
    "activity": N_plural("{count} activity", "{count} activities"),
    # A deal's stage and how long it has stood there, one phrase with its count: "seit 3
    # Tagen in der Phase Angebot", "Oferta od 1 dnia".
    "stage_for_days": N_plural("{stage} for {count} day", "{stage} for {count} days"),
    "currency_no_rate": N_plural("{count} currency has no rate", "{count} currencies have no rate"),
    "currency": N_plural("{count} currency", "{count} currencies"),
    "interaction": N_plural("{count} two-way interaction", "{count} two-way interactions"),
    "duplicate_skipped": N_plural("{count} duplicate skipped", "{count} duplicates skipped"),
    "cell": N_plural("{count} cell", "{count} cells"),
    "value": N_plural("{count} value", "{count} values"),
    "line_more": N_plural(
        "{count} more line that looks like a row of its own",
        "{count} more lines that look like rows of their own",
    ),
    "history_entry": N_plural("{count} history entry", "{count} history entries"),
    "change": N_plural("{count} change", "{count} changes"),
    "matches_lead": N_plural(
        "saved although it matches lead {ids}",
        "saved although it matches leads {ids}",
    ),
}

# What a record is called.
ENTITIES = {
    "lead": N_("lead"),
    "opportunity": N_("opportunity"),
    "activity": N_("activity"),
    "company": N_("company"),
}

# The fields of records as a rep calls them; a line starts with its field's word.
FIELDS = {
    "name": N_("name"),
    "title": N_("title"),
    "company": N_("company"),
    "phone": N_("phone"),
    "phone_raw": N_("phone"),
    "phone_e164": N_("phone"),
    "email": N_("email"),
    "email_raw": N_("email"),
    "email_norm": N_("email"),
    "country": N_("country"),
    "source": N_("source"),
    "notes": N_("notes"),
    "owner": N_("owner"),
    "status": N_("status"),
    "level": N_("level"),
    "nurture_until": N_("nurture until"),
    "unqualified_reason": N_("reason unqualified"),
    "next_action": N_("next action"),
    "next_action_due": N_("next action due"),
    "next_action_at": N_("next action time"),
    "stage": N_("stage"),
    "state": N_("state"),
    "lost_reason": N_("reason lost"),
    "closed_at": N_("closed"),
    "amount_cents": N_("amount"),
    "currency": N_("currency"),
    "expected_close": N_("expected close"),
    "opportunity": N_("opportunity"),
    "duplicate_of": N_("duplicate of"),
    "checklist": N_("checklist"),
    "answer": N_("answer"),
    "evidence": N_("evidence"),
    "value": N_("figure"),
    "industry": N_("industry"),
    "employees": N_("employees"),
    "website": N_("website"),
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
    "lead": N_("a lead"),
    "prospect": N_("a prospect"),
    "opportunity": N_("an opportunity"),
    "customer": N_("a customer"),
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
    "call": N_("a call"),
    "email": N_("an email"),
    "meeting": N_("a meeting"),
    "sms": N_("an SMS"),
    "social": N_("a social message"),
    "in_person": N_("an in-person meeting"),
    "note": N_("a note"),
}
ACTIVITY_KIND_NAMES = {
    "call": N_("call"),
    "email": N_("email"),
    "meeting": N_("meeting"),
    "sms": N_("SMS"),
    "social": N_("social message"),
    "in_person": N_("in person"),
    "note": N_("note"),
}
OUTCOMES = {
    "reached": N_("reached"),
    "no_answer": N_("no answer"),
    "left_voicemail": N_("left a voicemail"),
    "busy": N_("busy"),
    "wrong_number": N_("wrong number"),
    "sent": N_("sent"),
    "replied": N_("replied"),
    "bounced": N_("bounced"),
    "held": N_("held"),
    "no_show": N_("no show"),
    "rescheduled": N_("rescheduled"),
    "connected": N_("connected"),
    "met": N_("met"),
}

# What an undone change was, for its summary: "Undone: your edit of lead #3 …".
UNDONE_WHAT = {
    "update": N_("edit of"),
    "status": N_("change of status on"),
    "qualify": N_("checklist answer on"),
    "undo": N_("undo on"),
    "undo_batch": N_("undo of a change of"),
    "merge": N_("merge into"),
    "assign": N_("hand-over of"),
    "bulk_status": N_("status change on"),
    "bulk_activity": N_("activity logged on"),
    "move": N_("move of"),
    "won": N_("win of"),
    "lost": N_("loss of"),
    "reopened": N_("reopening of"),
}
# What a change that stays was, for undo's refusal: "(the capture of lead #3)".
CHANGE_NAMES = {
    "create": N_("the creation of"),
    "import": N_("the import of"),
    "duplicate_saved": N_("the saving of"),
    "update": N_("your edit of"),
    "status": N_("your change of status on"),
    "qualify": N_("your checklist answer on"),
    "promote": N_("the promotion of"),
    "convert": N_("the conversion of"),
    "move": N_("your move of"),
    "snooze": N_("your snooze on"),
    "undo": N_("your undo on"),
    "assign": N_("your hand-over of"),
    "bulk_status": N_("your status change on"),
    "bulk_activity": N_("your activity logged on"),
    "unmerge": N_("your unmerge of"),
    "erase": N_("the erasure on request of"),
}

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def say(key: str, **values: Any) -> str:
    """The template `key` filled in, in the rep's language."""
    return _(TEMPLATES[key]).format(**values)


def many(count: int, key: str, **values: Any) -> str:
    """`1 deal`, `2 deals`: a count with the words of PLURALS[key] that agree with it
    (by the language's rule: Polish has three forms)."""
    one, more = PLURALS[key]
    return ngettext(one, more, count).format(count=number(count), **values)


def listed(items: Iterable[str]) -> str:
    """Names one after another as the language lists them: `a, b, c` (`a、b、c`)."""
    return say("list").join(items)


def days_from_today(days: int) -> str:
    """`today`, `in 1 day`, `3 days ago`: each a whole phrase with its count, as a
    language bends the noun after its preposition (German "in 20 Tagen", "vor 3 Tagen")."""
    if days == 0:
        return say("today")
    if days > 0:
        return ngettext("in {count} day", "in {count} days", days).format(count=number(days))
    return ngettext("{count} day ago", "{count} days ago", -days).format(count=number(-days))


def with_article(level: str) -> str:
    """`an opportunity`, `a prospect`: a level as a sentence names it."""
    return _(LEVELS_WITH_ARTICLE[level]) if level in LEVELS_WITH_ARTICLE else level


def field_word(name: str) -> str:
    """A column or form field as a rep calls it: `nurture_until` → `nurture until`."""
    return _(FIELDS[name]) if name in FIELDS else name.replace("_", " ")


def record_words(entity: str, entity_id: int, name: str = "") -> str:
    """`lead #3`, or `lead #3 Anna Dup` with its name."""
    what = _(ENTITIES[entity]) if entity in ENTITIES else entity
    if name:
        return say("record_named", entity=what, id=entity_id, name=plain(name))
    return say("record", entity=what, id=entity_id)


def value_word(value: str) -> str:
    return vocab_label(VALUES[value]) if value in VALUES else value


def outcome_words(outcome: str) -> str:
    return _(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome.replace("_", " ")


def kind_words(kind: str) -> str:
    """An activity's kind on its own: `call`, `in person`."""
    if kind in ACTIVITY_KIND_NAMES:
        return _(ACTIVITY_KIND_NAMES[kind])
    return kind.replace("_", " ")


def date_words(day: dt.date) -> str:
    """`Mon 1 Mar 2027`: never a bare 03/01 that reads two ways (`Mo., 1. März 2027`,
    `2027年3月1日 週一` in other languages)."""
    if current_language() != ENGLISH:
        return date_weekday(day)
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
    if current_language() != ENGLISH:
        return f"{date_weekday(local.date())} {local:%H:%M}"
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
        if item in BANT_LABELS:
            return _(BANT_LABELS[item])
        if item in self.labels:
            return shown_name(self.labels[item])
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
        if field in _NAME_FIELDS:
            return plain(shown_name(text))
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
    what = _(ACTIVITY_KINDS[kind]) if kind in ACTIVITY_KINDS else kind.replace("_", " ")
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
_TIME_FIELDS = frozenset(
    {"closed_at", "promoted_at", "created_at", "last_activity_at", "next_action_at", "next_at"}
)
_VALUE_FIELDS = frozenset({"status", "level", "state", "answer"})
# Names from the config (stages, sources, reasons): translated while shipped defaults.
_NAME_FIELDS = frozenset({"stage", "source", "unqualified_reason", "lost_reason"})


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
