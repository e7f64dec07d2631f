"""Two funnel apps on one database, driven with Pilot as two reps would: each sees the
other's edits without a key, a stale edit is refused with what changed and resolved
field by field, edits to different fields both stay, and each sees who else is here."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.storage.models import History, Lead
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.dialogs.conflict import ConflictDialog
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.widgets.bars import TitleBar
from funnel_tui.tui.widgets.here_line import HereLine

from .ui_support import SIZE, settle, type_text


@asynccontextmanager
async def two_apps(env, tmp_path):
    """Rita's app and Olaf's on one database, both running and hearing changes:
    (a, b, pilot of a, pilot of b)."""
    path, drafts = env
    other = DraftStore("olaf", tmp_path / "olaf-drafts")
    a = FunnelApp(config=load_config(), target=path, user="rita", drafts=drafts)
    b = FunnelApp(config=load_config(), target=path, user="olaf", drafts=other)
    async with a.run_test(size=SIZE) as pa, b.run_test(size=SIZE) as pb:
        await watching(pa)
        await watching(pb)
        yield a, b, pa, pb


async def until(pilot, check, seconds: float = 2.0) -> float:
    """Wait (letting the app run) until `check()` holds; returns how long it took."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        await pilot.pause(0.05)
    assert check(), f"not within {seconds} s"
    return time.monotonic() - start


async def watching(pilot) -> None:
    """Until the app's change watcher runs (it starts after the first frame)."""
    await until(pilot, lambda: pilot.app.watch_changes is not None, 5)


def shown(app: FunnelApp, widget) -> str:
    """What a widget of `app` shows. Rendered in that app's context: with two apps in
    one process, a widget's `self.app` is otherwise whichever app started last."""
    with app._context():
        return str(widget.render())


def others_shown(app: FunnelApp) -> str:
    """The top line's part naming the others, `+olaf`."""
    with app._context():
        return str(app.screen.query_one(TitleBar)._others())


def field(app: FunnelApp, name: str) -> str:
    return app.screen.query_one(f"#f-{name}").value


async def open_lead(pilot, lead_id: int = 1) -> LeadScreen:
    # In the app's own context: widgets started from here know their app by it.
    with pilot.app._context():
        pilot.app.open_lead(lead_id)
    await settle(pilot)
    await until(
        pilot, lambda: isinstance(pilot.app.screen, LeadScreen) and field(pilot.app, "name")
    )
    return pilot.app.screen


async def edit(pilot, name: str, text: str) -> None:
    pilot.app.screen.query_one(f"#f-{name}").focus()
    await pilot.press("ctrl+u")  # the whole field
    await type_text(pilot, text)


async def test_two_apps_see_each_other_and_resolve_a_clash_field_by_field(env, tmp_path):
    async with two_apps(env, tmp_path) as (a, b, pa, pb):
        await open_lead(pa)
        await open_lead(pb)
        # Who is here: each top line names the other, each record shows its viewer.
        await until(pa, lambda: "+olaf" in others_shown(a))
        await until(pb, lambda: "rita (viewing)" in shown(b, b.screen.query_one(HereLine)))

        # B edits the title; A, showing the lead, has it within 2 s without a key.
        await edit(pb, "title", "Head of Fleet")
        await until(pa, lambda: "olaf (editing" in shown(a, a.screen.query_one(HereLine)))
        await pb.press("ctrl+s")
        await settle(pb)
        took = await until(pa, lambda: field(a, "title") == "Head of Fleet")
        assert took < 2.0

        # Both edit the same field on the same copy: B saves first, A's save is refused
        # with B's value, who and when; A keeps theirs field by field.
        await edit(pa, "title", "CEO")
        await edit(pa, "notes", "Met at the fair")
        await edit(pb, "title", "COO")
        await pb.press("ctrl+s")
        await settle(pb)
        await until(pa, lambda: "changed meanwhile" in shown(a, a.screen.query_one("#hint-title")))
        assert field(a, "title") == "CEO"  # a half-typed form is never overwritten
        await pa.press("ctrl+s")
        await settle(pa)
        await until(pa, lambda: isinstance(a.screen, ConflictDialog))
        dialog = a.screen
        assert [(c.field, c.theirs, c.by, c.mine) for c in dialog.clashes] == [
            ("title", "COO", "olaf", "CEO")
        ]
        rows_text = shown(a, dialog.query_one("#rows"))
        assert "olaf at" in rows_text and "COO" in rows_text and "CEO" in rows_text
        await pa.press("m", "enter")  # keep mine, save
        await settle(pa)
        lead = Lead.get_by_id(1)
        assert (lead.title, lead.notes) == ("CEO", "Met at the fair")

        # Edits to different fields of the same copy both survive, with no question.
        await until(pb, lambda: field(b, "title") == "CEO")
        await edit(pa, "source", "Web form")
        await edit(pb, "country", "DE")
        await pa.press("ctrl+s")
        await settle(pa)
        await pb.press("ctrl+s")
        await settle(pb)
        assert not isinstance(b.screen, ConflictDialog)
        lead = Lead.get_by_id(1)
        assert (lead.source, lead.country, lead.title) == ("Web form", "DE", "CEO")
        await until(pa, lambda: field(a, "country") == "DE")
        await until(pb, lambda: field(b, "source") == "Web form")

        # A undoes their own last change (the source): recorded, and B sees it.
        await pa.press("ctrl+z")
        await settle(pa)
        assert Lead.get_by_id(1).source == "Trade show"
        assert History.select().where(History.action == "undo").count() == 1
        await until(pb, lambda: field(b, "source") == "Trade show")


