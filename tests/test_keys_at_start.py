"""Keys typed while funnel starts (cli.tui.keys_passed_through): from the moment the TUI
is chosen the terminal passes every key on as Textual takes them, so a ctrl+s typed
ahead is not eaten as XOFF by the line discipline; and the terminal is as it was after."""

from __future__ import annotations

import argparse
import os
import pty
import termios

import pytest

import funnel_tui.cli.tui as cli_tui


class _Shown:
    return_code = 0

    def __init__(self, seen: dict, fd: int) -> None:
        self._seen, self._fd = seen, fd

    def run(self) -> None:
        iflag, _o, _c, lflag, *_rest = termios.tcgetattr(self._fd)
        self._seen.update(iflag=iflag, lflag=lflag)


@pytest.fixture
def terminal(monkeypatch):
    """A pseudo-terminal as standard input: (its fd, its settings at the start)."""
    main, other = pty.openpty()
    stdin = os.fdopen(other, "r", closefd=False)
    monkeypatch.setattr("sys.stdin", stdin)
    yield other, termios.tcgetattr(other)
    stdin.close()
    os.close(main)
    os.close(other)


def _args() -> argparse.Namespace:
    return argparse.Namespace(db=None, user=None, config=None, screen="leads", create=False)


def test_keys_typed_while_funnel_starts_reach_it_as_typed(terminal, monkeypatch):
    fd, before = terminal
    assert before[0] & termios.IXON and before[3] & termios.ICANON  # a shell's terminal
    seen: dict = {}
    monkeypatch.setattr(cli_tui, "make_app", lambda *args: _Shown(seen, fd))
    assert cli_tui.open_tui(_args()) == 0
    # While the app was made and ran: ctrl+s and ctrl+q are keys, Enter is a carriage
    # return, nothing is echoed or edited by the terminal; ctrl+c still stops a start.
    assert not seen["iflag"] & (termios.IXON | termios.ICRNL)
    assert not seen["lflag"] & (termios.ICANON | termios.ECHO | termios.IEXTEN)
    assert seen["lflag"] & termios.ISIG
    assert termios.tcgetattr(fd) == before  # and the terminal is as it was


def test_the_terminal_is_as_it_was_when_the_start_fails(terminal, monkeypatch):
    fd, before = terminal

    def refused(*args):
        raise RuntimeError("no database")

    monkeypatch.setattr(cli_tui, "make_app", refused)
    with pytest.raises(RuntimeError):
        cli_tui.open_tui(_args())
    assert termios.tcgetattr(fd) == before


def test_without_a_terminal_nothing_is_changed(monkeypatch, tmp_path):
    seen: dict = {}
    with open(tmp_path / "input", "w+") as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        with cli_tui.keys_passed_through():
            seen["ran"] = True
    assert seen == {"ran": True}
