"""Keys typed ahead act in order on the widget focused at that moment: a fast typist, a
paste or an SSH link that batches keystrokes sends a whole card in one burst."""

from __future__ import annotations

import pytest

from funnel_tui.storage.models import Lead

from .ui_support import SIZE, app_at, make_app, press_burst, settle


async def test_a_card_typed_in_one_burst_lands_field_by_field(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "ctrl+n", "Anna Fast", "tab", "Acme", "tab", "0912345678")
        screen = app.screen
        values = {f: screen.query_one(f"#f-{f}").value for f in ("name", "company", "phone")}
        assert values == {"name": "Anna Fast", "company": "Acme", "phone": "0912345678"}


@pytest.mark.parametrize(
    "cards",
    [
        [
            ("Jan Szybki", "Szybki Sp", "+48 601 234 567", "jan@szybki.pl"),
            ("Ewa Prędka", "Prędka SA", "+48 602 345 678", "ewa@predka.pl"),
        ],
        [
            ("陳大文", "大文貿易", "+886 933 111 222", "chen@dawen.tw"),
            ("李小華", "小華科技", "+886 922 456 789", "li@xiaohua.tw"),
        ],
    ],
    ids=["latin", "cjk"],
)
async def test_two_cards_typed_ahead_with_ctrl_s_between_are_both_saved(env, cards):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys: list[str] = ["ctrl+n"]
        for name, company, phone, email in cards:
            keys += [name, "tab", company, "tab", phone, "tab", email, "ctrl+s"]
        await press_burst(pilot, *keys)
        # The form says the last card was saved: no check begun on it (it would find
        # the card itself) answers after the save.
        await pilot.pause(0.3)
        outcome = str(app.screen.query_one("#outcome").render())
        assert "Saved" in outcome and cards[-1][0] in outcome, outcome
    for name, company, phone, email in cards:
        lead = Lead.get(Lead.name == name)
        assert (lead.company.name, lead.email_norm) == (company, email)
        assert lead.phone_e164.replace("+", "") in phone.replace(" ", "").replace("+", "")


async def test_shift_tab_and_enter_act_where_the_cursor_is_then(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(
            pilot, "ctrl+n", "Ola", "enter", "Firma", "shift+tab", " Nowa", "tab", "tab", "ola@x.pl"
        )
        screen = app.screen
        values = {f: screen.query_one(f"#f-{f}").value for f in ("name", "company", "phone")}
        assert values == {"name": "Ola Nowa", "company": "Firma", "phone": "ola@x.pl"}


async def test_a_refused_card_keeps_what_was_typed_and_the_card_after_it_waits(env):
    """The first card has no way to reach them: the form says so and keeps it; the
    second card, typed on the assumption that the first was saved, lands nowhere rather
    than in the field that needs fixing."""
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(
            pilot, "ctrl+n", "Nobody", "tab", "Ghost Co", "ctrl+s", "Next One", "tab", "Next Co"
        )
        screen = app.screen
        assert screen.query_one("#f-name").value == "Nobody"
        assert screen.query_one("#f-company").value == "Ghost Co"
        outcome = str(screen.query_one("#outcome").render())
        assert "Not saved" in outcome and "typed after ctrl+s not used" in outcome
        assert "Next" not in screen.query_one("#f-phone").value
    assert not Lead.select().where(Lead.name.in_(["Nobody", "Next One"])).exists()


async def test_keys_typed_after_a_duplicate_do_not_answer_its_dialog(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # anna@kowalski.pl is a seed lead: the save asks; "o" would open the old lead.
        await press_burst(
            pilot, "ctrl+n", "Anna Again", "tab", "tab", "anna@kowalski.pl", "ctrl+s", "oops"
        )
        assert type(app.screen).__name__ == "DuplicateDialog"
    assert Lead.select().where(Lead.email_norm == "anna@kowalski.pl").count() == 1


async def test_a_record_edited_in_one_burst_saves_each_field(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lead = Lead.get(Lead.email_norm == "anna@kowalski.pl")
        app.open_lead(lead.id)
        await settle(pilot)
        await press_burst(pilot, "ctrl+u", "Anna Nowa", "tab", "ctrl+u", "Nowa Sp", "ctrl+s")
    lead = Lead.get_by_id(lead.id)
    assert (lead.name, lead.company.name) == ("Anna Nowa", "Nowa Sp")


async def test_a_call_logged_from_today_in_one_burst(tmp_path):
    """From the queue: l, the outcome's letter, a note, the next action and its date,
    ctrl+s, then the next item's log, all typed ahead."""
    import datetime as dt

    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.storage.models import Activity

    now = dt.datetime(2026, 11, 23, 9, 0)
    path = str(tmp_path / "burst.db")
    open_database(path)
    rules = Funnel(load_config(), "rita", lambda: now)
    for name in ("Olga Burst", "Piet Burst"):
        lead = rules.capture_lead({"name": name, "email": f"{name.split()[0]}@example.com"})
        rules.log_activity(
            lead_id=lead.id, kind="call", outcome="no_answer", next_action="Call",
            next_due=now.date(),
        )  # fmt: skip
    app = app_at(path, tmp_path, now, start="today")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press_burst(
                pilot,
                "l", "r", "wants pricing", "tab", "Send pricing", "tab", "+3d", "ctrl+s",
                "l", "n", "tab", "Try again", "tab", "tomorrow", "ctrl+s",
            )  # fmt: skip
        logged = list(Activity.select().where(Activity.note != "").order_by(Activity.id))
        assert [(a.outcome, a.note) for a in logged] == [("reached", "wants pricing")]
        latest = list(Activity.select().order_by(Activity.id.desc()).limit(2))
        assert {a.outcome for a in latest} == {"reached", "no_answer"}
        actions = {lead.next_action for lead in Lead.select()}
        assert actions == {"Send pricing", "Try again"}
    finally:
        close_database()
