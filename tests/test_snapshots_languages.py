"""Snapshots in Traditional Chinese and German at 80×24: nothing cut or misaligned when
every label is in another language (CJK labels take two cells a character). The same
fixed database and frozen clock as tests/test_snapshots.py."""

from __future__ import annotations

import pytest

from funnel_tui.core.i18n import use_language
from tests.test_snapshots import _after, snap_app  # noqa: F401 - the shared fixture

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
