"""Where funnel keeps its database and config, and loading `funnel.toml`.

The defaults live in `default_config.toml` next to this module, so the documented defaults
and the values used are one file. A user's `funnel.toml` overrides keys one by one.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "funnel"
DB_ENV = "FUNNEL_DB"
CONFIG_ENV = "FUNNEL_CONFIG"
USER_ENV = "FUNNEL_USER"
# Shipped beside this module (package data), read with the defaults every run.
DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")

BANT_ITEMS = ("budget", "authority", "need", "timeline")


class ConfigError(Exception):
    """The config file is unreadable or holds a value funnel cannot use."""


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
    values: tuple[str, ...] = ()
    value: float = 0


@dataclass(frozen=True)
class Config:
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


def user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "funnel.toml"


def default_database_path() -> Path:
    return user_data_dir() / "funnel.db"


def database_target(cli_value: str | None = None) -> str:
    """The database to open: `--db`, else `$FUNNEL_DB`, else the file in the data dir."""
    return cli_value or os.environ.get(DB_ENV) or str(default_database_path())


def current_user(cli_value: str | None = None) -> str:
    """The acting user: `--user`, else `$FUNNEL_USER`, else the OS login."""
    if cli_value:
        return cli_value.strip()
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV].strip()
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return f"uid{os.getuid()}"


def _default_data() -> dict:
    text = DEFAULT_CONFIG.read_text("utf-8")
    return tomllib.loads(text)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load the config: defaults overlaid by `path`, `$FUNNEL_CONFIG` or the user's file.

    An explicitly named file that does not exist is an error; the user's default file is
    optional.
    """
    data = _default_data()
    explicit = path or os.environ.get(CONFIG_ENV)
    chosen = Path(explicit) if explicit else user_config_path()
    source = None
    if chosen.exists():
        try:
            user = tomllib.loads(chosen.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{chosen}: {exc}") from exc
        data = _overlay(data, user)
        source = chosen
    elif explicit:
        raise ConfigError(f"{chosen}: no such config file")
    return _build(data, source)


def _overlay(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _overlay(base[key], value)
        else:
            merged[key] = value
    return merged


def _build(data: dict, source: Path | None) -> Config:
    where = str(source) if source else "default config"
    try:
        stages = tuple(
            Stage(str(s["name"]), int(s["probability"]), int(s.get("stale_days", 14)))
            for s in data["stages"]
        )
        qual = data["qualification"]
        icp = tuple(
            IcpCriterion(
                key=str(c["key"]),
                label=str(c.get("label", c["key"])),
                kind=str(c["kind"]),
                weight=int(c.get("weight", 0)),
                values=tuple(str(v) for v in c.get("values", ())),
                value=float(c.get("value", 0)),
            )
            for c in data.get("icp", ())
        )
        config = Config(
            default_region=str(data.get("default_region", "")).strip().upper(),
            email_deliverability=bool(data.get("email_deliverability", False)),
            lead_sources=tuple(str(s) for s in data["lead_sources"]),
            unqualified_reasons=tuple(str(s) for s in data["unqualified_reasons"]),
            loss_reasons=tuple(str(s) for s in data["loss_reasons"]),
            default_currency=str(data.get("default_currency", "EUR")).upper(),
            max_amount=int(data.get("max_amount", 100_000_000)),
            engagement_half_life_days=float(data.get("engagement_half_life_days", 14)),
            stages=stages,
            won_stage=str(data["won_stage"]),
            lost_stage=str(data["lost_stage"]),
            need_required=bool(qual.get("need_required", True)),
            min_bant_yes=int(qual.get("min_bant_yes", 3)),
            min_score=int(qual.get("min_score", 60)),
            bant_weights={k: int(qual["weights"].get(k, 0)) for k in BANT_ITEMS},
            icp=icp,
            source_path=source,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: missing or invalid setting {exc}") from exc
    _check(config, where)
    return config


def _check(config: Config, where: str) -> None:
    names = [s.name for s in config.stages]
    if len(set(n.casefold() for n in names)) != len(names):
        raise ConfigError(f"{where}: stage names must be unique")
    for special in (config.won_stage, config.lost_stage):
        if special not in names:
            raise ConfigError(f"{where}: stage {special!r} is not among the stages")
    if not config.open_stages:
        raise ConfigError(f"{where}: at least one open stage is needed")
    for stage in config.stages:
        if not 0 <= stage.probability <= 100:
            raise ConfigError(f"{where}: stage {stage.name!r} probability must be 0–100")
    for criterion in config.icp:
        if criterion.kind not in ("in", "min"):
            raise ConfigError(f"{where}: icp {criterion.key!r} kind must be 'in' or 'min'")
    if config.total_weight <= 0:
        raise ConfigError(f"{where}: the qualification weights add up to nothing")
    if config.max_amount <= 0:
        raise ConfigError(f"{where}: max_amount must be more than 0")
    if config.engagement_half_life_days <= 0:
        raise ConfigError(f"{where}: engagement_half_life_days must be more than 0")
    if not config.loss_reasons:
        raise ConfigError(f"{where}: loss_reasons cannot be empty")
