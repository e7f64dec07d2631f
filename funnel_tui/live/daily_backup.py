"""The backup a running instance makes by itself: the first funnel of the day on a
database file makes one into backups/ beside it, in the background, as [backups] in
funnel.toml says (storage.backups.auto_backup does the work and keeps two instances
from making one at once). No UI imports: the app runs this in a worker thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from funnel_tui.config.settings import BackupPolicy
from funnel_tui.storage import backups


def backup_if_due(target: str, policy: BackupPolicy, now: dt.datetime | None = None) -> Path | None:
    """The backup made, or None: not a database file, automatic backups off, one made
    recently enough, or another instance making it. core.errors.BackupError when it
    could not be made (a full disk, a folder that cannot be written)."""
    database = backups.sqlite_path(target)
    if not policy.automatic or database is None or not database.is_file():
        return None
    every = dt.timedelta(hours=policy.every_hours)
    return backups.auto_backup(database, every, policy.keep_daily, policy.keep_weekly, now)
