"""The history in words: each change the rules layer records (an action on a record, its
fields' old and new values) as the lines a rep reads, and the few other words messages
share (a count that agrees with its noun, a level with its article, an undo's summary).

Every phrase is a template in the tables below, in plain English, so that a translation
replaces them in one place. Nothing here reads the database or imports a UI: the rows
come in (funnel_tui.read.history.Change, or History rows with their user joined) and lines go
out. `funnel history --format json` keeps the rows exactly as stored; this is for people.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import to_local
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
    # Deals on the board
    "moved": "moved",
    "opened_in": "opened in",
    "won": "won",
    "lost": "lost",
    "lost_because": "lost ({reason})",
    "reopened": "reopened",
    "stage_change": "{old} → {new}",
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
    "undone_field_back": "{field} back to {value}",
    "undone_more": "{listed} and {count} more",
    "quoted": '"{text}"',
    # Refusals of undo (funnel.py)
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
BANT_LABELS = {"budget": "Budget", "authority": "Authority", "need": "Need", "timeline": "Timeline"}

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


# ------------------------------------------------------------------ the lines


@dataclass(frozen=True)
class Line:
    """One line of the history in words: a change (or one field or checklist item of
    it), when and by whom, on which record."""

    at: dt.datetime  # naive UTC
    user: str
    entity: str
    entity_id: int
    action: str
    head: str  # "captured", "Budget", "Status"
    body: str = ""  # what follows the head's colon; "" when the head says it all

    @property
    def text(self) -> str:
        return say("line", head=self.head, body=self.body) if self.body else self.head

    @property
    def record(self) -> str:
        return record_words(self.entity, self.entity_id)


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


def describe(
    entries: Iterable[Any],
    config: Config | None = None,
    zone: dt.tzinfo = dt.UTC,
    companies: Mapping[int, str] | None = None,
) -> list[Line]:
    """The entries (oldest first) in words, a line per change, per checklist item or
    per field a person changed. Rows of one change (same record, user, moment and
    action, next to each other) are read together: a status with its reason, a deal's
    stage with its state, a phone with its E.164 form."""
    context = Context(config, zone, companies)
    lines: list[Line] = []
    for group in _changes(entries):
        first = group[0]
        describer = ACTIONS.get(first.action, _unknown)
        try:
            said = describer(group, context)
        except (ValueError, TypeError, KeyError, AttributeError):
            # A row written by another version of funnel: shown as stored, not lost.
            said = _unknown(group, context)
        user = _login(first)
        lines += [
            Line(first.at, user, first.entity, first.entity_id, first.action, head, body)
            for head, body in said
        ]
    return lines


Said = list[tuple[str, str]]  # (head, body) for each line of a change


def _changes(entries: Iterable[Any]) -> list[list[Any]]:
    groups: list[list[Any]] = []
    key = None
    for entry in entries:
        this = (entry.entity, entry.entity_id, entry.action, entry.at, _login(entry))
        if groups and this == key:
            groups[-1].append(entry)
        else:
            groups.append([entry])
            key = this
    return groups


def _login(entry: Any) -> str:
    user = entry.user
    return user if isinstance(user, str) else user.login


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _snapshot(value: str | None) -> dict[str, Any]:
    data = json.loads(value or "")
    if not isinstance(data, dict):
        raise ValueError("not a snapshot")
    return data


def _lead_summary(data: Mapping[str, Any]) -> str:
    """A captured lead in one line: name, title, company, email, phone, source."""
    parts = [
        data.get("name"),
        data.get("title"),
        data.get("company"),
        data.get("email_raw") or data.get("email_norm"),
        data.get("phone_raw") or data.get("phone_e164"),
    ]
    said = [plain(p) for p in parts if p]
    if data.get("source"):
        said.append(say("source", source=plain(data["source"])))
    return say("list").join(said)


# ---------------------------------------------------------------- each action


def _create(group: list[Any], c: Context) -> Said:
    first = group[0]
    if first.entity == "company":
        return [(say("new_company"), plain(first.new))]
    data = _snapshot(first.new)
    if first.entity == "lead":
        return [(say("captured"), _lead_summary(data))]
    if first.entity == "opportunity":
        return [(say("opened"), _deal_summary(data, c))]
    if first.entity == "activity":
        return [_activity_line(data)]
    raise ValueError(first.entity)


def _import(group: list[Any], c: Context) -> Said:
    data = _snapshot(group[0].new)
    source = plain(data.get("imported_from") or "")
    if data.get("row") is not None:
        head = say("imported", file=source, row=data["row"])
    else:
        head = say("imported_no_row", file=source)
    return [(head, _lead_summary(data))]


def _deal_summary(data: Mapping[str, Any], c: Context) -> str:
    parts = [plain(data["name"])] if data.get("name") else []
    if data.get("amount_cents") is not None:
        amount = exact_money(int(data["amount_cents"]), data.get("currency") or "")
        parts.append(say("opened_amount", amount=amount, stage=plain(data.get("stage", ""))))
    if data.get("expected_close"):
        parts.append(say("opened_close", date=c.value("expected_close", data["expected_close"])))
    if data.get("lead") is not None:
        parts.append(say("opened_from", lead=data["lead"]))
    return say("list").join(parts)


def activity_words(kind: str, direction: str, outcome: str) -> tuple[str, str]:
    """(head, body) of a logged activity: ("logged a call", "reached")."""
    what = ACTIVITY_KINDS.get(kind, kind.replace("_", " "))
    head = say("logged_inbound" if direction == "inbound" else "logged", kind=what)
    return head, outcome_words(outcome) if outcome else ""


def _activity_line(data: Mapping[str, Any]) -> tuple[str, str]:
    head, body = activity_words(
        data.get("kind", ""), data.get("direction", ""), data.get("outcome", "")
    )
    action = data.get("next_action") or ""
    due = _date(str(data.get("next_due") or ""))
    if action or due:
        nxt = (
            say("next_due", action=plain(action) or field_word("next_action"), due=date_words(due))
            if due
            else say("next", action=plain(action))
        )
        body = say("parts").join(p for p in (body, nxt) if p)
    return head, body


def _duplicate_saved(group: list[Any], c: Context) -> Said:
    ids = [i.strip() for i in str(group[0].new or "").split(",") if i.strip()]
    listed = say("list").join(f"#{plain(i)}" for i in ids)
    return [(many(len(ids), "matches_lead", ids=listed), "")]


def _fields(group: list[Any], c: Context, wrap: str = "") -> Said:
    """Field by field, as an edit, a status change or an undo wrote them: checklist
    answers an item a line, a status with its reason or date, the fields funnel
    derives from others (an E.164 phone, a normalised email) left out beside them."""
    names = {e.field for e in group}
    slots: list[Any] = []  # an entry, or the name of a checklist item
    answers: dict[str, dict[str, Any]] = {}
    for entry in group:
        name = entry.field
        if "." in name or (entry.action == "qualify" and name):
            item, _, part = name.rpartition(".") if "." in name else (name, "", "answer")
            if item not in answers:
                answers[item] = {}
                slots.append(item)
            answers[item][part] = entry
        elif name in _HIDDEN or (name in _SHOWN_BESIDE and _SHOWN_BESIDE[name] & names):
            continue
        elif name in ("unqualified_reason", "nurture_until") and "status" in names:
            continue  # told with the status
        else:
            slots.append(entry)
    said: Said = []
    for slot in slots:
        if isinstance(slot, str):
            head, body = c.item_label(slot), _answer_change(answers[slot], c)
        elif slot.field == "status":
            head, body = _capital(field_word("status")), _status_change(group, c)
        elif slot.field == "amount_cents":
            head, body = _capital(field_word("amount_cents")), _amount_change(slot, group)
        else:
            head, body = _capital(field_word(slot.field)), c.change(slot.field, slot.old, slot.new)
        said.append((head, say(wrap, change=body) if wrap else body))
    return said


def _amount_change(entry: Any, group: list[Any]) -> str:
    """A deal's amount with its currency when the same change names it (a currency
    changed with it): `PLN 12.50 → JPY 1,250`."""
    currency = next((e for e in group if e.field == "currency"), None)
    old_cur, new_cur = (currency.old or "", currency.new or "") if currency else ("", "")
    old = amount_words(entry.old, old_cur) if entry.old not in (None, "") else say("empty")
    new = amount_words(entry.new, new_cur) if entry.new not in (None, "") else say("empty")
    return say("change", old=old, new=new)


def _status_change(group: list[Any], c: Context) -> str:
    by_field = {e.field: e for e in group}
    status = by_field["status"]
    change = c.change("status", status.old, status.new)
    until, reason = by_field.get("nurture_until"), by_field.get("unqualified_reason")
    if until is not None and until.new:
        return say("status_until", change=change, until=c.value("nurture_until", until.new))
    if reason is not None and reason.new:
        return say("status_because", change=change, reason=plain(reason.new))
    return change


def _answer_change(parts: Mapping[str, Any], c: Context) -> str:
    said = []
    answer = parts.get("answer")
    if answer is not None:
        said.append(
            say(
                "change",
                old=value_word(answer.old or "unknown"),
                new=value_word(answer.new or "unknown"),
            )
        )
    for part in ("evidence", "value"):
        entry = parts.get(part)
        if entry is None:
            continue
        if entry.old:
            said.append(say(f"answer_{part}_change", change=c.change(part, entry.old, entry.new)))
        else:
            said.append(say(f"answer_{part}", text=c.value(part, entry.new)))
    return say("parts").join(said)


def _update(group: list[Any], c: Context) -> Said:
    return _fields(group, c)


def _undo(group: list[Any], c: Context) -> Said:
    if group[0].entity == "opportunity" and {e.field for e in group} & {"stage", "state"}:
        return [(_capital(field_word(e.field)), say("by_undo", change=_stage(e, c))) for e in group]
    return _fields(group, c, "by_undo")


def _auto(group: list[Any], c: Context) -> Said:
    return _fields(group, c, "by_itself")


def _stage(entry: Any, c: Context) -> str:
    return c.change(entry.field, entry.old, entry.new)


def _move(group: list[Any], c: Context) -> Said:
    by_field = {e.field: e for e in group}
    stage, state = by_field.get("stage"), by_field.get("state")
    moved = (
        say("stage_change", old=plain(stage.old or ""), new=plain(stage.new or "")) if stage else ""
    )
    if state is not None and state.new == "won":
        head = say("won")
    elif state is not None and state.new == "lost":
        reason = by_field.get("lost_reason")
        head = (
            say("lost_because", reason=plain(reason.new)) if reason and reason.new else say("lost")
        )
    elif state is not None and state.new == "open":
        head = say("reopened")
    else:
        head = say("moved")
    return [(head, moved)]


def _promote(group: list[Any], c: Context) -> Said:
    checklist = next((e for e in group if e.field == "checklist"), None)
    items = _snapshot(checklist.new) if checklist is not None and checklist.new else {}
    yes = [k for k, v in items.items() if isinstance(v, dict) and v.get("answer") == "yes"]
    if not yes:
        return [(say("promoted"), "")]
    # In the checklist's order: BANT, then the ICP criteria as the config lists them.
    order = {key: n for n, key in enumerate(c.labels)}
    yes.sort(key=lambda k: (order.get(k, len(order)), k))
    listed = say("list").join(c.item_label(k) for k in yes)
    return [(say("promoted_on", items=listed), "")]


def _convert(group: list[Any], c: Context) -> Said:
    deal = next((e for e in group if e.field == "opportunity"), None)
    if deal is not None and deal.new:
        return [(say("converted", id=plain(deal.new)), "")]
    return [(say("converted_plain"), "")]


def _won(group: list[Any], c: Context) -> Said:
    return [(say("became_customer"), say("deal_won"))]


def _reopen(group: list[Any], c: Context) -> Said:
    return [(say("back_to_opportunity"), say("deal_reopened"))]


def _next(group: list[Any], c: Context) -> Said:
    by_field = {e.field: e for e in group}
    action, due = by_field.get("next_action"), by_field.get("next_action_due")
    new_action = (action.new if action else "") or ""
    new_due = due.new if due else None
    if not new_action and not new_due:
        return [(say("next_action"), say("next_action_cleared"))]
    if new_due:
        body = say(
            "next_action_due",
            action=plain(new_action) or field_word("next_action"),
            due=c.value("next_action_due", new_due),
        )
    else:
        body = plain(new_action)
    return [(say("next_action"), body)]


def _snooze(group: list[Any], c: Context) -> Said:
    by_field = {e.field: e for e in group}
    due, action = by_field["next_action_due"], by_field.get("next_action")
    # The action is in the change only when the snooze gave one ("Follow up").
    named = plain(action.new) if action and action.new else ""
    if not due.old:
        what = named or _capital(field_word("next_action"))
        return [(say("snoozed"), say("snoozed_new", action=what, due=c.value(due.field, due.new)))]
    when = say(
        "snoozed_to",
        due=c.value("next_action_due", due.new),
        was=c.value("next_action_due", due.old),
    )
    return [(say("snoozed"), say("snoozed_named", action=named, when=when) if named else when)]


def _unknown(group: list[Any], c: Context) -> Said:
    head = say("unknown_action", action=plain(group[0].action))
    said = []
    for entry in group:
        if entry.field:
            said.append((head, say("line", head=field_word(entry.field), body=_raw(entry))))
        else:
            said.append((head, plain(entry.new)))
    return said


def _raw(entry: Any) -> str:
    return say("change", old=plain(entry.old) or say("empty"), new=plain(entry.new) or say("empty"))


# Every action the rules layer, the importer and the demo write, with its wording;
# tests/test_history_words.py fails when something writes an action missing here.
ACTIONS: dict[str, Callable[[list[Any], Context], Said]] = {
    "create": _create,
    "import": _import,
    "duplicate_saved": _duplicate_saved,
    "update": _update,
    "status": _update,
    "qualify": _update,
    "undo": _undo,
    "auto": _auto,
    "promote": _promote,
    "convert": _convert,
    "move": _move,
    "won": _won,
    "reopen": _reopen,
    "next": _next,
    "snooze": _snooze,
}

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
