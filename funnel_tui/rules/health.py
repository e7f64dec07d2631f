"""`funnel check`: whether a database is whole and agrees with itself, and putting right
what can be derived again.

What is checked, in order (a database whose file is damaged is checked no further and
never written to: storage.backups.file_problems reads it alone, read-only):
- the file's integrity (SQLite's integrity_check; a server checks its own);
- foreign keys (SQLite's foreign_key_check; a server enforces them);
- the schema version (older: the next funnel to open it migrates it);
- the search index against the leads (SQLite: the FTS table is a copy; PostgreSQL's is
  an index on the leads themselves);
- each lead's stored score against the scoring rules of funnel.toml;
- each lead's stored engagement against its two-way activities;
- the reports' tallies, and the waits the percentile reports read, against the leads,
  deals and activities they are worked out from;
- the lead list's kept counts of leads per status against the leads.

On a database this user cannot write, the scores and engagement are not checked (the
check recomputes them in a transaction it rolls back) and `repair` is refused.

`repair` rebuilds the search index, the tallies and the counts per status and
recomputes the scores and engagement, each in one transaction; damage to the file or its
keys it cannot repair, and says so with the way back (`funnel restore`).
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from funnel_tui.config import Config
from funnel_tui.core.i18n import _, ngettext
from funnel_tui.rules.engagement import recompute_engagement
from funnel_tui.rules.scoring import rescore_all
from funnel_tui.storage.database import db_read_only, refuse_if_read_only
from funnel_tui.storage.list_index import rebuild_search, search_index_problems
from funnel_tui.storage.models import Lead, database
from funnel_tui.storage.schema import SCHEMA_VERSION, stored_version
from funnel_tui.storage.status_counts import rebuild_status_counts, status_count_problems
from funnel_tui.storage.tallies import rebuild_tallies, tally_problems
from funnel_tui.storage.wait_summaries import rebuild_wait_summaries, wait_summary_problems

RESTORE_HINT = "funnel backup --list; funnel restore BACKUP"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: `problems` found (0: healthy), whether they were put right,
    and what a person reads about it."""

    # A stable key: integrity, foreign_keys, schema, search_index, tallies, status_counts,
    # scores, engagement.
    check: str
    problems: int
    said: str
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return self.problems == 0 or self.repaired


def check_database(config: Config, repair: bool = False) -> list[Finding]:
    """Every check of the open database after the file's own (file_problems)."""
    db = database.obj
    if repair:
        refuse_if_read_only()
    findings = [_foreign_keys(db)]
    version = stored_version(db)
    if version is not None and version < SCHEMA_VERSION:
        said = _(
            "schema {version}, older than this funnel's {known}: the next funnel to open "
            "it migrates it; the other checks wait for that"
        ).format(version=version, known=SCHEMA_VERSION)
        return [*findings, Finding("schema", 1, said)]
    findings.append(Finding("schema", 0, _("schema {version}").format(version=version)))
    findings.append(_search_index(db, repair))
    findings.append(_tallies(db, repair))
    findings.append(_status_counts(db, repair))
    if db_read_only(db) is not None:
        return [
            *findings,
            Finding(
                "scores", 0, _("scores: not checked, as the database cannot be written by you")
            ),
            Finding(
                "engagement",
                0,
                _("engagement: not checked, as the database cannot be written by you"),
            ),
        ]
    leads = Lead.select().count()
    findings.append(_derived("scores", lambda: rescore_all(config), leads, repair, _score_words))
    half_life = config.engagement_half_life_days
    findings.append(
        _derived(
            "engagement", lambda: recompute_engagement(half_life), leads, repair, _engagement_words
        )
    )
    return findings


