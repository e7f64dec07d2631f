"""`funnel [OPTIONS]`, the terminal UI, is read without the commands' parsers (their
modules cost every start 40–70 ms), exactly as the whole parser reads it; anything else
(a command, help, a mistake) is left to the whole parser, which says it once."""

from __future__ import annotations

import pytest

from funnel_tui.cli import _tui_arguments, build_parser


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "team.db"],
        ["--screen", "board", "--user", "ann", "--create"],
        ["--lang", "de", "--config=funnel.toml", "--db=postgresql://u@h/crm"],
        ["--scr", "today"],  # abbreviated as argparse allows
    ],
)
def test_the_terminal_ui_s_options_are_read_as_the_whole_parser_reads_them(argv):
    quick = _tui_arguments(argv)
    whole = build_parser().parse_args(argv)
    assert quick is not None
    assert {**vars(quick), "whole_parser": None} == {**vars(whole), "whole_parser": None}


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["--db", "team.db", "list", "--search", "anna"],
        ["--help"],
        ["--version"],
        ["--c", "x"],  # ambiguous: --create or --config
        ["--screen", "nowhere"],
        ["--db"],
        ["--bogus"],
    ],
)
def test_anything_else_is_left_to_the_whole_parser(argv, capsys):
    assert _tui_arguments(argv) is None
    assert capsys.readouterr() == ("", "")  # and nothing said twice
