"""Regenerates the SVG screenshots in this folder from the app itself, on a demo database.

    .venv/bin/python screenshots/make.py            # every picture
    .venv/bin/python screenshots/make.py report     # those whose name starts so

Every screen at 80×24 (the size everything must work at); the list and the board also
at 160×48.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from funnel_tui.config import load_config  # noqa: E402
from funnel_tui.core.i18n import use_language  # noqa: E402
from funnel_tui.core.report_names import REPORT_TITLES  # noqa: E402
from funnel_tui.demo.generator import generate_demo  # noqa: E402
from funnel_tui.live.drafts import DraftStore  # noqa: E402
from funnel_tui.storage.database import close_database, open_database  # noqa: E402
from funnel_tui.storage.models import Lead  # noqa: E402
from funnel_tui.tui.app import FunnelApp  # noqa: E402

DEMO_LEADS = 5000
# The screens shot again in other languages, for the README and to look at.
LANGUAGE_SHOTS = {
    "zh_TW": ("leads", "capture-errors", "board", "today", "help"),
    "de": ("leads", "capture-errors", "board", "today", "checklist-gate", "erase"),
    "pl": ("leads", "board"),
    "zh_CN": ("today", "capture-errors"),
}
# The demo's "today" and the app's clock: the pictures change only when the app does.
NOW = dt.datetime(2026, 11, 20, 14, 30)
SMALL, LARGE = (80, 24), (160, 48)
KEY_NAMES = {" ": "space", "@": "at", ".": "full_stop", "-": "minus", "+": "plus", ",": "comma"}
TRADE_SHOW_FILE = "berlin-expo.csv"
# What a rep types up after a trade show: semicolons (a German Excel), a BOM, numbers
# written as the cards show them with the country beside, and the usual mistakes.
TRADE_SHOW_ROWS = """\
Vorname;Nachname;Firma;Position;E-Mail;Telefon;Land;Notiz;Stand
Jürgen;Weiß;Kühne Logistik GmbH;Einkauf;j.weiss@kuehne-log.de;030 901820;Deutschland;;B12
Agnieszka;Zielińska;Polmet S.A.;Dyrektor zakupów;a.zielinska@polmet.pl;512 345 678;PL;;C4
María José;Fernández;Grupo Andino;Gerente;mj.fernandez@grupoandino.mx;55 1234 5678;MX;demo;A1
陳;美玲;台灣精密股份有限公司;採購經理;meiling.chen@twprecision.com.tw;0912 345 678;TW;;C4
Tom;Baker;Baker & Sons Ltd;Owner;tom@bakerandsons;020 7946 0958;GB;;B12
Sophie;Martin;Atelier Lumière;CEO;sophie.martin@atelier-lumiere.fr;01 42 68 53 00;FR;;A1
Jürgen;Weiß;Kühne Logistik GmbH;Einkauf;j.weiss@kuehne-log.de;;DE;second card;B12
Ana;Souza;Verde Agro;Compras;ana.souza@verdeagro.com.br;11 98765;BR;;C4
"""


def shots(
    duplicate_email: str, half_filled: str, prospect: str
) -> list[tuple[str, tuple[int, int], list[str]]]:
    """(name, size, keys pressed before the picture). `half_filled` and `prospect` are
    emails of a lead with some checklist answers and of a prospect."""
    capture = ["ctrl+n"]
    edit_title = ["j", "enter", "tab", "tab", "ctrl+u", *"Head of Sales"]
    checklist = ["slash", *half_filled, "enter", "q"]
    # The booth notes ("Stand") are not a column funnel knows: ← ← (past owner) makes
    # them notes too.
    importing = ["i", *TRADE_SHOW_FILE, "enter", 0.5, *["down"] * 8, "left", "left"]
    return [
        ("leads", SMALL, []),
        ("leads", LARGE, []),
        ("leads-search", SMALL, ["slash", *"kow", 0.5]),
        ("capture-empty", SMALL, capture),
        (
            "capture-errors",
            SMALL,
            [*capture, *"Jan Nowak", "tab", "tab", *"+48 12 34", "tab", *"jan@", "ctrl+s"],
        ),
        (
            "capture-duplicate",
            SMALL,
            [*capture, *"J. Doe", "tab", "tab", "tab", *duplicate_email, "ctrl+s"],
        ),
        # The same person captured again: saved, then merged into the stored lead with
        # the value that stays picked field by field.
        (
            "merge-choice",
            SMALL,
            [*capture, *"J. Doe", "tab", "tab", "tab", *duplicate_email, "ctrl+s", "m", 0.5],
        ),
        # A number without its country code waits for Country instead of a red refusal.
        ("capture-waiting-phone", SMALL, [*capture, *"Jan Nowak", "tab", "tab", *"0912 345 678"]),
        ("lead-record", SMALL, ["j", "enter"]),
        # Quick dates everywhere, read back before saving.
        ("nurture-date", SMALL, ["j", "enter", "f6", *"+2w"]),
        ("sort-choice", SMALL, ["o"]),
        # Marks (space marks and moves down) and what to do with the marked leads (b).
        ("leads-marked", SMALL, ["space", "space", "down", "space"]),
        ("bulk-menu", SMALL, ["space", "space", "down", "space", "b"]),
        ("help", SMALL, ["f1"]),
        ("funnel", SMALL, ["f4"]),
        ("checklist", SMALL, checklist),
        ("checklist-gate", SMALL, [*checklist, "p"]),
        ("convert", SMALL, ["slash", *prospect, "enter", "q", "c", *"25000"]),
        ("board", SMALL, ["f5", "j"]),
        ("board", LARGE, ["f5", "f", "l", "j", "j"]),
        ("board-lost-reason", SMALL, ["f5", "l", "x"]),
        ("board-stale", SMALL, ["f5", "s", "l"]),
        ("deal", SMALL, ["f5", "l", "enter"]),
        ("deal-edit", SMALL, ["f5", "l", "enter", "e"]),
        # The accounts: the companies by open pipeline, and the top one's record.
        ("companies", SMALL, ["ctrl+o", "o", "o", "enter"]),
        ("company", SMALL, ["ctrl+o", "o", "o", "enter", "enter"]),
        # Handing over: the team filtered by what is typed, a lead's owner picked.
        ("hand-over", SMALL, ["j", "ctrl+r", 0.3, *"a"]),
        # Erasure on request: what goes and what stays, the name typed to confirm.
        ("erase", SMALL, ["j", "enter", "shift+delete", *"Wrong Name", "enter"]),
        ("today", SMALL, ["ctrl+t"]),
        ("today", LARGE, ["ctrl+t", "j", "j"]),
        (
            "log",
            SMALL,
            ["ctrl+t", "l", "r", *"wants the pricing", "tab", *"Send pricing", "tab", *"next mon"],
        ),
        # A due that cannot be: said whole under the field, and at the save.
        (
            "log-refused",
            SMALL,
            ["ctrl+t", "l", "r", "tab", *"Call back", "tab", *"fri 25:00", "ctrl+s"],
        ),
        # Others at work: who is here, a field changed meanwhile, the choice it asks for.
        ("lead-shared", SMALL, [*edit_title, _others_here, 2.5]),
        ("lead-conflict", SMALL, [*edit_title, _ben_edits_title, 2.5, "ctrl+s", 1.0]),
        # A trade show's sheet: its columns mapped, one changed by hand, then the report.
        ("import-mapping", SMALL, importing),
        # The file's values of its list columns (source, country, owner), each with what
        # it will be stored as.
        ("import-values", SMALL, ["i", *TRADE_SHOW_FILE, "enter", 0.5, "tab"]),
        ("import-report", SMALL, [*importing, "ctrl+s", 1.0]),
        # Each report with its chart; the exact figures (t) and a figure's records (enter).
        *((f"report-{name}", SMALL, ["ctrl+g", str(n)]) for n, name in enumerate(REPORT_TITLES, 1)),
        ("report-sources-table", SMALL, ["ctrl+g", "2", "t"]),
        ("report-sources-records", SMALL, ["ctrl+g", "2", "down", "enter"]),
        ("report-activity", LARGE, ["ctrl+g", "7"]),
        ("report-winrate-by-owner", LARGE, ["ctrl+g", "3", "b", "b", "t"]),
        # Leads that may be one person, with why, strongest first (D on the list).
        ("duplicates", SMALL, ["D"]),
        # ctrl+p finds leads and deals by name as well as screens and actions.
        ("palette-records", SMALL, ["ctrl+p", *"kowal", 0.5]),
        # What was typed when the link dropped, offered back at the next start.
        ("drafts-offered", SMALL, []),
        # The database stopped answering: one line, and funnel keeps trying.
        ("database-away", SMALL, [_database_away, 0.3]),
        # Next actions at a time: the day's calls in time order, the next hour's marked
        # (tab jumps past what is overdue); a reminder ten minutes before one.
        ("today-timed", SMALL, [_timed_calls, "ctrl+t", "tab"]),
        ("reminder", SMALL, [_timed_calls, _remind, 0.5]),
        ("too-small", (70, 20), []),
    ]


def _left_drafts(drafts: DraftStore) -> None:
    """What a rep was typing when the SSH link dropped: a call note, a lead's edits."""
    from funnel_tui.live.drafts import LABEL, form_key

    first = Lead.select().order_by(Lead.id).first()
    drafts.save(
        form_key("log", "lead", first.id),
        {"kind": "call", "direction": "outbound", "outcome": "reached",
         "note": "wants a quote for 40 trucks", "next": "", "due": "",
         LABEL: f"a call log on {first.name}"},
    )  # fmt: skip
    second = Lead.select().order_by(Lead.id).offset(1).first()
    drafts.save(
        form_key("edit", "lead", second.id),
        {"typed:title": "Head of Fleet", "from:title": second.title or "",
         LABEL: f"edits to {second.name} (lead #{second.id})"},
    )  # fmt: skip


