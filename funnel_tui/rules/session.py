"""The rules' shared primitives: acting user, clock and zone, history rows, versions, row locks.

Every verb module builds on Session: the version check and bump (optimistic locking),
rows locked for update, get_lead/get_opportunity and setting a next action. It writes
nothing when made; Funnel's constructor brings stored scores up to date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import peewee

from funnel_tui.config import Config, check_login
from funnel_tui.core.dates import local_today, user_zone
from funnel_tui.core.errors import NotFound, Problem, Refused, StaleEdit
from funnel_tui.core.i18n import ENGLISH, _, current_language, current_locale
from funnel_tui.core.user_locale import FALLBACK as ENGLISH_LOCALE
from funnel_tui.core.user_locale import user_locale
from funnel_tui.rules import history_words as words
from funnel_tui.storage.database import db_read_only, retry_writes, utcnow
from funnel_tui.storage.models import History, Lead, Opportunity, User, database
from funnel_tui.storage.statements import insert_row

# Made once: json.dumps with options builds an encoder on every call.
_json = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True).encode


def _row_for_update(model: type[peewee.Model], row_id: int) -> Any:
    """The row, locked until the transaction ends where the engine can (PostgreSQL), so
    its version cannot move between the check and the write. SQLite's transactions
    (BEGIN IMMEDIATE) already run one at a time."""
    query = model.select().where(model.id == row_id)
    if database.obj.for_update:
        query = query.for_update()
    return query.first()


def _plain(value: Any) -> Any:
    """A value as history stores it: dates as ISO text, None kept."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _column(name: str) -> str:
    return "company_id" if name == "company" else name


# The history fields that place a deal on the board: a move or a close made on a stale
# card clashes with another change to one of them.
DEAL_POSITION = frozenset({"stage", "state", "closed_at", "lost_reason"})


