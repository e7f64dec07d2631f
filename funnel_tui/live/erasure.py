"""What an erasure on request leaves to tidy beyond the database (rules.erasure erases
in it): the acting rep's drafts of the erased records, kept in their data folder, and
the names of the copies made before it (backups, files a restore replaced) that still
hold the person's data until they expire or are pruned. No UI imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from funnel_tui.live.drafts import DraftStore, parse_form_key
from funnel_tui.storage import backups


def drop_drafts(store: DraftStore, lead_ids: Iterable[int]) -> int:
    """Discard `store`'s drafts typed on the erased leads; how many there were."""
    ids = set(lead_ids)
    dropped = 0
    for form in store.forms():
        parsed = parse_form_key(form)
        if parsed is not None and parsed[1] == "lead" and parsed[2] in ids:
            store.discard(form)
            dropped += 1
    return dropped


def copies_before(target: str, moment: dt.datetime) -> list[Path]:
    """The copies of the database file at `target` made before `moment` (naive UTC, as
    the rules keep time); none for a server's database (its dumps are where the team
    put them)."""
    database = backups.sqlite_path(target)
    if database is None:
        return []
    return backups.copies_before(database, moment.replace(tzinfo=dt.UTC))
