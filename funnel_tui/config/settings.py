"""The settings as the program reads them: Config, Stage, IcpCriterion, Keymap. What each
setting means is said in default_config.toml, which also holds every default."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from funnel_tui.config.toml_lines import at_line
from funnel_tui.core.errors import ConfigError
from funnel_tui.core.i18n import _


@dataclass(frozen=True)
class Stage:
    name: str
    probability: int
    stale_days: int


@dataclass(frozen=True)
class IcpCriterion:
    key: str
    label: str
    kind: str  # "in" or "min"
    weight: int
    values: tuple[str, ...]
    value: float


@dataclass(frozen=True)
class BackupPolicy:
    """[backups]: whether the terminal UI makes backups by itself, how often, and how
    many of them are kept (storage.backups.auto_backup)."""

    automatic: bool = True
    every_hours: float = 24
    keep_daily: int = 7
    keep_weekly: int = 4


@dataclass(frozen=True)
class Keymap:
    """The `[keys]` section: binding id → the keys that replace its own ("ctrl+a,f6").

    Only the UI knows which ids exist, so it checks them; `lines`, `names` and `source`
    let it refuse one as every other setting is refused, naming the file and the line."""

    bindings: dict[str, str]
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    names: dict[str, str] = field(default_factory=dict, compare=False)  # as the file has it
    source: Path | None = field(default=None, compare=False)

    def refused(self, why: dict[str, str]) -> ConfigError:
        """The error for these binding ids, each with why it cannot be used, in file order."""
        found = sorted(
            (
                (
                    self.lines.get(binding),
                    _("{setting} {reason}").format(
                        setting=self.names.get(binding, binding), reason=reason
                    ),
                )
                for binding, reason in why.items()
            ),
            key=lambda f: (f[0] is None, f[0] or 0),
        )
        where = str(self.source)
        return ConfigError(*(at_line(where, n, m) for n, m in found))


@dataclass(frozen=True)
class Config:
    """Every setting of funnel.toml, as the schema (schema.py) reads it."""

    default_region: str
    email_deliverability: bool
    lead_sources: tuple[str, ...]
    unqualified_reasons: tuple[str, ...]
    loss_reasons: tuple[str, ...]
    default_currency: str
    max_amount: int
    engagement_half_life_days: float
    stages: tuple[Stage, ...]
    won_stage: str
    lost_stage: str
    need_required: bool
    min_bant_yes: int
    min_score: int
    bant_weights: dict[str, int]
    icp: tuple[IcpCriterion, ...]
    # Pipeline totals in one currency: what one unit of each currency is worth in
    # `report_currency`. Empty: every currency keeps its own total.
    report_currency: str
    exchange_rates: dict[str, float]
    # The user's IANA zone ("" = $TZ, else the system's): when their day starts.
    timezone: str
    # How a typed 12/01 reads: "mdy", "dmy" or "ymd"; from default_region when the file
    # leaves it empty (dates.order_for_region).
    date_order: str
    # The language the user reads funnel in ("" = --lang, else the environment's:
    # i18n.choose_language); chosen at start, before this file is read whole.
    language: str
    # How the user writes numbers (a Babel locale such as "de_DE"; "" = the environment's:
    # user_locale.user_locale).
    locale: str
    # The days snoozes land on, Monday 0 … Sunday 6.
    working_days: tuple[int, ...]
    keys: Keymap
    backups: BackupPolicy = BackupPolicy()
    # Minutes before a timed next action falls due that a reminder shows (0: none), and
    # whether it rings the terminal's bell.
    reminder_minutes: int = 10
    reminder_bell: bool = False
    # The calendar file funnel keeps current ("" = none), as typed ("~" not expanded),
    # and how long an action at a time lasts in it.
    calendar_file: str = ""
    calendar_event_minutes: int = 15
    source_path: Path | None = field(default=None, compare=False)

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.name not in (self.won_stage, self.lost_stage))

    def stage(self, name: str) -> Stage | None:
        folded = name.casefold()
        return next((s for s in self.stages if s.name.casefold() == folded), None)

    @property
    def total_weight(self) -> int:
        return sum(self.bant_weights.values()) + sum(c.weight for c in self.icp)
