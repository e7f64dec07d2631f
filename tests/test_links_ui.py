"""Click to call, click to mail, copy to the clipboard: phones and emails are terminal
hyperlinks (OSC 8) in the list, the record and the Today queue where the terminal takes
them, plain text under NO_COLOR and on a dumb terminal; ctrl+c on a record copies the
phone in E.164 or the email (OSC 52) and says so."""

from __future__ import annotations

import pytest
from rich.text import Text

from funnel_tui.core import contact_urls
from funnel_tui.tui import links
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.widgets.lead_table import LeadTable

from .ui_support import SIZE, make_app, settle


@pytest.fixture
def terminal(monkeypatch):
    """A terminal that draws links (TERM=xterm-256color, no NO_COLOR); a test may say
    otherwise and call links.links_on.cache_clear()."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FUNNEL_LINKS", raising=False)
    links.links_on.cache_clear()
    yield monkeypatch
    links.links_on.cache_clear()


@pytest.mark.parametrize(
    ("setting", "value", "on"),
    [
        ("TERM", "xterm-256color", True),
        ("TERM", "dumb", False),
        ("TERM", "linux", False),
        ("NO_COLOR", "1", False),
        ("FUNNEL_LINKS", "0", False),
    ],
)
def test_links_are_written_only_where_a_terminal_draws_them(terminal, setting, value, on):
    terminal.setenv(setting, value)
    links.links_on.cache_clear()
    assert links.links_on() is on
    text = links.linked(Text("+48 512 345 678"), "tel:+48512345678")
    assert bool(text.spans) is on


def test_the_urls_dial_and_write_to_what_is_stored():
    assert contact_urls.tel_url("+48512345678") == "tel:+48512345678"
    assert contact_urls.tel_url("+48 512 345 678") == "tel:+48512345678"
    assert contact_urls.tel_url("512 345 678") == ""  # no country: no number to dial from anywhere
    assert contact_urls.mail_url("anna@kowalski.pl") == "mailto:anna@kowalski.pl"
    assert contact_urls.mail_url('x"@y.z') == contact_urls.mail_url("") == ""
    # Stored text is not trusted: nothing in a link can end its escape sequence.
    assert contact_urls.mail_url("a\x1b]0;x\x07@y.z") == contact_urls.mail_url("a\\b@y.z") == ""
    assert contact_urls.mail_url("jörg@müller.de") == "mailto:j%C3%B6rg@m%C3%BCller.de"


def _links_on_line(widget, y: int) -> set[str]:
    return {s.style.link for s in widget.render_line(y) if s.style and s.style.link}


async def test_the_list_links_each_phone_and_email(env, terminal):
    app = make_app(env)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        found = set().union(*(_links_on_line(table, y) for y in range(table.total + 1)))
        assert {"tel:+48512345678", "mailto:anna@kowalski.pl"} <= found
        assert {"tel:+886912345678", "mailto:wang@taipei.tw"} <= found


async def test_under_no_color_the_list_has_no_links(env, terminal):
    terminal.setenv("NO_COLOR", "1")
    links.links_on.cache_clear()
    app = make_app(env)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        assert not any(_links_on_line(table, y) for y in range(table.total + 1))


async def _open_anna(pilot, app) -> LeadScreen:
    await settle(pilot)
    await pilot.press("slash", *"Anna", "enter", "enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, LeadScreen)
    return screen


async def test_the_record_links_its_phone_and_email_and_ctrl_c_copies_them(env, terminal):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_anna(pilot, app)
        summary = screen.query_one("#summary")
        found = set().union(*(_links_on_line(summary, y) for y in range(summary.size.height)))
        assert found == {"tel:+48512345678", "mailto:anna@kowalski.pl"}
        await pilot.press("ctrl+c")  # the cursor is in the name: the phone
        await settle(pilot)
        assert app.clipboard == "+48512345678"
        said = str(screen.query_one("#outcome").render())
        assert "Copied the phone +48512345678 to the clipboard." in said
        screen.query_one("#f-email").focus()
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.clipboard == "anna@kowalski.pl"
        # Text selected in a field is copied as the field would.
        field = screen.query_one("#f-name")
        field.focus()
        await pilot.press("home", "shift+right", "shift+right")
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.clipboard == "An"
