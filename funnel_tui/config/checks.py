"""Checking a user's funnel.toml against the schema: unknown keys, wrong kinds and values
refused key by key, then what holds only of the merged settings together (stage names,
the won and lost stages, the weights); every problem with the line it is on.

Each problem carries the key paths it is about, e.g. ("icp", 1, "weigth") for the second
[[icp]]'s `weigth`; the lines are looked up in the file text only when there are problems.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from funnel_tui.config.schema import (
    ICP,
    KIND_WORDS,
    Setting,
    Table,
    Tables,
    key_entries,
    kind_holds,
)
from funnel_tui.config.toml_lines import KeyPath, key_lines, name, nearest, show


@dataclass(frozen=True)
class Problem:
    paths: tuple[KeyPath, ...]  # where to point, best first; the first one found in the file
    message: str


def check_shape(data: Any, spec: Table, path: KeyPath, problems: list[Problem]) -> None:
    """Unknown keys, wrong types and invalid values in a user's table, all of them."""
    for key, value in data.items():
        here = (*path, key)
        setting = spec.settings.get(key)
        if setting is None:
            known = ", ".join(spec.settings)
            where = f"{name(path)} has an unknown setting" if path else "unknown setting"
            problems.append(Problem((here,), f"{where} {show(key)} (known: {known})"))
        elif isinstance(setting, Table):
            if isinstance(value, dict):
                check_shape(value, setting, here, problems)
            else:
                problems.append(
                    Problem(
                        (here,),
                        f"{name(here)} must be a table ([{name(here)}]), not {show(value)}",
                    )
                )
        elif isinstance(setting, Tables):
            if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
                problems.append(
                    Problem(
                        (here,),
                        f"{name(here)} must be [[{name(here)}]] tables, not {show(value)}",
                    )
                )
                continue
            for index, table in enumerate(value):
                check_shape(table, setting.table, (*here, index), problems)
                for needed in setting.required:
                    if needed not in table:
                        problems.append(
                            Problem(
                                ((*here, index),),
                                f"{name((*here, index))} has no {needed}, which is required",
                            )
                        )
        else:
            _check_setting(value, setting, here, problems)


def _check_setting(value: Any, setting: Setting, path: KeyPath, problems: list[Problem]) -> None:
    if not kind_holds(setting.kind, value):
        problems.append(
            Problem((path,), f"{name(path)} must be {KIND_WORDS[setting.kind]}, not {show(value)}")
        )
        return
    if setting.kind == "texts":
        bad = [(i, item) for i, item in enumerate(value) if not isinstance(item, str)]
        for index, item in bad:
            problems.append(
                Problem(
                    ((*path, index),),
                    f"{name((*path, index))} must be text in quotes, not {show(item)}",
                )
            )
        if bad:
            return
    if setting.kind == "keys":  # each binding id on a line of its own
        for entry_path, keys in key_entries(value, path).values():
            entry = Setting("text", setting.rule)
            _check_setting(keys, entry, entry_path, problems)
        return
    why = setting.rule(value) if setting.rule else None
    if why:
        problems.append(Problem((path,), f"{name(path)} {why}"))


def check_together(data: dict, user: dict, problems: list[Problem]) -> None:
    """What holds only of the merged settings: stage names, the won and lost stages, the
    weights. Settings whose own shape is wrong are left to the problems already found."""
    stages = data.get("stages")
    if isinstance(stages, list) and all(isinstance(s, dict) for s in stages):
        _check_stages(data, stages, user, problems)
    rates = data.get("exchange_rates")
    if isinstance(rates, dict) and rates and not str(data.get("report_currency", "")).strip():
        problems.append(
            Problem(
                (("exchange_rates",),),
                "exchange_rates needs report_currency: the currency the rates are in",
            )
        )
    weights = data.get("qualification", {})
    weights = weights.get("weights", {}) if isinstance(weights, dict) else {}
    icp = data.get("icp", [])
    points = [*(weights.values() if isinstance(weights, dict) else [None])]
    if isinstance(icp, list):
        absent = ICP.absent["weight"]
        points += [c.get("weight", absent) if isinstance(c, dict) else None for c in icp]
    if all(kind_holds("whole", p) and p >= 0 for p in points) and sum(points) <= 0:
        problems.append(
            Problem(
                (("qualification", "weights"), ("icp",)),
                "the qualification weights and the icp weights add up to 0; "
                "at least one must give points",
            )
        )


def _check_stages(data: dict, stages: list[dict], user: dict, problems: list[Problem]) -> None:
    if not stages:
        problems.append(Problem((("stages",),), "stages cannot be empty"))
        return
    seen: dict[str, int] = {}
    names = []
    for index, stage in enumerate(stages):
        name = stage.get("name")
        if not isinstance(name, str):
            continue
        names.append(name)
        first = seen.setdefault(name.casefold(), index)
        if first != index:
            problems.append(
                Problem(
                    (("stages", index, "name"),),
                    f"stages[{index + 1}] is named {show(name)} like stages[{first + 1}]; "
                    "stage names must be unique",
                )
            )
    special = []
    for key in ("won_stage", "lost_stage"):
        name = data.get(key)
        if not isinstance(name, str) or not name.strip():
            continue
        special.append(name)
        if name not in names:
            what = (
                f"{key} {show(name)}"
                if key in user
                else f"{key} is not set, so it is {show(name)}, which"
            )
            problems.append(
                Problem(
                    ((key,), ("stages",)),
                    f"{what} is not one of the stages: " + ", ".join(show(n) for n in names),
                )
            )
    if len(special) == 2 and special[0] == special[1]:
        problems.append(
            Problem(
                (("lost_stage",), ("won_stage",)), "won_stage and lost_stage are the same stage"
            )
        )
    if len(stages) == len(names) and not set(names) - set(special):
        problems.append(
            Problem(
                (("stages",),),
                "stages need at least one open stage besides won_stage and lost_stage",
            )
        )


def located(problems: list[Problem], path: Path, text: str) -> list[str]:
    """One line per problem, `FILE, line N: reason`, in the order of the file."""
    lines = key_lines(text) if text else {}
    found = []
    for problem in problems:
        line = next((lines[p] for p in problem.paths if p in lines), None)
        if line is None:  # inside an inline table or array: the line of what holds it
            line = next(filter(None, (nearest(lines, p) for p in problem.paths)), None)
        found.append((line, problem.message))
    found.sort(key=lambda f: f[0] if f[0] is not None else sys.maxsize)
    return [f"{path}, line {n}: {m}" if n else f"{path}: {m}" for n, m in found]
