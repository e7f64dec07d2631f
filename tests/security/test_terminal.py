"""Text from a user, a file or the database never acts on a terminal: escape codes are
shown as visible escapes, markup as typed, in the TUI and on the command line; a user
name with a control character is refused when first seen.

The attack: `--user $'\\e]0;…\\a'` was stored as given, and whoever opened a lead that user
owned had their terminal retitled and their clipboard written (OSC 52); an imported
file's cells did the same from the import preview (and cleared the screen); `funnel
export` and `funnel list --format csv` printed them straight to the terminal. A member
can also write the shared database file directly, so what is stored is not trusted
either: the screens make it safe where it is shown."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import ValidationError
from funnel_tui.core.output import terminal_safe
from funnel_tui.live.presence import announce
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, User
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.widgets.here_line import HereLine

from ..terminal import Terminal
from ..test_cli import run
from ..ui_support import SIZE, settle

# A window title, a clipboard write, a screen clear, a colour, a C1 CSI, markup.
PAYLOAD = "ev\x1b]0;PWNED-TITLE\x07il\x1b]52;c;UFdORUQ=\x07\x1b[2J\x1b[31m\x9b32m[bold]B[/bold]"
SHOWN = terminal_safe(PAYLOAD)  # what a screen shows instead
ACTING = ("\x1b]", "\x07", "\x9b", "\x1b[2J", "\x1b[31m")  # what must never reach it
# Textual's own drawing: cursor moves and colours (CSI … letter); nothing else is ESC.
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# funnel's own hyperlinks (tui.links): OSC 8 to a dialled number or an address made of
# printable ASCII (percent-encoded beyond), and the sequence that ends a link.
_OWN_LINKS = re.compile(
    r"\x1b\]8;id=\d+;(?:tel:\+\d+|mailto:[\x21-\x5b\x5d-\x7e]+)\x1b\\|\x1b\]8;;\x1b\\"
)


def test_a_shown_payload_reads_as_escapes():
    assert SHOWN == (
        "ev\\x1b]0;PWNED-TITLE\\x07il\\x1b]52;c;UFdORUQ=\\x07\\x1b[2J\\x1b[31m\\x9b32m"
        "[bold]B[/bold]"
    )


def assert_inert(output: str | bytes) -> None:
    """`output` (what a terminal receives) carries none of the payload's codes."""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    text = _OWN_LINKS.sub("", text)
    for code in ACTING:
        assert code not in text, f"{code!r} reached the terminal"
    # With the program's own sequences taken out, no ESC is left.
    assert "\x1b" not in _OWN_SEQUENCES.sub("", text.replace("\x1b[2J\x1b[H", ""))


# ------------------------------------------------------------------ user names


def test_a_user_name_with_escape_codes_is_refused_when_first_seen(db, config):
    with pytest.raises(ValidationError) as refused:
        Funnel(config, PAYLOAD).capture_lead({"name": "Ann", "email": "ann@example.com"})
    [problem] = refused.value.problems
    assert problem.field == "user"
    assert "holds U+001B, a control or invisible character" in problem.message
    assert "\x1b" not in problem.message
    assert User.select().count() == 0 and Lead.select().count() == 0


@pytest.mark.parametrize("how", ["--user", "FUNNEL_USER"])
def test_the_command_line_refuses_such_a_user_name(cli_env, how):
    env = dict(cli_env)
    add = ["add", "--name", "Ann", "--email", "ann@example.com"]
    if how == "--user":
        result = run(["--user", PAYLOAD, *add], env, 1)
    else:
        env["FUNNEL_USER"] = PAYLOAD
        result = run(add, env, 1)
    assert result.stderr.startswith('funnel: user: "ev\\x1b]0;PWNED-TITLE')
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    for name in ("", "x" * 65):  # empty, and too long
        assert run(["--user", name, *add], cli_env, 1).stderr.startswith("funnel: user: ")


# ------------------------------------------------------------------ data planted in the database


def plant(path: str) -> None:
    """What a member who writes the shared file directly (or data from before names
    were checked) leaves: a user, and a lead owned by it, named with the payload."""
    open_database(path)
    try:
        made = dt.datetime(2026, 1, 1)
        owner = User.insert(login=PAYLOAD, display_name=PAYLOAD, created_at=made).execute()
        Lead.update(owner=owner, name=f"Ann {PAYLOAD}").where(Lead.id == 1).execute()
    finally:
        close_database()