# Anna's calls booked for the afternoon (UTC, as the pictures' clock), made once, beside
# the demo's own (two in five of its next actions have a time).
TIMED_CALLS = ((14, 40, "Call back about the quote"), (15, 30, "Demo for the team"),
               (16, 0, "Call back"), (17, 15, "Confirm the order"))  # fmt: skip


def _timed_calls(app: FunnelApp) -> None:
    from funnel_tui.rules.funnel import Funnel

    rules = Funnel(load_config(), "anna", clock=lambda: NOW)
    if Lead.select().where(Lead.next_action == TIMED_CALLS[0][2]).exists():
        return  # booked for an earlier picture
    due = Lead.select().where(
        (Lead.owner == rules.user_id)
        & (Lead.next_action_due == NOW.date())
        & Lead.next_action_at.is_null()
    )
    for lead, (hour, minute, action) in zip(due.order_by(Lead.id), TIMED_CALLS, strict=False):
        at = dt.datetime.combine(NOW.date(), dt.time(hour, minute))
        rules.log_activity(
            lead_id=lead.id, kind="call", outcome="reached", next_action=action,
            next_due=NOW.date(), next_at=at,
        )  # fmt: skip
    app.data_changed()


def _remind(app: FunnelApp) -> None:
    app.start_the_day()  # the first look for reminders: at once, not at the first beat


