"""A record's timeline: activities, changes and moves interleaved, newest first, each
with who and when in the user's own time zone. User text is shown as text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from rich.text import Text

from funnel_tui.config import Config
from funnel_tui.core.dates import short_time
from funnel_tui.core.formats import day_month
from funnel_tui.core.i18n import ENGLISH, _, current_language
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.output import plain
from funnel_tui.core.times import clock_text, local_moment
from funnel_tui.rules.history_lines import describe
from funnel_tui.rules.history_words import kind_words, outcome_words, say

DIRECTION_GLYPHS = {"outbound": "→", "inbound": "←"}


class Event(NamedTuple):
    at: dt.datetime  # naive UTC
    who: str
    line: Text
    origin: str = ""  # "lead" for a lead's activity shown on its deal


def timeline_text(
    events: Iterable[Event], zone: dt.tzinfo, today: dt.date, empty: str = ""
) -> Text:
    """The events, newest first; `empty` (default "Nothing yet.") when there are none."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for event in sorted(events, key=lambda e: e.at, reverse=True):
        text.append(f"{short_time(event.at, zone, today):>12} ", style="dim")
        text.append(f"{plain(event.who)[:8]:<8} ", style="cyan")
        if event.origin:
            origin = vocab_label(event.origin) if event.origin == "lead" else event.origin
            text.append(f"[{origin}] ", style="dim")
        text.append_text(event.line)
        text.append("\n")
    return text or Text(empty or _("Nothing yet."), style="dim")


def activity_event(activity: Any, origin: str = "", zone: dt.tzinfo | None = None) -> Event:
    """An Activity row (with its user joined) as a timeline event; with the user's
    `zone`, a next action at a time says it (`by Mon 14 Dec 2:30 PM`)."""
    line = Text()
    glyph = DIRECTION_GLYPHS.get(activity.direction, "·")
    line.append(f"{glyph} {kind_words(activity.kind)}", style="bold")
    if activity.outcome:
        line.append(f" {outcome_words(plain(activity.outcome))}", style="bold")
    if activity.note:
        line.append(" — ")
        line.append(plain(activity.note))
    if activity.next_action:
        line.append("  ⇒ ", style="dim")
        line.append(plain(activity.next_action))
        if activity.next_action_due:
            day = _due_day(activity.next_action_due)
            at = getattr(activity, "next_action_at", None)
            if at is not None and zone is not None:
                day = f"{day} {clock_text(local_moment(at, zone))}"
            line.append(" " + _("by {day}").format(day=day), style="dim")
    return Event(activity.occurred_at, activity.user.login, line, origin)


def _due_day(due: dt.date) -> str:
    """A next action's due day: `Sun 22 Nov` in English, as the locale writes a day of
    the month otherwise (`22. Nov.`, `11月22日`)."""
    if current_language() == ENGLISH:
        return f"{due:%a} {due.day} {due:%b}"
    return day_month(due)


def history_events(
    entries: Iterable[Any],
    config: Config | None = None,
    zone: dt.tzinfo = dt.UTC,
    companies: Mapping[int, str] | None = None,
    mark_deals: bool = False,
) -> list[Event]:
    """History rows (with their users joined, oldest first) as timeline events, in
    words (history_words): a line per change, per checklist item or per field a person
    changed. With `mark_deals`, a deal's changes carry its mark, as on a lead's
    timeline its deals' activities do."""
    events = []
    for said in describe(entries, config, zone, companies):
        line = Text()
        line.append(said.head, style="italic")
        if said.body:
            line.append(": ")
            line.append(said.body)
        origin = f"${said.entity_id}" if mark_deals and said.entity == "opportunity" else ""
        events.append(Event(said.at, said.user, line, origin))
    return events


def move_event(move: Any, config: Config | None = None) -> Event:
    """A StageMove (pipeline.stage_history) as a timeline event: opened in a stage,
    moved, won, lost or reopened."""
    closed = {config.won_stage: say("won"), config.lost_stage: say("lost")} if config else {}
    if move.from_stage is None:
        verb = say("opened_in")
    elif move.to_stage in closed:
        verb = closed[move.to_stage]
    elif move.from_stage in closed:
        verb = say("reopened")
    else:
        verb = say("moved")
    line = Text(f"{verb} ", style="italic")
    if move.from_stage:
        line.append(f"{plain(shown_name(move.from_stage))} → ")
    line.append(plain(shown_name(move.to_stage)), style="bold")
    return Event(move.at, move.user, line)
