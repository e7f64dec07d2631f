"""Every screen and the dialogs reps open most, in each of the four languages besides
English, at 80×24: no message of the catalog shows in English where the language has
its own words for it, and the key bar fits the width (CJK characters two cells each).

The English leftovers are found from the catalogs themselves: each message whose
translation differs, cut at its placeholders into the pieces of text a screen would
show verbatim. A piece long enough not to be a word of the seeded data (names,
companies, next actions) on screen is a string the code shows without translating it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest
from rich.cells import cell_len

from funnel_tui.config import load_config
from funnel_tui.core.catalog_tool import entries_of
from funnel_tui.core.i18n import use_language
from funnel_tui.core.screen_names import SCREEN_MODES
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.widgets.bars import KeyBar

from .ui_support import SIZE, app_at, seed_deals, settle

NOW = dt.datetime(2026, 11, 20, 14, 30)
LANGUAGES = ("de", "pl", "zh_TW", "zh_CN")
# Pieces shorter than this may be a word of the data or of a key name ("esc", "Lead").
SHORTEST = 12
# Keys that open a dialog or a record from the list (esc closes it).
OPENED = {
    "help": ["f1"],
    "lead record": ["enter"],
    "checklist": ["q"],
    "convert form": ["q", "c"],
    "log form": ["enter", "ctrl+l"],
    "board totals": ["f5", "dollar_sign"],
    "report records": ["ctrl+g", "enter"],
    "report period": ["ctrl+g", "p"],
    "sort": ["o"],
    "palette": ["ctrl+p"],
}


@cache
def english_pieces(language: str) -> frozenset[str]:
    """The English text of every message `language` translates differently, as the
    pieces between placeholders, long enough to mean a message and not a name."""
    pieces: set[str] = set()
    for entries in entries_of(language).values():
        for entry in entries:
            if entry.msgstr and entry.msgstr[0] == entry.msgid:
                continue  # the same in this language ("Lead", "OK", "E-Mail" cases)
            for text in (entry.msgid, entry.msgid_plural or ""):
                for piece in re.split(r"\{[^{}]*\}", text):
                    piece = piece.strip(" .,:;·()")
                    if len(piece) >= SHORTEST and " " in piece:
                        pieces.add(piece)
    return frozenset(pieces)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def english_left(app, language: str) -> list[str]:
    shown = screen_text(app)
    return sorted(piece for piece in english_pieces(language) if piece in shown)


@pytest.fixture(scope="module")
def deals_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screens")
    path = str(folder / "screens.db")
    open_database(path)
    seed_deals(load_config(), NOW)
    close_database()
    return path, folder


def _app(deals_db, start: str):
    path, folder = deals_db
    open_database(path)
    return app_at(path, folder, NOW, start=start)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_screen_speaks_the_language_and_its_keys_fit(deals_db, language):
    found: dict[str, list[str]] = {}
    with use_language(language):
        for mode in SCREEN_MODES:
            app = _app(deals_db, mode)
            try:
                async with app.run_test(size=SIZE) as pilot:
                    await settle(pilot)
                    bar = str(app.screen.query_one(KeyBar).render())
                    assert cell_len(bar) <= SIZE[0], (mode, bar)
                    if left := english_left(app, language):
                        found[mode] = left
            finally:
                close_database()
    assert found == {}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_dialogs_reps_open_most_speak_the_language(deals_db, language):
    found: dict[str, list[str]] = {}
    with use_language(language):
        for name, keys in OPENED.items():
            app = _app(deals_db, "leads")
            try:
                async with app.run_test(size=SIZE) as pilot:
                    await settle(pilot)
                    before = app.screen
                    for key in keys:
                        await pilot.press(key)
                        await settle(pilot)
                    assert app.screen is not before, name
                    if left := english_left(app, language):
                        found[name] = left
            finally:
                close_database()
    assert found == {}
