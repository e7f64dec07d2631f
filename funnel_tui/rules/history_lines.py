"""The history in words: each change the rules layer records (an action on a record, its
fields' old and new values) as the lines a rep reads, one describer per action.

The rows come in (funnel_tui.read.history.Change, or History rows with their user joined)
and lines go out, worded with rules.history_words. `funnel history --format json` keeps
the rows exactly as stored; this is for people.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.labels import shown_name
from funnel_tui.core.money import exact_money
from funnel_tui.core.output import plain
from funnel_tui.rules.history_words import (
    _HIDDEN,
    _SHOWN_BESIDE,
    Context,
    _capital,
    _date,
    activity_words,
    amount_words,
    date_words,
    field_word,
    many,
    record_words,
    say,
    value_word,
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
        said.append(say("source", source=plain(shown_name(data["source"]))))
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
        return [_activity_line(data, c)]
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
        parts.append(
            say("opened_amount", amount=amount, stage=plain(shown_name(data.get("stage", ""))))
        )
    if data.get("expected_close"):
        parts.append(say("opened_close", date=c.value("expected_close", data["expected_close"])))
    if data.get("lead") is not None:
        parts.append(say("opened_from", lead=data["lead"]))
    return say("list").join(parts)


def _activity_line(data: Mapping[str, Any], c: Context) -> tuple[str, str]:
    head, body = activity_words(
        data.get("kind", ""), data.get("direction", ""), data.get("outcome", "")
    )
    action = data.get("next_action") or ""
    due = _date(str(data.get("next_due") or ""))
    at = data.get("next_at")
    if action or due:
        when = c.value("next_at", str(at)) if at else date_words(due) if due else ""
        nxt = (
            say("next_due", action=plain(action) or field_word("next_action"), due=when)
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
        return say("status_because", change=change, reason=plain(shown_name(reason.new)))
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
    if group[0].entity == "activity":  # an activity logged on many, taken back or again
        head, body = _activity_line(_snapshot(group[0].old or group[0].new), c)
        return [(head, say("by_undo", change=body or head))]
    if group[0].entity == "opportunity" and {e.field for e in group} & {"stage", "state"}:
        return [(_capital(field_word(e.field)), say("by_undo", change=_stage(e, c))) for e in group]
    return _fields(group, c, "by_undo")


def _bulk_activity(group: list[Any], c: Context) -> Said:
    """An activity logged on many leads at once: the activity, or what it changed on
    one lead (its status, its next action)."""
    if group[0].entity == "activity":
        return [_activity_line(_snapshot(group[0].new), c)]
    return _fields(group, c)


def _auto(group: list[Any], c: Context) -> Said:
    return _fields(group, c, "by_itself")


def _stage(entry: Any, c: Context) -> str:
    return c.change(entry.field, entry.old, entry.new)


def _move(group: list[Any], c: Context) -> Said:
    by_field = {e.field: e for e in group}
    stage, state = by_field.get("stage"), by_field.get("state")
    moved = (
        say(
            "stage_change",
            old=plain(shown_name(stage.old or "")),
            new=plain(shown_name(stage.new or "")),
        )
        if stage
        else ""
    )
    if state is not None and state.new == "won":
        head = say("won")
    elif state is not None and state.new == "lost":
        reason = by_field.get("lost_reason")
        head = (
            say("lost_because", reason=plain(shown_name(reason.new)))
            if reason and reason.new
            else say("lost")
        )
    elif state is not None and state.new == "open":
        head = say("reopened")
    else:
        head = say("moved")
    return [(head, moved)]


def _assign(group: list[Any], c: Context) -> Said:
    """`handed over: from ana to ben`."""
    owner = next(e for e in group if e.field == "owner")
    moved = say(
        "handed_over_from", old=c.value("owner", owner.old), new=c.value("owner", owner.new)
    )
    return [(say("handed_over"), moved)]


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


def _merge(group: list[Any], c: Context) -> Said:
    """On the survivor: "merged lead #12 into this one", then the fields it took; on
    the merged record: "merged into lead #7"."""
    entity = group[0].entity
    head = next((e for e in group if e.field in ("merged", "merged_into")), None)
    if head is not None and head.field == "merged_into":
        return [(say("merged_into", record=record_words(entity, int(head.new))), "")]
    rest = [e for e in group if e.field not in ("merged", "merged_into")]
    other = record_words(entity, int(head.new)) if head is not None else ""
    return [(say("merged_here", record=other), ""), *_fields(rest, c, "by_merge")]


def _unmerge(group: list[Any], c: Context) -> Said:
    entity = group[0].entity
    head = next((e for e in group if e.field in ("merged", "merged_into")), None)
    other = record_words(entity, int(head.old)) if head is not None and head.old else ""
    rest = [e for e in group if e.field not in ("merged", "merged_into")]
    return [(say("unmerged", record=other), ""), *_fields(rest, c, "by_undo")]


def _erase(group: list[Any], c: Context) -> Said:
    fields = say("list").join(field_word(e.field) for e in group if e.field)
    return [(say("erased"), fields)]


def _won(group: list[Any], c: Context) -> Said:
    return [(say("became_customer"), say("deal_won"))]


def _reopen(group: list[Any], c: Context) -> Said:
    return [(say("back_to_opportunity"), say("deal_reopened"))]


def _next(group: list[Any], c: Context) -> Said:
    by_field = {e.field: e for e in group}
    action, due = by_field.get("next_action"), by_field.get("next_action_due")
    at = by_field.get("next_action_at")
    new_action = (action.new if action else "") or ""
    new_due = due.new if due else None
    if not new_action and not new_due:
        return [(say("next_action"), say("next_action_cleared"))]
    if new_due:
        body = say(
            "next_action_due",
            action=plain(new_action) or field_word("next_action"),
            due=_due_value(c, new_due, at.new if at else None),
        )
    else:
        body = plain(new_action)
    return [(say("next_action"), body)]


def _snooze(group: list[Any], c: Context) -> Said:
    by_field = {e.field: e for e in group}
    due, action = by_field["next_action_due"], by_field.get("next_action")
    at = by_field.get("next_action_at")
    # The action is in the change only when the snooze gave one ("Follow up").
    named = plain(action.new) if action and action.new else ""
    if not due.old:
        what = named or _capital(field_word("next_action"))
        return [(say("snoozed"), say("snoozed_new", action=what, due=c.value(due.field, due.new)))]
    when = say(
        "snoozed_to",
        due=_due_value(c, due.new, at.new if at else None),
        was=_due_value(c, due.old, at.old if at else None),
    )
    return [(say("snoozed"), say("snoozed_named", action=named, when=when) if named else when)]


def _due_value(c: Context, due: str, at: str | None) -> str:
    """A next action's due date as history shows it, with its time when it had one."""
    return c.value("next_action_at", at) if at else c.value("next_action_due", due)


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
    "undo_batch": _undo,
    "merge": _merge,
    "unmerge": _unmerge,
    "erase": _erase,
    "bulk_status": _update,
    "bulk_activity": _bulk_activity,
    "auto": _auto,
    "promote": _promote,
    "convert": _convert,
    "move": _move,
    "assign": _assign,
    "won": _won,
    "reopen": _reopen,
    "next": _next,
    "snooze": _snooze,
}
