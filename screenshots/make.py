"""Regenerates the SVG screenshots in this folder from the app itself, on a demo database.

    .venv/bin/python screenshots/make.py

Each screenshot is taken at 80×24 (the size every screen must work at) and at 160×48.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from funnel_tui.app import FunnelApp  # noqa: E402
from funnel_tui.config import load_config  # noqa: E402
from funnel_tui.db import close_database, open_database  # noqa: E402
from funnel_tui.demo import generate_demo  # noqa: E402

SIZES = ((80, 24), (160, 48))
DEMO_LEADS = 5000


async def shoot(name: str, target: str, size: tuple[int, int]) -> Path:
    app = FunnelApp(config=load_config(), target=target, user="anna")
    async with app.run_test(size=size) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        path = HERE / f"{name}-{size[0]}x{size[1]}.svg"
        path.write_text(app.export_screenshot(title=f"funnel — {name}"), encoding="utf-8")
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        # A relative path keeps the temporary folder's name out of the pictures.
        os.chdir(folder)
        target = "demo.db"
        generate_demo(open_database(target), load_config(), leads=DEMO_LEADS, seed=1, user="anna")
        for size in SIZES:
            path = asyncio.run(shoot("shell", target, size))
            print(path.relative_to(HERE.parent))
        close_database()
        os.chdir(HERE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
