"""funnel.toml's [keys] in use: a rebound key acts, its old key no longer does, and the
help (like the key bar and the palette, read from the same bindings) shows the new key."""

from __future__ import annotations

from funnel_tui.tui.widgets.bars import KeyBar

from .ui_support import SIZE, make_app, settle


async def help_lines(pilot) -> list[str]:
    """The help's lines for the screen shown (then the help is closed)."""
    from funnel_tui.tui.dialogs.help import HelpScreen

    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    shown = str(pilot.app.screen.query_one("Static").render())
    await pilot.press("escape")
    await settle(pilot)
    return [line.strip() for line in shown.splitlines() if line.startswith("  ")]


async def test_a_rebound_key_acts_and_the_help_shows_it_instead_of_the_old_one(
    env, tmp_path, monkeypatch
):
    config = tmp_path / "funnel.toml"
    config.write_text('[keys]\ngo.today = "f9"\nleads.checklist = "f8"\n', encoding="utf-8")
    monkeypatch.setenv("FUNNEL_CONFIG", str(config))
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "leads"
        today = [line for line in await help_lines(pilot) if line.endswith("Today")]
        assert [line.split()[0] for line in today] == ["f9"], today
        assert not [line for line in await help_lines(pilot) if line.startswith("^t")]
        bar = str(app.screen.query_one(KeyBar).render())
        assert " F8 Checklist " in bar and " q Checklist" not in bar, bar

        await pilot.press("ctrl+t")  # Today's own key: no longer bound to it
        await settle(pilot)
        assert app.current_mode == "leads"

        await pilot.press("f9")
        await settle(pilot)
        assert app.current_mode == "today"
        today = [line for line in await help_lines(pilot) if line.endswith("Today")]
        assert [line.split()[0] for line in today] == ["f9"], today
