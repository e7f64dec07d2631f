"""What the Pilot tests share: the seed leads, the app on a test database, waiting for
workers and typing text."""

from __future__ import annotations

from textual.worker import WorkerCancelled

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.app import FunnelApp

from .clock import Clock

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
    """rita's app on the seeded database, its clock pinned at clock.NOW."""
    path, drafts = env
    return FunnelApp(config=load_config(), target=path, user="rita", drafts=drafts, clock=Clock())


async def settle(pilot) -> None:
    """Three rounds of every worker done and the messages they sent handled. A round in
    which an exclusive worker (the duplicate lookup) was replaced by a newer one while we
    waited does not count: the newer one is waited for in the next."""
    done = 0
    for _ in range(20):
        try:
            await pilot.app.workers.wait_for_complete()
            done += 1
        except WorkerCancelled:
            pass
        await pilot.pause()
        if done == 3:
            return


async def type_text(pilot, text: str) -> None:
    keys = [{" ": "space"}.get(ch, ch) for ch in text]
    await pilot.press(*keys)


def seeded_env(tmp_path):
    """A database with SEED under tmp_path, and a draft store: (path, drafts)."""
    path = str(tmp_path / "ui.db")
    open_database(path)
    rules = Funnel(load_config(), "rita", Clock())
    for data in SEED:
        rules.capture_lead(data)
    drafts = DraftStore("rita", tmp_path / "drafts")
    yield path, drafts
    close_database()


# ------------------------------------------------------------------ deals for the board

# (name, company, email, phone, owner, amount, currency, stage, close in days from now,
#  next action: (what, due in days) or None, days since the last activity or None)
DEALS = [
    (
        "Anna Kowalska",
        "Kowalski Logistyka",
        "anna@kowalski.pl",
        "+48 512 345 678",
        "rita",
        "40000",
        "EUR",
        "Qualification",
        20,
        ("Send the deck", 2),
        1,
    ),
    (
        "王小明",
        "台北貿易股份有限公司",
        "wang@taipei.tw",
        "+886 912 345 678",
        "rita",
        "1200000",
        "TWD",
        "Qualification",
        45,
        None,
        30,
    ),
    (
        "José Ramírez",
        "Grupo Norte",
        "jose@gruponorte.mx",
        "+52 55 1234 5678",
        "sam",
        "250000",
        "MXN",
        "Needs analysis",
        3,
        ("Call back", -4),
        12,
    ),
    (
        "[bold red]Mallory",
        "=cmd|' /C calc'!A0",
        "mallory@example.com",
        "",
        "rita",
        "9999.99",
        "USD",
        "Proposal",
        60,
        ("Demo", 9),
        3,
    ),
    (
        "Jürgen Müller",
        "Müller Maschinenbau",
        "jm@mueller.de",
        "+49 151 23456789",
        "sam",
        "75000",
        "EUR",
        "Negotiation",
        8,
        ("Final offer", 0),
        2,
    ),
    (
        "Émilie Dubois",
        "Dubois & Fils",
        "emilie@dubois.fr",
        "+33 6 12 34 56 78",
        "rita",
        "18000",
        "EUR",
        "Proposal",
        -5,
        None,
        None,
    ),
]


def seed_deals(config, now) -> list[int]:
    """The DEALS as opportunities, written by the rules as their owners would, at
    times before `now`; returns their ids in DEALS order."""
    import datetime as dt

    from funnel_tui.storage.models import Opportunity, StageChange

    ids = []
    for (
        name,
        company,
        email,
        phone,
        owner,
        amount,
        currency,
        stage,
        close,
        action,
        touched,
    ) in DEALS:
        started = now - dt.timedelta(days=40)
        rules = Funnel(config, owner, lambda at=started: at)
        data = {"name": name, "company": company, "email": email, "source": "Trade show"}
        if phone:
            data["phone"] = phone
        lead = rules.capture_lead(data)
        for item in ("budget", "authority", "need", "timeline"):
            rules.answer(lead.id, item, "yes")
        rules.promote(lead.id)
        opp = rules.convert(
            lead.id,
            amount=amount,
            currency=currency,
            expected_close=(now + dt.timedelta(days=close)).date(),
            stage=stage,
            allow_past_close=True,
        )
        if touched is not None:
            at = now - dt.timedelta(days=touched)
            later = Funnel(config, owner, lambda at=at: at)
            what, due = action if action else ("", None)
            later.log_activity(
                opportunity_id=opp.id,
                kind="call",
                outcome="reached",
                next_action=what,
                next_due=(now + dt.timedelta(days=due)).date() if due is not None else None,
            )
        ids.append(opp.id)
    # In stage since the conversion, 40 days ago (the moves are the tests' to make).
    StageChange.update(at=now - dt.timedelta(days=40)).execute()
    Opportunity.update(stage_entered_at=now - dt.timedelta(days=40)).execute()
    return ids


# ------------------------------------------------------------------ keys in a burst


def burst_keys(*parts: str) -> list[str]:
    """Key names for `parts`: a part that is a key name ("tab", "ctrl+s") is that key;
    any other part is text, one key per character."""
    keys: list[str] = []
    for part in parts:
        if len(part) > 1 and (part in _NAMED_KEYS or "+" in part[1:-1]):
            keys.append(part)
        else:
            keys.extend(part)
    return keys


_NAMED_KEYS = {"tab", "shift+tab", "enter", "escape", "backspace", "space", "up", "down"}


async def press_burst(pilot, *parts: str) -> None:
    """Type `parts` as a fast typist, a paste or an SSH link delivers them: every key is
    queued before the app handles the first (Pilot's press waits for the app to go
    idle after each key, which hides what a burst does). Keys are made as Pilot makes
    them."""
    import unicodedata

    from textual import events
    from textual.keys import (
        REPLACED_KEYS,
        _character_to_key,
        _get_unicode_name_from_key,
    )

    app = pilot.app
    for key in burst_keys(*parts):
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        original = REPLACED_KEYS.get(key, key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(original))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)
    await keys_settled(pilot)


async def keys_settled(pilot, timeout: float = 10.0) -> None:
    """Wait until every key received has been delivered and has settled."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    await pilot.pause()
    while pilot.app.keys_waiting and time.monotonic() < deadline:
        await settle(pilot)
        await asyncio.sleep(0.01)
    assert not pilot.app.keys_waiting, "keys still waiting"
    await settle(pilot)


def app_at(path: str, folder, now, start: str = "leads", user: str = "rita") -> FunnelApp:
    """`user`'s app on the database at `path`, drafts under `folder`, its clock at `now`
    (a naive UTC datetime), opening on `start`."""
    return FunnelApp(
        config=load_config(),
        target=path,
        user=user,
        drafts=DraftStore(user, folder / "drafts"),
        clock=lambda: now,
        start=start,
    )