def _database_away(app: FunnelApp) -> None:
    import peewee

    app.database_failed(
        peewee.OperationalError("could not connect to server: Connection refused (port 5432)")
    )


def _others_here(app: FunnelApp) -> None:
    """Ben has the lead on screen open and is typing in it; Carla is on another."""
    from funnel_tui.live import presence

    lead_id = app.screen.lead_id
    presence.announce("ben-shot", "ben", "lead", lead_id, editing=True)
    presence.announce("carla-shot", "carla", "lead", lead_id + 1)


def _ben_edits_title(app: FunnelApp) -> None:
    from funnel_tui.rules.funnel import Funnel

    _others_here(app)
    ben = Funnel(load_config(), "ben", clock=lambda: NOW + dt.timedelta(minutes=3))
    ben.update_lead(app.screen.lead_id, {"title": "VP Operations"})


async def shoot(name: str, size: tuple[int, int], keys: list, folder: str) -> Path:
    # Each picture starts clean: a draft left by the previous one would be offered back.
    # Nor do the others a picture made appear here, when their rows are still fresh.
    from funnel_tui.storage.models import Presence

    Presence.delete().execute()
    drafts = DraftStore("anna", Path(folder) / f"drafts-{name}-{size[0]}")
    if name == "drafts-offered":
        _left_drafts(drafts)
    config = load_config()
    if name != "reminder":
        # The demo has a call due at NOW: its reminder would come into whichever picture
        # its worker beat, from one run to the next.
        config = dataclasses.replace(config, reminder_minutes=0)
    app = FunnelApp(
        config=config,
        target="demo.db",
        user="anna",
        drafts=drafts,
        clock=lambda: NOW,
    )
    async with app.run_test(size=size, notifications=True) as pilot:
        for key in ["", *keys]:
            if callable(key):
                key(app)  # another user acts meanwhile
            elif isinstance(key, float):
                await pilot.pause(key)  # for the change poll to hear of it
            elif key:
                await pilot.press(KEY_NAMES.get(key, key))
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        path = HERE / f"{name}-{size[0]}x{size[1]}.svg"
        path.write_text(app.export_screenshot(title=f"funnel — {name}"), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    wanted = tuple(argv)
    for old in HERE.glob("*.svg"):
        if not wanted or old.name.startswith(wanted):
            old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        # A relative path keeps the temporary folder's name out of the pictures.
        os.chdir(folder)
        generate_demo(
            open_database("demo.db"),
            load_config(),
            leads=DEMO_LEADS,
            seed=1,
            user="anna",
            today=NOW.date(),
        )
        email = Lead.select().where(Lead.email_norm.is_null(False)).first().email_norm
        Path(TRADE_SHOW_FILE).write_text(TRADE_SHOW_ROWS, encoding="utf-8-sig")
        every = shots(email, *_checklist_examples())
        for name, size, keys in every:
            if wanted and not name.startswith(wanted):
                continue
            print(asyncio.run(shoot(name, size, keys, folder)).relative_to(HERE.parent))
        # The same screens as a rep reads them in another language (`zh_TW-leads-80x24`).
        small = {name: keys for name, size, keys in every if size == SMALL}
        for language, names in LANGUAGE_SHOTS.items():
            for name in names:
                shown = f"{language}-{name}"
                if wanted and not shown.startswith(wanted):
                    continue
                with use_language(language):
                    path = asyncio.run(shoot(shown, SMALL, small[name], folder))
                print(path.relative_to(HERE.parent))
        close_database()
        os.chdir(HERE)
    return 0


def _checklist_examples() -> tuple[str, str]:
    """Emails of a lead whose checklist is partly answered but refused by the gate, and
    of a prospect."""
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.models import Qualification

    rules = Funnel(load_config(), "anna", clock=lambda: NOW)
    with_email = Lead.email_norm.is_null(False)
    answered = Qualification.select(Qualification.lead).distinct()
    half = next(
        lead
        for lead in Lead.select().where(with_email & (Lead.level == "lead") & Lead.id.in_(answered))
        if rules.gate_problems(lead.id) and rules.score(lead.id).total > 20
    )
    prospect = Lead.select().where(with_email & (Lead.level == "prospect")).first()
    return half.email_norm, prospect.email_norm


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