@pytest.fixture
def planted(cli_env) -> dict:
    run(["add", "--name", "Ann Lee", "--email", "ann@example.com"], cli_env)
    plant(cli_env["FUNNEL_DB"])
    return cli_env


COMMANDS = {
    "list": ["list"],
    "list csv": ["list", "--format", "csv"],
    "list json": ["list", "--format", "json"],
    "export": ["export"],
    "export json": ["export", "--format", "json"],
    "export vcf": ["export", "--format", "vcf"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_the_command_line_shows_escapes_to_a_terminal(planted, command):
    with Terminal(command, planted, size=(200, 50)) as terminal:
        terminal.read(quiet=1.0, limit=30)
        assert terminal.close() == 0
    assert_inert(bytes(terminal.output))
    shown = terminal.output.decode("utf-8").replace("\r\r\n ", "")  # a vCard's folds
    if "json" in command:  # JSON writes C0 controls as \u escapes itself
        assert "ev\\u001b]0;PWNED-TITLE\\u0007il" in shown and "\\x9b32m" in shown
    else:
        assert "PWNED-TITLE\\x07il\\x1b]52" in shown


@pytest.mark.parametrize("command", [c for c in COMMANDS.values() if c != ["list"]])
def test_the_command_line_keeps_the_data_exact_in_a_pipe(planted, command):
    result = subprocess.run(
        [sys.executable, "-m", "funnel_tui", *command],
        env=planted,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    if "json" in command:  # JSON escapes C0 controls itself; the rest is as stored
        assert "\\u001b]0;PWNED-TITLE\\u0007" in out and "\x9b32m" in out
    elif "vcf" in command:  # vCard text escapes its separators
        assert PAYLOAD.replace(";", "\\;") in out
    else:
        assert PAYLOAD in out


# ------------------------------------------------------------------ the TUI


def screen_output(app: FunnelApp) -> str:
    """What the app writes to the terminal to draw its whole screen now."""
    with app._context():
        # The compositor's full update, as the driver would write it.
        return app.screen._compositor.render_update(full=True).render_segments(app.console)


def screen_text(app: FunnelApp) -> str:
    return _OWN_SEQUENCES.sub("", screen_output(app))


@pytest.fixture
def planted_env(env):
    path, _ = env
    close_database()
    plant(path)
    open_database(path)
    return env


def tui(env, start: str = "leads") -> FunnelApp:
    path, drafts = env
    return FunnelApp(config=load_config(), target=path, user="rita", drafts=drafts, start=start)


async def test_an_owner_and_a_name_from_the_database_are_inert_on_the_lead_list(planted_env):
    app = tui(planted_env)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        assert_inert(screen_output(app))
        assert "Ann ev\\x1b]0;PWNED-TITLE" in screen_text(app)


async def test_a_user_name_in_the_presence_line_is_inert(env):
    # Another instance of that user, showing lead 2 (rita's own).
    announce("elsewhere:1:abc", PAYLOAD, "lead", 2)
    app = tui(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with app._context():
            app.open_lead(2)
        await settle(pilot)
        for _ in range(40):
            if "also here" in str(app.screen.query_one(HereLine).render()):
                break
            await pilot.pause(0.05)
        line = str(app.screen.query_one(HereLine).render())
        assert line.startswith("also here: ev\\x1b]0;PWNED-TITLE\\x07il")
        assert_inert(screen_output(app))


async def test_an_owner_from_the_database_is_inert_on_the_lead_record(planted_env):
    app = tui(planted_env)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        with app._context():
            app.open_lead(1)
        await settle(pilot)
        summary = str(app.screen.query_one("#summary").render())  # it wraps on screen
        assert "owner ev\\x1b]0;PWNED-TITLE" in summary
        assert_inert(screen_output(app))


async def test_the_import_preview_shows_a_files_codes_as_escapes(env, tmp_path):
    sheet = tmp_path / "hostile.csv"
    # Rows enough that a few control characters do not make the file look binary.
    rows = "".join(f"Person {i},p{i}@example.com,an ordinary note\n" for i in range(100))
    sheet.write_text(
        f"Name,Email,Note{PAYLOAD}\n{PAYLOAD},eve@example.com,{PAYLOAD}\n{rows}",
        encoding="utf-8",
    )
    app = tui(env, start="import")
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#path").value = str(sheet)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.step == "mapping"
        shown = screen_text(app)
        assert "3. Note" + SHOWN[:20] in shown  # the header
        assert "ev\\x1b]0;PWNED-TITLE\\x07il" in shown  # a cell
        assert_inert(screen_output(app))
