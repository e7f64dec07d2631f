"""The TUI on a path where no database is: it asks before anything is made, `y` makes it
and opens funnel, `n` (esc, ctrl+q) leaves with nothing created. The question at 80×24,
with Pilot and in a real terminal; the command line's rule in test_new_database.py."""

from __future__ import annotations

import gc
import os

import pytest
from rich.cells import cell_len

from funnel_tui.cli import make_app
from funnel_tui.config.places import default_database_path
from funnel_tui.core.errors import CliRefused, NoDatabase
from funnel_tui.core.i18n import use_language
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.dialogs.new_database import NewDatabaseQuestion
from funnel_tui.tui.screens.leads import LeadListScreen

from .terminal import Terminal, funnel_env
from .ui_support import SIZE, settle


@pytest.fixture(autouse=True)
def closed_after():
    yield
    close_database()
    gc.enable()  # make_app turns the collector off until its app is up


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def answer(path, *keys: str) -> tuple[bool | None, str]:
    """The question on `path` answered with `keys`: (its answer, the screen before)."""
    app = NewDatabaseQuestion(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        await pilot.press(*keys)
        await pilot.pause()
    return app.return_value, text


# ------------------------------------------------------------------ the question


async def test_the_question_names_the_path_and_y_says_yes(tmp_path):
    path = tmp_path / "team.db"
    said, text = await answer(path, "y")
    assert said is True
    flat = " ".join(text.split())
    assert "No database here" in text
    assert "There is no database at" in text and "(its folder is there, the file is not)" in text
    assert str(path) in "".join(text.replace("│", "").split())  # wrapped, but whole
    assert "y create it" in flat and "n / esc leave; nothing is created" in flat
    assert all(cell_len(line) <= SIZE[0] for line in text.split("\n"))
    assert not path.exists()  # the question makes nothing; the caller does


@pytest.mark.parametrize("key", ["n", "escape", "ctrl+q"])
async def test_n_esc_and_ctrl_q_say_no(tmp_path, key):
    said, _text = await answer(tmp_path / "team.db", key)
    assert said is not True
    assert list(tmp_path.iterdir()) == []


async def test_a_missing_folder_is_said_in_the_question(tmp_path):
    path = tmp_path / "srv" / "team.db"
    _said, text = await answer(path, "n")
    flat = "".join(text.replace("│", "").split())
    assert "".join(f"nor is its folder {tmp_path / 'srv'} there.".split()) in flat
    assert "with its folder?" in " ".join(text.split())


async def test_a_path_is_shown_as_typed_never_as_markup_or_escape_codes(tmp_path):
    path = tmp_path / "[bold]x\x1b]0;owned\x07.db"
    _said, text = await answer(path, "n")
    flat = "".join(text.replace("│", "").split())
    assert "[bold]x\\x1b]0;owned\\x07.db" in flat
    assert "\x1b" not in text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "neue, leere Datenbank"),
        ("zh_TW", "資料庫"),
        ("zh_CN", "数据库"),
        ("pl", "nową, pustą bazę"),
    ],
)
async def test_the_question_is_in_the_reps_language(tmp_path, language, words):
    with use_language(language):
        said, text = await answer(tmp_path / "team.db", "y")
    assert said is True
    assert words in " ".join(text.split()) or words in "".join(text.split()), text
    assert "There is no database" not in text and "create it" not in text
    assert all(cell_len(line) <= SIZE[0] for line in text.split("\n"))


# ------------------------------------------------- the TUI's start (cli.make_app)


def test_no_makes_nothing_and_opens_nothing(tmp_path, capsys):
    path = tmp_path / "team.db"
    asked = []

    def no(where):
        asked.append(where)
        return False

    with pytest.raises(CliRefused, match="nothing was created at"):
        make_app(str(path), "rita", ask=no)
    assert asked == [path]
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr().err == ""


async def test_yes_makes_the_database_says_so_and_opens_the_list(tmp_path, capsys):
    path = tmp_path / "srv" / "team.db"
    app = make_app(str(path), "rita", ask=lambda where: True)
    assert capsys.readouterr().err == (
        f"funnel: created a new database at {path}, and 1 folder for it: {path.parent}\n"
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        assert "0 shown" in screen_text(app)
    assert path.is_file()


def test_nothing_is_asked_with_create_at_the_default_location_or_of_a_database(tmp_path, capsys):
    def never(where):
        raise AssertionError(f"asked about {where}")

    made = tmp_path / "made.db"
    make_app(str(made), "rita", create=True, ask=never)
    assert f"created a new database at {made}" in capsys.readouterr().err
    close_database()
    make_app(str(made), "rita", ask=never)  # there now
    close_database()
    make_app(None, "rita", ask=never)  # the default location: a newcomer's first run
    assert f"created a new database at {default_database_path()}" in capsys.readouterr().err


def test_without_a_way_to_ask_the_tui_refuses_like_a_command(tmp_path):
    with pytest.raises(NoDatabase):
        make_app(str(tmp_path / "team.db"), "rita")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_is_refused_before_the_question(tmp_path):
    """A 0-byte file is not asked about: making a database over it would lose the way to
    restore it. --create makes one in its place."""
    path = tmp_path / "team.db"
    path.touch()
    with pytest.raises(Exception, match=r"is empty \(0 bytes\)"):
        make_app(str(path), "rita", ask=lambda where: True)
    assert path.stat().st_size == 0
    make_app(str(path), "rita", create=True)
    close_database()
    open_database(str(path), create=False)


# ------------------------------------------------------------ in a real terminal


@pytest.mark.slow
def test_in_a_terminal_no_leaves_with_nothing_created(tmp_path):
    path = tmp_path / "work" / "tema.db"
    (tmp_path / "work").mkdir()
    env = funnel_env(tmp_path, str(path))
    with Terminal([], env) as term:
        term.wait_for("No database here")
        term.write(b"n")
        code = term.close()
    output = term.output.decode("utf-8", "replace")
    assert code == 1
    assert f"funnel: nothing was created at {path}; funnel was not opened" in output
    assert os.listdir(tmp_path / "work") == []


@pytest.mark.slow
def test_in_a_terminal_yes_makes_the_database_and_opens_funnel(tmp_path):
    path = tmp_path / "team.db"
    env = funnel_env(tmp_path, str(path))
    with Terminal([], env) as term:
        term.wait_for("No database here")
        term.write(b"y")
        term.wait_for("0 shown")
        assert term.close() == 0
    assert path.is_file()
    open_database(str(path), create=False)
