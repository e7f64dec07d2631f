"""The team a record can be handed to: every user, with how many open leads each owns
(what the hand-over picker shows beside each name). Never writes."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from funnel_tui.core.vocab import OPEN_STATUSES
from funnel_tui.storage.models import Lead, User


@dataclass(frozen=True)
class Member:
    user_id: int
    login: str
    display_name: str
    open_leads: int


def team_members() -> list[Member]:
    """Every user, by login, with their open leads (core.vocab.OPEN_STATUSES) counted
    through the lead table's (owner, status) index."""
    counts = dict(
        Lead.select(Lead.owner, fn.COUNT(Lead.id))
        .where(Lead.status.in_(list(OPEN_STATUSES)) & Lead.merged_into.is_null())
        .group_by(Lead.owner)
        .tuples()
    )
    users = User.select(User.id, User.login, User.display_name).order_by(User.login).tuples()
    return [Member(i, login, display or "", counts.get(i, 0)) for i, login, display in users]
