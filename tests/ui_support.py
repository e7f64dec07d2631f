"""What the Pilot tests share: the seed leads, the app on a test database, waiting for
workers and typing text."""

from __future__ import annotations

from funnel_tui.app import FunnelApp
from funnel_tui.config import load_config
from funnel_tui.db import close_database, open_database
from funnel_tui.drafts import DraftStore
from funnel_tui.funnel import Funnel

SIZE = (80, 24)

SEED = [
    {
        "name": "Anna Kowalska",
        "company": "Kowalski Logistyka",
        "phone": "+48 512 345 678",
        "email": "anna@kowalski.pl",
        "country": "PL",
        "source": "Trade show",
    },
    {
        "name": "王小明",
        "company": "台北貿易",
        "phone": "+886 912 345 678",
        "email": "wang@taipei.tw",
        "country": "TW",
        "source": "Referral",
    },
    {"name": "[bold red]Mallory", "email": "mallory@example.com", "source": "Web form"},
]


def make_app(env) -> FunnelApp:
    path, drafts = env
    return FunnelApp(config=load_config(), target=path, user="rita", drafts=drafts)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot, text: str) -> None:
    keys = [{" ": "space"}.get(ch, ch) for ch in text]
    await pilot.press(*keys)


def seeded_env(tmp_path):
    """A database with SEED under tmp_path, and a draft store: (path, drafts)."""
    path = str(tmp_path / "ui.db")
    open_database(path)
    rules = Funnel(load_config(), "rita")
    for data in SEED:
        rules.capture_lead(data)
    drafts = DraftStore("rita", tmp_path / "drafts")
    yield path, drafts
    close_database()
