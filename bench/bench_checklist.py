"""Issue 4 figures for the checklist on a 100,000-lead demo database, against a key
reaching a bare Textual Input in the same run:

- opening a lead's checklist from the list (q) until its items, score and gate show;
- an answer key (y / n) until the new score shows;
- both together, as a rep does them: open, answer, see the score.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from pathlib import Path

from common import cost, key_floor, percentile, send_key, until

DEMO_LEADS = 100_000
LEADS_OPENED = 40  # different leads, down the list
ANSWERS = 2  # per lead: yes, then no


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-checklist-") as folder:
        target = str(Path(folder) / "demo.db")
        from funnel_tui.config import load_config
        from funnel_tui.db import close_database, open_database
        from funnel_tui.demo import generate_demo

        generate_demo(open_database(target), load_config(), leads=DEMO_LEADS, seed=1, user="bench")
        close_database()
        return asyncio.run(_measure(target, folder))


async def _measure(target: str, folder: str):
    from funnel_tui.app import FunnelApp
    from funnel_tui.config import load_config
    from funnel_tui.db import close_database, open_database
    from funnel_tui.drafts import DraftStore
    from funnel_tui.screens.checklist import ChecklistScreen, ChecklistView
    from funnel_tui.widgets.lead_table import LeadTable

    floor = await key_floor()
    open_database(target)
    gc.disable()  # as cli.make_app: the app turns the collector back on once it is up
    app = FunnelApp(
        config=load_config(),
        target=target,
        user="bench",
        drafts=DraftStore("bench", Path(folder) / "drafts"),
    )
    opens, answers, together = [], [], []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.startup_done()  # what the app does once its first screen is up
        for index in range(LEADS_OPENED):
            table = app.screen.query_one(LeadTable)
            start = time.perf_counter()
            send_key(app, "q")
            opened = await until(
                lambda: isinstance(app.screen, ChecklistScreen) and app.screen.state, app=app
            )
            opens.append(opened - start)
            screen = app.screen
            view = screen.query_one(ChecklistView)
            for answer in ("y", "n")[:ANSWERS]:
                before = screen.state
                begin = time.perf_counter()
                send_key(app, answer)
                shown = await until(lambda b=before, s=screen: s.state is not b, app=app)
                answers.append(shown - begin)
                if answer == "y":
                    together.append(shown - start)
                send_key(app, "j")  # the next item, so each answer changes something
                await until(lambda v=view: v.cursor > 0)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press(*["j"] * (index % 5 + 1))
            await until(lambda t=table: t.current is not None)
    close_database()
    floor_p95 = percentile(floor, 95) * 1000
    return [
        cost(
            "checklist opens from the list, p95",
            percentile(opens, 95) * 1000,
            floor_p95,
            "key to a bare Input, p95",
            "ms",
            max_value=30,
        ),
        cost(
            "answer key to the new score, p95",
            percentile(answers, 95) * 1000,
            floor_p95,
            "key to a bare Input, p95",
            "ms",
            max_value=30,
        ),
        cost(
            "open, answer, new score shown, p95",
            percentile(together, 95) * 1000,
            floor_p95,
            "key to a bare Input, p95",
            "ms",
        ),
    ]
