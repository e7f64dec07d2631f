"""funnel in a real terminal: keys in bursts, pastes, stray bytes and resizes, as an SSH
session delivers them (tests/terminal.py runs the app on a pty)."""

from __future__ import annotations

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead

from .terminal import Terminal, funnel_env

pytestmark = pytest.mark.slow


@pytest.fixture
def term_env(tmp_path):
    """A database with one lead, and the environment funnel runs in."""
    path = str(tmp_path / "term.db")
    open_database(path)
    Funnel(load_config(), "rita").capture_lead({"name": "Seed Lead", "email": "seed@x.pl"})
    close_database()
    env = funnel_env(tmp_path, path)
    return path, env


def _leads(path: str) -> dict[str, Lead]:
    open_database(path)
    try:
        return {lead.name: lead for lead in Lead.select()}
    finally:
        close_database()


def test_two_cards_written_in_one_burst_are_saved_as_typed(term_env):
    path, env = term_env
    with Terminal([], env) as term:
        term.wait_for("Seed Lead")
        first = "\x0eAnna Fast\tAcme\t+48 601 234 567\x13"
        term.write(f"{first}陳大文\t大文貿易\t+886 933 111 222\x13".encode())
        term.wait_for("陳大文")
        term.read(quiet=0.5)
        assert term.close() == 0
    leads = _leads(path)
    assert leads["Anna Fast"].company.name == "Acme"
    assert leads["Anna Fast"].phone_e164 == "+48601234567"
    assert leads["陳大文"].company.name == "大文貿易"
    assert leads["陳大文"].phone_e164 == "+886933111222"


def test_a_paste_with_escape_and_ctrl_q_is_text_not_keys(term_env):
    path, env = term_env
    with Terminal([], env) as term:
        term.wait_for("Seed Lead")
        term.write(b"\x0e")
        term.wait_for("New lead")
        term.write(b"\x1b[200~Pasted\x1b[2J Name\x11 here\x1b[201~\tPaste Co\tp@paste.pl\x13")
        term.wait_for("Saved")
        assert term.alive()
        assert term.close() == 0
    names = set(_leads(path))
    assert any(name.startswith("Pasted") and name.endswith("here") for name in names), names


def test_an_invalid_utf8_byte_does_not_crash_the_app(term_env):
    path, env = term_env
    with Terminal([], env) as term:
        term.wait_for("Seed Lead")
        term.write(b"\x0e")
        term.wait_for("New lead")
        term.write(b"Bad\xffByte\tByte Co\t+48 602 345 678\x13")
        term.wait_for("Saved")
        assert term.alive()
        assert term.close() == 0
    assert any(name.startswith("Bad") for name in _leads(path))


def test_escape_typed_ahead_with_the_next_keys_leaves_the_form_first(term_env):
    """Esc, / and a search typed in one burst (one read, as SSH delivers it): the form
    is left, and the search goes to the list, not into the field Esc left."""
    _path, env = term_env
    with Terminal([], env) as term:
        term.wait_for("Seed Lead")
        term.write(b"\x0e")
        term.wait_for("New lead")
        term.write(b"Half")
        term.wait_for("Half")
        term.write(b"\x1b/Seed")
        term.wait_for("1 shown")
        assert "New lead —" not in term.text()  # the form's heading
        term.write(b"\x1b\x0e")  # Esc leaves the search, ctrl+n opens the form again
        term.wait_for("New lead —")
        term.read(quiet=0.5)
        assert "Half/Seed" not in term.text() and "Half" in term.text()
        assert term.close() == 0
