"""Capture: a phone typed without its country code waits for the Country field rather
than being refused before the rep gets there; the country is remembered from card to
card like the source; "is required" names its field; the record shows the number in
its international form beside what was typed."""

from __future__ import annotations

from funnel_tui.storage.models import Lead

from .ui_support import SIZE, make_app, press_burst, settle


def hint(screen, name: str) -> str:
    widget = screen.query_one(f"#hint-{name}")
    return str(widget.render()) if widget.display else ""


async def test_a_local_number_waits_for_the_country_typed_after_it(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "ctrl+n", "Lin Mei", "tab", "Mei Co", "tab", "0912-345-678")
        await press_burst(pilot, "tab", "lin@mei.tw")
        screen = app.screen
        assert "no country code" not in hint(screen, "phone")
        assert "Country" in hint(screen, "phone")
        await press_burst(pilot, "tab", "TW", "tab")
        assert "+886 912 345 678" in hint(screen, "phone")


async def test_leaving_country_empty_then_refuses_the_local_number(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "ctrl+n", "Lin Mei", "tab", "tab", "0912-345-678")
        await press_burst(pilot, "tab", "tab", "tab")  # through Country, left empty
        assert "no country code" in hint(app.screen, "phone")


async def test_two_cards_in_one_burst_share_the_country_of_the_first(env):
    cards = [
        ("陳大文", "大文貿易", "0933-111-222", "chen@dawen.tw"),
        ("李小華", "小華科技", "0922-456-789", "li@xiaohua.tw"),
    ]
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = ["ctrl+n"]
        for index, (name, company, phone, email) in enumerate(cards):
            keys += [name, "tab", company, "tab", phone, "tab", email]
            keys += ["tab", "TW"] if index == 0 else []  # the second card keeps it
            keys += ["ctrl+s"]
        await press_burst(pilot, *keys)
        await pilot.pause(0.3)
        screen = app.screen
        assert "Saved" in str(screen.query_one("#outcome").render())
        assert screen.query_one("#f-country").value == "TW"  # ready for a third
    stored = {lead.name: (lead.country, lead.phone_e164) for lead in Lead.select()}
    assert stored["陳大文"] == ("TW", "+886933111222")
    assert stored["李小華"] == ("TW", "+886922456789")
    again = make_app(env)  # and after a restart
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "ctrl+n")
        assert again.screen.query_one("#f-country").value == "TW"


async def test_is_required_names_its_field(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "ctrl+n", "tab", "tab", "+48 512 999 888", "ctrl+s")
        await settle(pilot)
        assert "Name is required" in hint(app.screen, "name")


async def test_the_record_shows_the_phone_in_international_form_beside_the_typed(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(
            pilot, "ctrl+n", "Lin Mei", "tab", "tab", "0933-111-222", "tab", "tab", "TW", "ctrl+s"
        )
        await settle(pilot)
        lead = Lead.get(Lead.name == "Lin Mei")
        app.open_lead(lead.id)
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#f-phone").value == "0933-111-222"
        assert "+886 933 111 222" in hint(screen, "phone")
