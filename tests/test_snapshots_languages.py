"""Snapshots in Traditional Chinese and German at 80×24: nothing cut or misaligned when
every label is in another language (CJK labels take two cells a character). The same
fixed database and frozen clock as tests/test_snapshots.py."""

from __future__ import annotations

import pytest

from funnel_tui.core.i18n import use_language
from tests.test_snapshots import (  # noqa: F401 - the shared fixtures
    HALF_FILLED,
    _after,
    _qualify,
    board_app,
    snap_app,
)

LANGUAGES = ("zh_TW", "de")


@pytest.fixture(params=LANGUAGES)
def speaking(request):
    with use_language(request.param):
        yield request.param


def test_lead_list(speaking, snap_app, snap_compare):  # noqa: F811
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after())


def test_capture_with_errors(speaking, snap_app, snap_compare):  # noqa: F811
    keys = ["ctrl+n", *"Bad", "tab", "tab", *"+4812", "tab", *"x@", "ctrl+s"]
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after(*keys))


def test_help(speaking, snap_app, snap_compare):  # noqa: F811
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("f1"))


def test_checklist_gate_refusal(speaking, snap_app, snap_compare):  # noqa: F811
    _qualify("Anna Kowalska", HALF_FILLED)
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("G", "q", "p"))


def test_board(speaking, board_app, snap_compare):  # noqa: F811
    assert snap_compare(board_app, terminal_size=(80, 24), run_before=_after("j"))


def test_today(speaking, snap_app, snap_compare):  # noqa: F811
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("ctrl+t"))


def test_report_sources(speaking, snap_app, snap_compare):  # noqa: F811
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_after("ctrl+g", "2"))
