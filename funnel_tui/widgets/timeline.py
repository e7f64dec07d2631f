"""A record's timeline: activities, changes and moves interleaved, newest first, each
with who and when in the user's own time zone. User text is shown as text."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from rich.text import Text

from ..dates import short_time
from ..output import plain

DIRECTION_GLYPHS = {"outbound": "→", "inbound": "←"}


class Event(NamedTuple):
    at: dt.datetime  # naive UTC
    who: str
    line: Text
    origin: str = ""  # "lead" for a lead's activity shown on its deal


def timeline_text(
    events: Iterable[Event], zone: dt.tzinfo, today: dt.date, empty: str = "Nothing yet."
) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for event in sorted(events, key=lambda e: e.at, reverse=True):
        text.append(f"{short_time(event.at, zone, today):>12} ", style="dim")
        text.append(f"{plain(event.who)[:8]:<8} ", style="cyan")
        if event.origin:
            text.append(f"[{event.origin}] ", style="dim")
        text.append_text(event.line)
        text.append("\n")
    return text or Text(empty, style="dim")


def activity_event(activity: Any, origin: str = "") -> Event:
    """An Activity row (with its user joined) as a timeline event."""
    line = Text()
    glyph = DIRECTION_GLYPHS.get(activity.direction, "·")
    line.append(f"{glyph} {activity.kind.replace('_', ' ')}", style="bold")
    if activity.outcome:
        line.append(f" {plain(activity.outcome).replace('_', ' ')}", style="bold")
    if activity.note:
        line.append(" — ")
        line.append(plain(activity.note))
    if activity.next_action:
        line.append("  ⇒ ", style="dim")
        line.append(plain(activity.next_action))
        if activity.next_action_due:
            due = activity.next_action_due
            line.append(f" by {due:%a} {due.day} {due:%b}", style="dim")
    return Event(activity.occurred_at, activity.user.login, line, origin)


def history_event(entry: Any) -> Event:
    """A History row (with its user joined) as a timeline event; automatic changes
    say so."""
    line = Text()
    action = "auto (for the user)" if entry.action == "auto" else entry.action
    line.append(f"{action} ", style="italic")
    if entry.field:
        line.append(f"{entry.field}: ")
        line.append(plain(entry.old) or "∅", style="dim")
        line.append(" → ")
        line.append(plain(entry.new) or "∅")
    else:
        line.append(snapshot_summary(entry.new), style="dim")
    return Event(entry.at, entry.user.login, line)


def move_event(move: Any) -> Event:
    """A StageMove (pipeline.stage_history) as a timeline event."""
    line = Text("moved ", style="italic")
    if move.from_stage:
        line.append(f"{plain(move.from_stage)} → ")
    line.append(plain(move.to_stage), style="bold")
    return Event(move.at, move.user, line)


def snapshot_summary(value: str | None) -> str:
    """A created record's fields in one line, rather than its JSON."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return plain(value)
    if not isinstance(data, dict):
        return plain(value)
    keys = ("name", "company", "phone_raw", "email_raw", "source", "stage", "kind", "outcome")
    return ", ".join(plain(data[k]) for k in keys if data.get(k))