def _foreign_keys(db: peewee.Database) -> Finding:
    if isinstance(db, peewee.PostgresqlDatabase):
        return Finding("foreign_keys", 0, _("foreign keys: enforced by the server"))
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if not broken:
        return Finding("foreign_keys", 0, _("foreign keys: every reference found"))
    tables = sorted({row[0] for row in broken})
    said = ngettext(
        "{count} reference to a row that is not there (in {tables}): restore a backup ({hint})",
        "{count} references to rows that are not there (in {tables}): restore a backup ({hint})",
        len(broken),
    ).format(count=len(broken), tables=", ".join(tables), hint=RESTORE_HINT)
    return Finding("foreign_keys", len(broken), said)


def _search_index(db: peewee.Database, repair: bool) -> Finding:
    missing, extra, stale = search_index_problems(db)
    problems = missing + extra + stale
    if not problems:
        return Finding("search_index", 0, _("search index: in step with the leads"))
    said = ngettext(
        "search index: {count} entry out of step with the leads ({missing} missing, "
        "{extra} for no lead, {stale} out of date)",
        "search index: {count} entries out of step with the leads ({missing} missing, "
        "{extra} for no lead, {stale} out of date)",
        problems,
    ).format(count=problems, missing=missing, extra=extra, stale=stale)
    if repair:
        with database.atomic():
            rebuild_search(db)
        said += _(" — rebuilt")
    return Finding("search_index", problems, said, repaired=repair)


def _tallies(db: peewee.Database, repair: bool) -> Finding:
    # The waits behind speed to lead and cycle time are report tallies to the rep too:
    # one finding, one repair.
    wrong = tally_problems(db) + wait_summary_problems(db)
    said = _("report tallies: in step with the records")
    if wrong:
        said = ngettext(
            "report tallies: {count} row out of step with the records",
            "report tallies: {count} rows out of step with the records",
            wrong,
        ).format(count=wrong)
    return _counted_again(
        "tallies", wrong, said, lambda: (rebuild_tallies(db), rebuild_wait_summaries(db)), repair
    )


def _status_counts(db: peewee.Database, repair: bool) -> Finding:
    wrong = status_count_problems(db)
    said = _("leads per status: in step with the leads")
    if wrong:
        said = ngettext(
            "leads per status: {count} status counted otherwise than the leads",
            "leads per status: {count} statuses counted otherwise than the leads",
            wrong,
        ).format(count=wrong)
    return _counted_again("status_counts", wrong, said, lambda: rebuild_status_counts(db), repair)


def _counted_again(check: str, wrong: int, said: str, rebuild, repair: bool) -> Finding:
    """A finding on counts kept beside the records; with `repair`, counted again in one
    transaction when any is wrong."""
    if not wrong:
        return Finding(check, 0, said)
    if repair:
        with database.atomic():
            rebuild()
        said += _(" — counted again")
    return Finding(check, wrong, said, repaired=repair)


def _derived(check, recompute, leads: int, repair: bool, words) -> Finding:
    """Recompute a derived column for every lead; without `repair` the transaction is
    rolled back, so the count of what would change is all that remains."""
    with database.atomic() as transaction:
        changed = recompute()
        if not repair:
            transaction.rollback()
    return Finding(
        check, changed, words(changed, leads, repair and changed > 0), changed > 0 and repair
    )


def _score_words(changed: int, leads: int, repaired: bool) -> str:
    if not changed:
        return ngettext(
            "scores: the {count} lead's as the rules give it",
            "scores: all {count} leads' as the rules give them",
            leads,
        ).format(count=leads)
    said = ngettext(
        "scores: {count} lead's score is not what the rules give",
        "scores: {count} leads' scores are not what the rules give",
        changed,
    ).format(count=changed)
    return said + (_(" — recomputed") if repaired else "")


def _engagement_words(changed: int, leads: int, repaired: bool) -> str:
    if not changed:
        return ngettext(
            "engagement: the {count} lead's as its activities give it",
            "engagement: all {count} leads' as their activities give it",
            leads,
        ).format(count=leads)
    said = ngettext(
        "engagement: {count} lead's is not what its activities give",
        "engagement: {count} leads' are not what their activities give",
        changed,
    ).format(count=changed)
    return said + (_(" — recomputed") if repaired else "")
