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
from funnel_tui.config.toml_lines import KeyPath, at_line, key_lines, name, nearest, show
from funnel_tui.core.i18n import _


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
            said = (
                _("{table} has an unknown setting {key} (known: {known})")
                if path
                else _("unknown setting {key} (known: {known})")
            )
            message = said.format(table=name(path), key=show(key), known=known)
            problems.append(Problem((here,), message))
        elif isinstance(setting, Table):
            if isinstance(value, dict):
                check_shape(value, setting, here, problems)
            else:
                problems.append(
                    Problem(
                        (here,),
                        _("{setting} must be a table ([{setting}]), not {value}").format(
                            setting=name(here), value=show(value)
                        ),
                    )
                )
        elif isinstance(setting, Tables):
            if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
                problems.append(
                    Problem(
                        (here,),
                        _("{setting} must be [[{setting}]] tables, not {value}").format(
                            setting=name(here), value=show(value)
                        ),
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
                                _("{setting} has no {key}, which is required").format(
                                    setting=name((*here, index)), key=needed
                                ),
                            )
                        )
        else:
            _check_setting(value, setting, here, problems)


def _check_setting(value: Any, setting: Setting, path: KeyPath, problems: list[Problem]) -> None:
    if not kind_holds(setting.kind, value):
        problems.append(
            Problem(
                (path,),
                _("{setting} must be {kind}, not {value}").format(
                    setting=name(path), kind=_(KIND_WORDS[setting.kind]), value=show(value)
                ),
            )
        )
        return
    if setting.kind == "texts":
        bad = [(i, item) for i, item in enumerate(value) if not isinstance(item, str)]
        for index, item in bad:
            problems.append(
                Problem(
                    ((*path, index),),
                    _("{setting} must be text in quotes, not {value}").format(
                        setting=name((*path, index)), value=show(item)
                    ),
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
        problems.append(
            Problem((path,), _("{setting} {reason}").format(setting=name(path), reason=why))
        )


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
                _("exchange_rates needs report_currency: the currency the rates are in"),
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
                _(
                    "the qualification weights and the icp weights add up to 0; "
                    "at least one must give points"
                ),
            )
        )


def _check_stages(data: dict, stages: list[dict], user: dict, problems: list[Problem]) -> None:
    if not stages:
        problems.append(Problem((("stages",),), _("stages cannot be empty")))
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
                    _(
                        "stages[{index}] is named {name} like stages[{first}]; "
                        "stage names must be unique"
                    ).format(index=index + 1, name=show(name), first=first + 1),
                )
            )
    special = []
    for key in ("won_stage", "lost_stage"):
        name = data.get(key)
        if not isinstance(name, str) or not name.strip():
            continue
        special.append(name)
        if name not in names:
            said = (
                _("{key} {name} is not one of the stages: {stages}")
                if key in user
                else _(
                    "{key} is not set, so it is {name}, which is not one of the stages: {stages}"
                )
            )
            stages_named = ", ".join(show(n) for n in names)
            problems.append(
                Problem(
                    ((key,), ("stages",)),
                    said.format(key=key, name=show(name), stages=stages_named),
                )
            )
    if len(special) == 2 and special[0] == special[1]:
        problems.append(
            Problem(
                (("lost_stage",), ("won_stage",)), _("won_stage and lost_stage are the same stage")
            )
        )
    if len(stages) == len(names) and not set(names) - set(special):
        problems.append(
            Problem(
                (("stages",),),
                _("stages need at least one open stage besides won_stage and lost_stage"),
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
    return [at_line(path, n, m) for n, m in found]
