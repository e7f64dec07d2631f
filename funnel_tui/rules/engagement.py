"""How engaged a lead is: the half-life maths, is_two_way, and the stored engagement keys."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import peewee

from funnel_tui.config import Config
from funnel_tui.core.vocab import ALWAYS_TWO_WAY_KINDS, TWO_WAY_OUTCOMES
from funnel_tui.rules.scoring import _sync_derived
from funnel_tui.rules.session import Session
from funnel_tui.storage.bulk import write_engagement_keys
from funnel_tui.storage.models import Activity, Lead, database

ENGAGEMENT_META_KEY = "engagement_config"
# Engagement keys count time in days from here (naive UTC, like every stored time).
ENGAGEMENT_EPOCH = dt.datetime(2020, 1, 1)


@dataclass(frozen=True)
class Engagement:
    """How engaged a lead is now, from its two-way interactions (see engagement_key).

    `value` is E: each two-way interaction adds 1 that halves every half-life, so one
    just now is 1.0 and two a half-life ago are 1.0 too. `level` is E on a 0–100 scale
    for display (engagement_level). `interactions` counts the two-way interactions and
    `last` is the latest one (None: there were none).
    """

    value: float
    level: int
    interactions: int
    last: dt.datetime | None


def is_two_way(kind: str, direction: str, outcome: str) -> bool:
    """Whether an interaction reached the person: they talked, met or answered."""
    if kind == "note":
        return False
    return kind in ALWAYS_TWO_WAY_KINDS or direction == "inbound" or outcome in TWO_WAY_OUTCOMES


def _two_way_sql() -> peewee.Expression:
    """is_two_way as a condition on stored activities (which hold the kind, direction
    and outcome as log_activity cleaned them)."""
    return (Activity.kind != "note") & (
        Activity.kind.in_(sorted(ALWAYS_TWO_WAY_KINDS))
        | (Activity.direction == "inbound")
        | Activity.outcome.in_(sorted(TWO_WAY_OUTCOMES))
    )


# ------------------------------------------------------------------ engagement
#
# Each two-way interaction at time t_i (in days) adds 1 point that halves every
# half-life h, so at time t a lead's engagement is E(t) = sum_i 2^(-(t - t_i) / h).
# Stored is the key K = log2(sum_i 2^(t_i / h)), with t in days since
# ENGAGEMENT_EPOCH; then E(t) = 2^(K - t / h). K does not change with time, and at
# any common moment t, E is increasing in K: the list sorts by E through an index
# on K. An interaction adds to K as logaddexp in base 2; no interaction is NULL
# (E = 0). Changing h changes every K: sync_engagement recomputes them.


def engagement_time(when: dt.datetime, half_life: float) -> float:
    """`when` as half-lives since ENGAGEMENT_EPOCH: t / h in the formulas above."""
    return (when - ENGAGEMENT_EPOCH).total_seconds() / (86400.0 * half_life)


def add_engagement(key: float | None, exponent: float) -> float:
    """log2(2^key + 2^exponent) without overflow: the key after one more
    interaction at `exponent` (engagement_time); None as `key` is no interaction."""
    if key is None:
        return exponent
    high, low = (key, exponent) if key >= exponent else (exponent, key)
    return high + math.log1p(2.0 ** (low - high)) / math.log(2.0)


def engagement_key(times: Iterable[dt.datetime], half_life: float) -> float | None:
    """The engagement key of two-way interactions at `times`; None for none."""
    exponents = [engagement_time(t, half_life) for t in times]
    if not exponents:
        return None
    top = max(exponents)
    return top + math.log2(math.fsum(2.0 ** (x - top) for x in exponents))


def key_of_seconds(seconds: Sequence[float], half_life: float) -> float:
    """engagement_key of two-way interactions given as seconds since ENGAGEMENT_EPOCH
    (at least one), for the bulk paths that hold numbers rather than datetimes
    (recompute_engagement, the demo): the same key to within rounding, and the same
    bits whichever of them computes it."""
    per_half_life = 86400.0 * half_life  # seconds, as engagement_time divides them
    top = max(seconds)
    return top / per_half_life + math.log2(
        math.fsum(2.0 ** ((s - top) / per_half_life) for s in seconds)
    )


def engagement_now(key: float | None, now: dt.datetime, half_life: float) -> float:
    """E at `now` from a stored key (lead.engagement_key): 0.0 for None."""
    if key is None:
        return 0.0
    # Capped so that keys of interactions dated far in the future cannot overflow.
    return 2.0 ** min(key - engagement_time(now, half_life), 1000.0)


def engagement_level(value: float) -> int:
    """E on a 0–100 scale for display: 100 * (1 - 2^-E), rounded.

    Monotone in E and bounded without a configured maximum: one interaction just now
    shows 50, two 75, three 88; a single one falls to 25 after about 1.2 half-lives
    and to 0 after about seven (E < 0.005), so a lead nobody has reached in months
    reads 0 whatever it had before.
    """
    return round(100 * (1.0 - 2.0**-value))


def level_of_key(key: float | None, now: dt.datetime, half_life: float) -> int | None:
    """A stored engagement key as the 0–100 level at `now`; None: never reached two-way
    (which a list shows apart from a level that has faded to 0)."""
    return None if key is None else engagement_level(engagement_now(key, now, half_life))


def engagement_fingerprint(config: Config) -> str:
    """What the stored engagement keys depend on in the config: the half-life (and the
    formula's epoch, should it ever change)."""
    return f"{ENGAGEMENT_EPOCH.date().isoformat()}/{config.engagement_half_life_days!r}"


def sync_engagement(config: Config) -> int:
    """Recompute every lead's engagement key when the stored ones were computed with
    another half-life than `config`'s (or are unknown: a database migrated from schema
    5 or older); returns how many keys changed. A no-op costs one read of funnel_meta.

    As with scores (sync_scores): one team, one half-life.
    """
    return _sync_derived(
        ENGAGEMENT_META_KEY,
        engagement_fingerprint(config),
        lambda: recompute_engagement(config.engagement_half_life_days),
    )


def recompute_engagement(half_life: float) -> int:
    """Recompute every lead's engagement key from its two-way activities; returns how
    many changed. Two reads (the two-way activities' times, the stored keys) and
    batched writes of the keys that moved: 100,000 leads take about a second."""
    db = database.obj
    sql, params = (
        Activity.select(Activity.lead, Activity.occurred_at)
        .where(Activity.lead.is_null(False) & _two_way_sql())
        .sql()
    )
    seconds: dict[int, list[float]] = defaultdict(list)
    epoch = ENGAGEMENT_EPOCH
    parse = dt.datetime.fromisoformat
    for lead_id, at in db.execute_sql(sql, params):
        # SQLite returns text, PostgreSQL datetimes; both naive UTC.
        when = parse(at) if isinstance(at, str) else at
        seconds[lead_id].append((when - epoch).total_seconds())
    wanted = {lead_id: key_of_seconds(found, half_life) for lead_id, found in seconds.items()}
    moved: list[tuple[float | None, int]] = []
    for lead_id, stored in db.execute_sql('SELECT "id", "engagement_key" FROM "lead"'):
        key = wanted.get(lead_id)
        if key is None or stored is None:
            if key is not stored:
                moved.append((key, lead_id))
        elif not math.isclose(key, stored, rel_tol=0.0, abs_tol=1e-9):
            moved.append((key, lead_id))
    write_engagement_keys(db, moved)
    return len(moved)


def _engagement_key_for_update(lead_id: int) -> float | None:
    """The lead's stored engagement key, the row locked until the transaction ends
    where the engine can (PostgreSQL), so two interactions logged at once both count.
    SQLite's transactions (BEGIN IMMEDIATE) already run one at a time."""
    query = Lead.select(Lead.engagement_key).where(Lead.id == lead_id)
    if database.obj.for_update:
        query = query.for_update()
    row = query.tuples().first()
    return row[0] if row else None


class EngagementRules(Session):
    """Reading a lead's engagement."""

    def engagement(self, lead_id: int, now: dt.datetime | None = None) -> Engagement:
        """The lead's engagement at `now` (default: this moment, UTC), computed afresh
        from its two-way interactions, those logged on its opportunities included."""
        self.get_lead(lead_id)
        rows = (
            Activity.select(Activity.occurred_at)
            .where((Activity.lead == lead_id) & _two_way_sql())
            .tuples()
        )
        times = [row[0] for row in rows]
        half_life = self.config.engagement_half_life_days
        value = engagement_now(engagement_key(times, half_life), now or self.now(), half_life)
        return Engagement(value, engagement_level(value), len(times), max(times, default=None))