class Session:
    """The rules' common ground, bound to a config and the acting user (see Funnel)."""

    def __init__(
        self, config: Config, user: str, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        """Writes nothing (Funnel's constructor brings the stored scores up to date).

        `clock` gives the time every change is stamped with and "now" is judged by
        (naive UTC); tests and screenshots pass a fixed one.
        """
        self.config = config
        self.login = user
        self.now = clock
        # The user's zone: "today" (due dates, the Today queue) turns over at their
        # midnight, whatever the server's zone.
        self.zone = user_zone(config.timezone)
        # How the user writes numbers ("1.250,50" in de): amounts typed are read so.
        # Nothing set (or "C"): as the language funnel speaks writes them.
        self.locale = user_locale(config.locale)
        if self.locale == ENGLISH_LOCALE and current_language() != ENGLISH:
            self.locale = current_locale()
        self._user_id: int | None = None
        # False when the scores (engagement keys) could not be rewritten: a read-only
        # database, or one locked past the busy timeout. They stay as they were until
        # the next open.
        self.scores_current = self.engagement_current = True

    def today(self) -> dt.date:
        """The user's calendar date now."""
        return local_today(self.now(), self.zone)

    @property
    def user_id(self) -> int:
        if self._user_id is not None:
            return self._user_id
        if db_read_only() is not None:
            # Nothing can be written: a user first seen here owns nothing (no id).
            found = User.get_or_none(User.login == self.login)
            self._user_id = found.id if found else 0
            return self._user_id
        user_id = self._ensure_user(self.login)
        # Made inside a transaction that may yet roll back: not known to stay.
        if not database.in_transaction():
            self._user_id = user_id
        return user_id

    @retry_writes
    def _ensure_user(self, login: str) -> int:
        found = User.get_or_none(User.login == login)
        if found:
            return found.id
        check_login(login)  # a user first seen: a name others' screens can show safely
        with database.atomic():
            User.insert(
                login=login, display_name=login, created_at=self.now()
            ).on_conflict_ignore().execute()
        return User.get(User.login == login).id

    def _history(
        self,
        entity: str,
        entity_id: int,
        action: str,
        changes: Iterable[tuple[str, Any, Any]] = (("", None, None),),
        at: dt.datetime | None = None,
        version: int | None = None,
    ) -> None:
        at = at or self.now()
        for name, old, new in changes:
            insert_row(
                History,
                {
                    "at": at,
                    "user": self.user_id,
                    "entity": entity,
                    "entity_id": entity_id,
                    "action": action,
                    "field": name,
                    "old": None if old is None else str(old),
                    "new": None if new is None else str(new),
                    "version": version,
                },
            )

    def get_lead(self, lead_id: int) -> Lead:
        lead = Lead.get_or_none(Lead.id == lead_id)
        if lead is None:
            raise NotFound("lead", lead_id)
        return lead

    def get_opportunity(self, opp_id: int) -> Opportunity:
        opp = Opportunity.get_or_none(Opportunity.id == opp_id)
        if opp is None:
            raise NotFound("opportunity", opp_id)
        return opp

    def _lead_for_update(self, lead_id: int) -> Lead:
        """The lead, locked for this transaction where the engine locks rows. A lead
        merged into another is kept as it was: a change goes to the one it went into."""
        lead = _row_for_update(Lead, lead_id)
        if lead is None:
            raise NotFound("lead", lead_id)
        if lead.merged_into_id is not None:
            into = lead.merged_into_id
            raise Refused(
                [
                    Problem(
                        "lead",
                        "merged",
                        _(
                            "lead #{id} was merged into #{into} and is kept as it was; "
                            "change #{into} instead"
                        ).format(id=lead_id, into=into),
                    )
                ]
            )
        return lead

    def _opp_for_update(self, opp_id: int, expected_version: int | None) -> Opportunity:
        """The deal, locked for this transaction where the engine locks rows; refused
        as stale when its stage or state changed since `expected_version` (a move or a
        close made on a card someone else has moved meanwhile)."""
        opp = _row_for_update(Opportunity, opp_id)
        if opp is None:
            raise NotFound("opportunity", opp_id)
        self._check_version("opportunity", opp, expected_version, DEAL_POSITION)
        return opp

    def _check_version(
        self,
        entity: str,
        row: peewee.Model,
        expected_version: int | None,
        fields: Iterable[str] | None,
        wanted: Mapping[str, Any] | None = None,
    ) -> None:
        """Refuse a write made on a copy read at `expected_version` when the record has
        changed since in one of `fields` (None: any field). With `wanted`, a field
        someone else already set to the value this write wants is no clash."""
        if expected_version is None or row.version == expected_version:
            return
        changes = self.changes_since(entity, row.id, expected_version)
        if fields is None:
            raise StaleEdit(entity, row.id, changes)
        touched = set(fields)
        clash = []
        for change in changes:
            name = change["field"]
            if name not in touched or name in clash:
                continue
            already = wanted is not None and name in wanted
            if already and _plain(getattr(row, _column(name))) == _plain(wanted[name]):
                continue
            clash.append(name)
        if clash:
            raise StaleEdit(entity, row.id, changes, clash, words.field_word)

    def _bump(self, model: type[peewee.Model], row: peewee.Model, values: dict[str, Any]) -> None:
        """Write `values` and raise the version, only if nobody else did since we read."""
        updated = (
            model.update({**values, model.version: model.version + 1})
            .where((model.id == row.id) & (model.version == row.version))
            .execute()
        )
        if updated != 1:
            raise StaleEdit(
                model.__name__.lower(),
                row.id,
                self.changes_since(model.__name__.lower(), row.id, row.version),
            )
        row.version += 1
        for name, value in values.items():
            setattr(row, name if isinstance(name, str) else name.name, value)

    def changes_since(self, entity: str, entity_id: int, version: int) -> list[dict[str, Any]]:
        """What was changed on a record after `version`: field by field, who and when."""
        rows = (
            History.select(History, User.login)
            .join(User)
            .where(
                (History.entity == entity)
                & (History.entity_id == entity_id)
                & (History.version > version)
            )
            .order_by(History.id)
        )
        return [
            {"user": r.user.login, "at": r.at, "field": r.field, "old": r.old, "new": r.new}
            for r in rows
        ]

    def _set_next_action(
        self, lead: Lead, action: str, due: dt.date | None, now: dt.datetime
    ) -> None:
        """Give a lead's own record a next action (derived: no version bump)."""
        if (lead.next_action, lead.next_action_due, lead.next_action_at) == (action, due, None):
            return
        Lead.update(next_action=action, next_action_due=due, next_action_at=None).where(
            Lead.id == lead.id
        ).execute()
        changes = [
            ("next_action_due", lead.next_action_due, due),
            ("next_action", lead.next_action, action),
        ]
        if lead.next_action_at is not None:
            changes.append(("next_action_at", lead.next_action_at, None))
        self._history("lead", lead.id, "next", changes, now)
        lead.next_action, lead.next_action_due, lead.next_action_at = action, due, None
