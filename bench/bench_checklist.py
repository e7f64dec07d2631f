"""Issues 4 and 25: the checklist at 10,000, 100,000 and 1,000,000 leads, on SQLite and
on PostgreSQL (sizes and engines as bench_ui: FUNNEL_BENCH_SIZES, FUNNEL_BENCH_ENGINES),
against a key reaching a bare Textual Input in the same run:

- opening a lead's checklist from the list (q) until its items, score and gate show;
- an answer key (y / n) until the new score shows;
- both together, as a rep does them: open, answer, see the score.

Keys come as a person presses them, with a pause to read the screen before each; the
same figures with keys sent back to back at machine speed are printed beside them,
with the floor measured the same way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import random
import tempfile
import time
from pathlib import Path

from common import (
    cost,
    human_pause,
    key_floor,
    percentile,
    print_table,
    scale_targets,
    send_key,
    until,
)

LEADS_OPENED = 60  # different leads, down the list; every other one at machine speed
ANSWERS = 2  # per lead: yes, then no


def figures():
    results, table = [], {}
    with tempfile.TemporaryDirectory(prefix="funnel-bench-checklist-") as folder:
        for engine, leads, target in scale_targets("bench_checklist", folder):
            found = asyncio.run(_measure(target, folder, f", {leads:,} leads, {engine}"))
            results += found
            for figure in found:
                if "keys back to back" not in figure.name:
                    label = figure.name.split(",")[0]
                    table.setdefault(label, {})[engine, leads] = (figure.value, figure.floor)
    print_table(table)
    return results


async def _measure(target: str, folder: str, where: str = ""):
    from funnel_tui.config import load_config
    from funnel_tui.config.settings import BackupPolicy
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.tui.app import FunnelApp
    from funnel_tui.tui.screens.checklist import ChecklistScreen, ChecklistView
    from funnel_tui.tui.widgets.lead_table import LeadTable

    paced_floor = await key_floor(paced=True)
    burst_floor = await key_floor()
    open_database(target)
    gc.disable()  # as cli.make_app: the app turns the collector back on once it is up
    app = FunnelApp(
        # No backup of its own: the kept demos are gigabytes, copied while being timed.
        config=dataclasses.replace(load_config(), backups=BackupPolicy(automatic=False)),
        target=target,
        user="bench",
        drafts=DraftStore("bench", Path(folder) / "drafts"),
    )
    rng = random.Random(4)
    timings = {paced: ([], [], []) for paced in (True, False)}
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.startup_done()  # what the app does once its first screen is up
        for index in range(LEADS_OPENED):
            paced = index % 2 == 0
            opens, answers, together = timings[paced]
            table = app.screen.query_one(LeadTable)
            if paced:
                await human_pause(rng)
            start = time.perf_counter()
            send_key(app, "q")
            opened = await until(
                lambda: isinstance(app.screen, ChecklistScreen) and app.screen.state,
                timeout=60,  # measured, however long, rather than a failed run
                app=app,
            )
            opens.append(opened - start)
            screen = app.screen
            view = screen.query_one(ChecklistView)
            for answer in ("y", "n")[:ANSWERS]:
                before = screen.state
                if paced:
                    await human_pause(rng)
                begin = time.perf_counter()
                send_key(app, answer)
                shown = await until(
                    lambda b=before, s=screen: s.state is not b, timeout=60, app=app
                )
                answers.append(shown - begin)
                if answer == "y":
                    together.append(shown - start - (begin - opened))  # less the pause
                send_key(app, "j")  # the next item, so each answer changes something
                await until(lambda v=view: v.cursor > 0)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press(*["j"] * (index % 5 + 1))
            await until(lambda t=table: t.current is not None)
    close_database()
    return _figures(timings[True], paced_floor, "", where) + _figures(
        timings[False], burst_floor, ", keys back to back", where
    )


def _figures(timings, floor, how: str, where: str = ""):
    opens, answers, together = timings
    floor_p95 = percentile(floor, 95) * 1000
    floor_name = f"key to a bare Input, p95{how}"
    goal = 30 if not how else None  # people leave pauses; bursts are shown, not judged
    return [
        cost(
            f"checklist opens from the list, p95{how}{where}",
            percentile(opens, 95) * 1000,
            floor_p95,
            floor_name,
            "ms",
            max_value=goal,
        ),
        cost(
            f"answer key to the new score, p95{how}{where}",
            percentile(answers, 95) * 1000,
            floor_p95,
            floor_name,
            "ms",
            max_value=goal,
        ),
        cost(
            f"open + answer, p95{how}{where}",
            percentile(together, 95) * 1000,
            floor_p95,
            floor_name,
            "ms",
        ),
    ]
