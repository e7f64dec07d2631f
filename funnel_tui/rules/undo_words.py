"""Undo's words: what undo says it took back, and how it names a change it refuses.

Beside history_words (whose templates, field words and values it uses) so that the
history's lines and undo's stay one vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from funnel_tui.config import Config
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name
from funnel_tui.core.output import plain
from funnel_tui.rules.history_words import (
    _DATE_FIELDS,
    _HIDDEN,
    _SHOWN_BESIDE,
    _TIME_FIELDS,
    CHANGE_NAMES,
    UNDONE_WHAT,
    Context,
    amount_words,
    field_word,
    record_words,
    say,
    value_word,
)


def undo_summary(
    entity: str,
    entity_id: int,
    action: str,
    fields: Sequence[tuple[str, str | None, str | None]],
    name: str = "",
    config: Config | None = None,
    companies: Mapping[int, str] | None = None,
) -> str:
    """`Undone: your change of status on lead #7 Anna Dup: back to new.` `fields` are
    (field, what it was, what it is back to); `name` is the record's."""
    context = Context(config, companies=companies)
    by_field = {f: back for f, _new, back in fields}
    what = action
    if entity == "opportunity" and action == "move":
        state = dict((f, (was, back)) for f, was, back in fields).get("state")
        if state and state[0] == "won":
            what = "won"
        elif state and state[0] == "lost":
            what = "lost"
        elif state and state[1] in ("won", "lost"):
            what = "reopened"
        else:
            what = "move"
    record = record_words(entity, entity_id, name)
    if "status" in by_field:
        back = say("undone_back", value=_status_back(by_field, context))
    elif entity == "opportunity" and ({"stage", "state"} & set(by_field)):
        stage, state = by_field.get("stage"), by_field.get("state")
        value = plain(shown_name(stage or ""))
        if state and state != "open":
            value = value_word(state)
        back = say("undone_back", value=value)
    else:
        listed = []
        for name_, _new, old in fields:
            if name_ in _HIDDEN or (
                name_ in _SHOWN_BESIDE and _SHOWN_BESIDE[name_] & set(by_field)
            ):
                continue
            if "." in name_:
                item, _dot, part = name_.rpartition(".")
                label = context.item_label(item)
                if part == "answer":
                    value = value_word(old or "unknown")
                else:
                    label = say("item_part", item=label, part=field_word(part))
                    value = _quoted(old, name_, context)
            elif name_ == "amount_cents":
                label, value = (
                    field_word(name_),
                    amount_words(old or "0", by_field.get("currency") or ""),
                )
            else:
                label, value = field_word(name_), _quoted(old, name_, context)
            listed.append(say("undone_field_back", field=label, value=value))
        shown = say("list").join(listed[:3])
        if len(listed) > 3:
            shown = say("undone_more", listed=shown, count=len(listed) - 3)
        back = shown
    what = _(UNDONE_WHAT[what]) if what in UNDONE_WHAT else what
    return say("undone", what=what, record=record, back=back)


def _status_back(by_field: Mapping[str, str | None], c: Context) -> str:
    status = value_word(by_field["status"] or "")
    if by_field.get("nurture_until"):
        return say(
            "status_until", change=status, until=c.value("nurture_until", by_field["nurture_until"])
        )
    if by_field.get("unqualified_reason"):
        return say(
            "status_because",
            change=status,
            reason=plain(shown_name(by_field["unqualified_reason"])),
        )
    return status


def _quoted(value: str | None, field: str, c: Context) -> str:
    if value is None or value == "":
        return say("empty")
    if field in _DATE_FIELDS or field in _TIME_FIELDS or field in ("company", "amount_cents"):
        return c.value(field, value)
    return say("quoted", text=plain(value))


def batch_summary(action: str, records: int) -> str:
    """`Undone: your hand-over of 1,204 records.`"""
    what = _(UNDONE_WHAT[action]) if action in UNDONE_WHAT else action
    return say("undone_batch", what=what, count=number(records))


def merge_undone_summary(entity: str, keep_id: int, other_id: int, name: str) -> str:
    """`Undone: your merge of lead #12 into lead #7 Anna Dup; both are as they were.`"""
    return say(
        "undone_merge",
        other=record_words(entity, other_id),
        keep=record_words(entity, keep_id, name),
    )


def change_name(action: str) -> str:
    """What a change was, in undo's refusal: `the creation of`."""
    return _(CHANGE_NAMES[action]) if action in CHANGE_NAMES else action
