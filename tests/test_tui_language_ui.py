"""The app in the language the process was started in: the key bar, the help and the
command palette read every binding's description and their own words translated, while
key names stay as they are; the key bar still fits 80 cells (CJK two cells a char)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from funnel_tui.core.i18n import use_language
from funnel_tui.tui.widgets.bars import KeyBar

from .ui_support import SIZE, make_app, settle


async def _help_text(pilot) -> str:
    from funnel_tui.tui.dialogs.help import HelpScreen

    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    shown = str(pilot.app.screen.query_one("Static").render())
    await pilot.press("escape")
    await settle(pilot)
    return shown


async def _palette_titles(pilot) -> list[str]:
    from textual.command import CommandInput, CommandList

    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.pause(0.3)
    screen = pilot.app.screen
    placeholder = str(screen.query_one(CommandInput).placeholder)
    titles = [str(option.prompt) for option in screen.query_one(CommandList).options]
    await pilot.press("escape")
    await settle(pilot)
    return [placeholder, *titles]


@pytest.mark.parametrize(
    ("lang", "bar_words", "help_words", "palette_words"),
    [
        (
            "de",
            [" F1 Hilfe ", " Befehle "],
            ["Tasten — ", "Überall", "Heute", "Beenden"],
            ["Befehle suchen…", "Farbschema", "Hilfe"],
        ),
        (
            "zh_TW",
            [" F1 說明 ", " 命令 "],
            ["按鍵 — ", "所有畫面", "今日", "離開"],
            ["搜尋指令…", "佈景主題", "說明"],
        ),
    ],
)
async def test_keys_help_and_palette_read_in_the_language_of_the_app(
    env, lang, bar_words, help_words, palette_words
):
    with use_language(lang):
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            bar = str(app.screen.query_one(KeyBar).render())
            for word in bar_words:
                assert word in bar, bar
            assert cell_len(bar) <= SIZE[0], bar
            assert " Help " not in bar and " palette " not in bar, bar

            shown = await _help_text(pilot)
            for word in help_words:
                assert word in shown, shown
            assert "ctrl+p" in shown and "Everywhere" not in shown, shown

            palette = await _palette_titles(pilot)
            for word in palette_words:
                assert any(word in title for title in palette), palette
            assert "Theme" not in palette, palette