async def test_lists_and_the_board_follow_another_instance_keeping_the_cursor(env, tmp_path):
    from funnel_tui.tui.widgets.lead_table import LeadTable

    async with two_apps(env, tmp_path) as (a, b, pa, _):
        await settle(pa)
        table = a.screen.query_one(LeadTable)
        await pa.press("j", "j")
        under = table.current["id"]
        b.rules.capture_lead({"name": "From Olaf", "email": "olaf@example.com"})
        took = await until(pa, lambda: table.row(0) and table.row(0)["name"] == "From Olaf")
        assert took < 2.0
        assert table.current["id"] == under  # the viewer's lead stays under the cursor

        # The board: a deal B converts and moves shows in A's column and its total.
        lead = b.rules.capture_lead({"name": "Deal", "email": "deal@example.com"})
        for item in ("budget", "authority", "need", "timeline"):
            b.rules.answer(lead.id, item, "yes")
        b.rules.promote(lead.id)
        opp = b.rules.convert(lead.id, amount="7000", currency="EUR")
        with a._context():
            a.switch_mode("board")
        await settle(pa)
        view = a.screen.view
        assert view.column("Qualification").count == 1
        b.rules.move(opp.id, "Proposal")
        took = await until(
            pa,
            lambda: view.column("Proposal").count == 1 and view.column("Qualification").count == 0,
        )
        assert took < 2.0


async def test_each_app_keeps_one_change_watcher_as_the_others_come(env, tmp_path):
    """`others` is a reactive: Textual calls a method named `_watch_others` at each of its
    changes, which once started a watcher for every arrival of another instance."""
    import threading

    async with two_apps(env, tmp_path) as (a, b, pa, pb):
        watchers = (a.watch_changes, b.watch_changes)
        await until(pa, lambda: "+olaf" in others_shown(a))
        await until(pb, lambda: "+rita" in others_shown(b))
        await pa.pause(1.2)  # a poll more for each
        assert (a.watch_changes, b.watch_changes) == watchers
        running = [t for t in threading.enumerate() if t.name == "funnel-changes"]
        assert len(running) == 2
    assert not [t for t in threading.enumerate() if t.name == "funnel-changes"]


async def test_a_change_heard_while_the_app_closes_is_dropped(env, tmp_path, monkeypatch):
    """Pilot closes the app from the test's task while the app's own loop still runs:
    a change heard as the list's table was being removed once reached a list with no
    table (NoMatches, and the app's crash report)."""
    from funnel_tui.live.changes import Changes
    from funnel_tui.tui.app import ChangesHeard
    from funnel_tui.tui.widgets.lead_table import LeadTable

    path, drafts = env
    app = FunnelApp(config=load_config(), target=path, user="rita", drafts=drafts)
    heard_at_close = []

    def on_unmount(table) -> None:
        heard_at_close.append(True)
        app.post_message(ChangesHeard(Changes(records=frozenset({("lead", 1)}))))

    monkeypatch.setattr(LeadTable, "on_unmount", on_unmount, raising=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(LeadTable)
    assert heard_at_close  # the change came as the table went, and nothing broke


async def test_a_reads_answer_landing_while_the_app_closes_is_dropped(env, tmp_path, monkeypatch):
    """A worker's answer (the list's first page) that lands as the screens are taken
    down is not shown to a list whose table is gone: the quit stays a quit."""
    import asyncio
    import threading

    from funnel_tui.tui.screens.leads import LeadListScreen
    from funnel_tui.tui.widgets.lead_table import LeadTable

    path, drafts = env
    app = FunnelApp(config=load_config(), target=path, user="rita", drafts=drafts)
    answered: list[BaseException | None] = []

    def answer(screen: LeadListScreen) -> None:
        try:
            app.call_from_thread(screen._loaded, screen.query_state, 0, None, [], True)
            answered.append(None)
        except BaseException as error:  # what the worker would have failed with
            answered.append(error)

    async def on_unmount(table) -> None:
        thread = threading.Thread(target=answer, args=(table.screen,))
        thread.start()
        while thread.is_alive():  # the answer lands while the table is gone
            await asyncio.sleep(0.01)

    monkeypatch.setattr(LeadTable, "on_unmount", on_unmount, raising=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert answered == [None]
