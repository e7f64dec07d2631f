"""A company's record, the account: its fields, whether it is a customer (since its first
won deal, with what it has won in all), its deals and people (enter opens one), totals
per currency never added together, and one timeline of its people's and deals'
activities and its own changes. e edits its fields (version-checked, field by field as
a lead's record saves), ctrl+z takes the edit back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from funnel_tui.core.dates import day_text, to_local
from funnel_tui.core.errors import StaleEdit
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.labels import shown_name, vocab_label
from funnel_tui.core.money import exact_money, totals_line
from funnel_tui.core.output import plain
from funnel_tui.core.vocab import OPP_LOST, OPP_OPEN, OPP_WON
from funnel_tui.read.companies import CompanyRecord, company_record
from funnel_tui.rules.funnel import Funnel
from funnel_tui.tui.dialogs.company_edit import FIELDS, CompanyEditDialog, field_labels
from funnel_tui.tui.dialogs.conflict import Clash, ConflictDialog
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.here_line import HereLine
from funnel_tui.tui.widgets.scroll_keys import KeyedScroll
from funnel_tui.tui.widgets.status import level_text, status_text
from funnel_tui.tui.widgets.timeline import activity_event, history_events, timeline_text
from funnel_tui.tui.workers import read_worker, run_write, write_worker

if TYPE_CHECKING:
    from funnel_tui.live.changes import Changes

# Each deal state's mark and colour; the word beside it is the state's label.
STATE_MARKS = {
    OPP_OPEN: ("●", "cyan"),
    OPP_WON: ("✔", "green"),
    OPP_LOST: ("✕", "red"),
}


def form_values(record: CompanyRecord) -> dict[str, str]:
    """The company's fields as the edit form shows them."""
    company = record.company
    return {
        "name": company.name,
        "industry": company.industry,
        "employees": "" if company.employees is None else str(company.employees),
        "country": company.country,
        "website": company.website,
    }


class CompanyScreen(Screen[None]):
    TITLE = N_("Company")
    DEFAULT_CSS = """
    CompanyScreen #summary { height: auto; padding: 0 1; background: $boost; }
    CompanyScreen #fields { height: auto; padding: 0 1; }
    CompanyScreen #outcome { height: auto; padding: 0 1; }
    CompanyScreen #records { height: auto; max-height: 9; border: none; padding: 0 1; }
    CompanyScreen #timeline { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "back", "Back", id="company.back"),
        Binding("e", "edit", "Edit…", id="company.edit"),
        Binding("ctrl+z", "undo", "Undo my last change", id="company.undo"),
        Binding("tab", "app.focus_next", "Records / timeline", id="company.next", show=False),
    ]

    def __init__(
        self, company_id: int, record: CompanyRecord | None = None, loaded: bool = False
    ) -> None:
        """`record`, when `loaded`: the company as read just now (None: there is no
        such company), shown in the first frame; otherwise the screen reads it."""
        super().__init__()
        self.company_id = company_id
        self.record: CompanyRecord | None = None
        self._given = (record, loaded)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text(_("Loading company #{id}…").format(id=self.company_id)), id="summary")
        yield HereLine("company", self.company_id)
        yield Static("", id="fields")
        yield Static("", id="outcome")
        yield OptionList(id="records")
        with KeyedScroll(id="timeline"):
            yield Static("", id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#outcome").display = False
        record, loaded = self._given
        self._given = (None, False)
        if loaded:
            self.show_record(record)
        else:
            self.load()

    def show_company(
        self, company_id: int, record: CompanyRecord | None = None, loaded: bool = False
    ) -> None:
        """Show another company on this screen (the app keeps one for every company)."""
        if not self.is_mounted:
            self.company_id, self._given = company_id, (record, loaded)
            return
        self.company_id = company_id
        self.record = None
        self.query_one(HereLine).follow(company_id)
        self._message(None)
        self.query_one("#records", OptionList).highlighted = None
        self.query_one("#timeline", KeyedScroll).scroll_home(animate=False)
        if loaded:
            self.show_record(record)
        else:
            loading = _("Loading company #{id}…").format(id=company_id)
            self.query_one("#summary", Static).update(Text(loading))
            self.load()

    def showing(self) -> tuple[str, int, bool]:
        """The record this screen shows, for the others' presence (changes.py)."""
        return ("company", self.company_id, False)

    def refresh_data(self, changes: Changes | None = None) -> None:
        """Reload when the company, one of its people or one of its deals was written."""
        record = self.record
        if changes is None or record is None or changes.touches("company", self.company_id):
            self.load()
            return
        people = any(changes.touches("lead", p["id"]) for p in record.people)
        if people or any(changes.touches("opportunity", d["id"]) for d in record.deals):
            self.load()

    @read_worker("company-load", exclusive=True)
    def load(self) -> None:
        record = company_record(self.company_id)
        self.app.call_from_thread(self.show_record, record)

    # ---------------------------------------------------------------- showing

    def show_record(self, record: CompanyRecord | None) -> None:
        self.record = record
        if record is None:
            missing = _("No company #{id}").format(id=self.company_id)
            self.query_one("#summary", Static).update(Text(missing))
            return
        self.query_one("#summary", Static).update(self._summary(record))
        self.query_one("#fields", Static).update(self._fields(record))
        self._show_records(record)
        self.query_one("#events", Static).update(self._timeline(record))

    def _summary(self, record: CompanyRecord) -> Text:
        company = record.company
        text = Text.assemble((f"▣ #{company.id} ", "bold"), (plain(company.name), "bold"))
        text.append("   ")
        if record.merged_into:
            merged = _("merged into company #{id}").format(id=record.merged_into)
            text.append(merged, style="yellow")
        elif record.customer:
            text.append(f"★ {vocab_label('customer')}", style="bold green")
        else:
            text.append(f"◇ {vocab_label('prospect')}", style="cyan")
        return text

    def _fields(self, record: CompanyRecord) -> Table:
        company, zone = record.company, self.app.rules.zone
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis")
        about = [plain(company.industry) or _("industry not set")]
        if company.employees is not None:
            employees = number(company.employees)
            about.append(_("{count} employees").format(count=employees))
        if company.country:
            about.append(company.country)
        table.add_row(_("Company"), Text(" · ".join(about)))
        if company.website:
            table.add_row(_("Website"), Text(plain(company.website)))
        if record.customer and record.first_won is not None:
            since = day_text(to_local(record.first_won, zone).date())
            won = Text(_("since {date} · won in all").format(date=since) + " ")
            won.append(self._money(record.lifetime_won), style="bold green")
            table.add_row(_("Customer"), won)
        totals = Text()
        for state in (OPP_OPEN, OPP_WON, OPP_LOST):
            amounts = record.totals.get(state)
            if amounts:
                if totals:
                    totals.append("   ")
                totals.append(f"{vocab_label(state)} ", style="dim")
                totals.append(self._money(amounts))
        table.add_row(_("Deals"), totals or Text(_("none yet"), style="dim"))
        last, count = record.last_activity, number(record.activity_count)
        if last:
            logged = _("{count} logged, the last {date}").format(
                count=count, date=day_text(to_local(last, zone).date())
            )
        else:
            logged = _("{count} logged").format(count=count)
        table.add_row(_("Activity"), Text(logged))
        return table

    @staticmethod
    def _money(amounts: dict[str, int]) -> str:
        line, left = totals_line(amounts, 48)
        return line + (f" +{left}" if left else "")

    def _show_records(self, record: CompanyRecord) -> None:
        """Deals, then people, in one list: enter opens the one under the cursor."""
        options: list[Option | None] = []
        deals = _("Deals ({count})").format(count=number(len(record.deals)))
        options.append(Option(Text(deals, style="bold"), disabled=True))
        for d in record.deals:
            mark, style = STATE_MARKS.get(d["state"], ("?", ""))
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{mark} {vocab_label(d['state'])}", style=style)
            line.append(f"  {exact_money(d['amount_cents'], d['currency'])}  ")
            # "Acme – Pilot" says the company this record is about: "Pilot" is enough.
            name = plain(d["name"]).removeprefix(f"{plain(record.company.name)} – ")
            line.append(name)
            line.append(f"  {plain(shown_name(d['stage']))} · {plain(d['owner'])}", style="dim")
            options.append(Option(line, id=f"deal:{d['id']}"))
        people = _("People ({count})").format(count=number(len(record.people)))
        options.append(Option(Text(people, style="bold"), disabled=True))
        for p in record.people:
            line = Text.assemble(
                status_text(p["status"], with_word=False), " ", no_wrap=True, overflow="ellipsis"
            )
            line.append(plain(p["name"]))
            if p["title"]:
                line.append(f", {plain(p['title'])}", style="dim")
            line.append("  ")
            line.append_text(level_text(p["level"]))
            line.append(f"  {plain(p['owner'])}", style="cyan")
            options.append(Option(line, id=f"lead:{p['id']}"))
        records = self.query_one("#records", OptionList)
        highlighted = records.highlighted
        records.clear_options()
        records.add_options(options)
        if highlighted is not None and highlighted < len(options):
            records.highlighted = highlighted

    def _timeline(self, record: CompanyRecord) -> Text:
        rules = self.app.rules
        events = history_events(record.history, rules.config, rules.zone)
        for a in record.activities:
            row = SimpleNamespace(
                **{**a, "user": SimpleNamespace(login=a["user"])},
                occurred_at=a["at"],
                next_action_due=a["next_due"],
                next_action_at=a["next_at"],
            )
            who = a["lead"] or a["deal"] or ""
            events.append(activity_event(row, plain(who)[:16], rules.zone))
        shown = len(record.activities)
        if shown < record.activity_count:
            heading = _(
                "Timeline · its people's and deals' activities, its changes,"
                " the newest {shown} of {count}"
            ).format(shown=number(shown), count=number(record.activity_count))
        else:
            heading = _("Timeline · its people's and deals' activities, its changes")
        text = Text(heading + "\n", style="bold")
        return text + timeline_text(events, rules.zone, rules.today())

    # ---------------------------------------------------------------- keys

    @on(OptionList.OptionSelected, "#records")
    def _open(self, event: OptionList.OptionSelected) -> None:
        kind, _colon, ident = (event.option.id or "").partition(":")
        if kind == "lead":
            from funnel_tui.tui.screens.lead import LeadScreen

            self.app.push_screen(LeadScreen(int(ident)))
        elif kind == "deal":
            self.app.open_opportunity(int(ident))

    def action_back(self) -> None:
        self.dismiss()

    def _message(self, text: Text | None) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.update(text or "")
        outcome.display = text is not None

    def action_edit(self, typed: dict | None = None, errors: dict | None = None) -> None:
        """The form on the company as shown (or, after a refusal, as typed)."""
        if self.record is None or self.record.merged_into:
            return
        base = typed["base"] if typed else form_values(self.record)
        version = typed["version"] if typed else self.record.company.version
        dialog = CompanyEditDialog(
            f"#{self.company_id} {plain(self.record.company.name)}",
            base,
            version,
            typed["typed"] if typed else None,
            errors,
        )
        self.app.push_screen(dialog, self._edited)

    def _edited(self, result: dict | None) -> None:
        if result is None:
            return
        typed, base = result["typed"], result["base"]
        changed = {
            name: typed[name] for name, _label in FIELDS if typed[name] != base.get(name, "")
        }
        if not changed:
            self._message(Text(_("Nothing changed."), style="dim"))
            return
        self._save(result, changed)

    @write_worker("company-edit")
    def _save(self, result: dict, data: dict[str, Any]) -> None:
        def save(rules: Funnel) -> str:
            return rules.update_company(
                self.company_id, data, expected_version=result["version"]
            ).name

        run_write(
            self.app,
            save,
            done=self._saved,
            refused=lambda exc: self._refused(result, exc.problems),
            stale=lambda exc, fresh: self._clash(result, exc, fresh),
            reread=lambda: company_record(self.company_id),
            failed=lambda reason: self._message(
                Text(
                    _("✘ Not saved ({reason}); e brings your edits back.").format(reason=reason),
                    style="red",
                )
            ),
            retry=lambda: self._save(result, data),
        )

    def _saved(self, name: str) -> None:
        self._message(Text.assemble((_("✔ Saved: "), "green"), (plain(name), "bold")))
        self.app.data_changed()  # this record reloads too, through refresh_data

    def _refused(self, result: dict, problems: list) -> None:
        self.app.discard_typed_ahead()  # typed for after the save: not for the form
        errors: dict[str, str] = {}
        names = {name for name, _label in FIELDS}
        for problem in problems:
            key = problem.field if problem.field in names else ""
            line = f"✘ {problem.message}" if key else f"✘ {problem}"
            errors[key] = f"{errors[key]}  {line}" if key in errors else line
        self.action_edit(result, errors)

    def _clash(self, result: dict, exc: StaleEdit, fresh: CompanyRecord | None) -> None:
        """Someone saved one of these fields meanwhile: theirs or mine, field by field,
        then saved on the company as it is now."""
        if fresh is None:
            gone = _("✘ Company #{id} is gone.").format(id=self.company_id)
            self._message(Text(gone, style="red"))
            return
        stored = form_values(fresh)
        labels = field_labels()
        latest = {c["field"]: c for c in exc.changes}
        clashes = []
        for name in dict.fromkeys(exc.fields):
            if name not in labels:
                continue
            change = latest.get(name, {})
            at = change.get("at")
            clashes.append(
                Clash(
                    name,
                    labels[name],
                    stored[name],
                    change.get("user", _("someone")),
                    to_local(at, self.app.rules.zone) if at is not None else None,
                    result["typed"][name],
                )
            )
        typed = dict(result["typed"])

        def chosen(choice: dict[str, str] | None) -> None:
            if choice is None:  # back to the form, the edits as typed
                self.action_edit(result)
                return
            for name, side in choice.items():
                if side == "theirs":
                    typed[name] = stored[name]
            self._edited({"typed": typed, "base": stored, "version": fresh.company.version})

        title = _("Company #{id}").format(id=self.company_id)
        self.app.push_screen(ConflictDialog(title, clashes), chosen)

    @write_worker("company-undo")
    def action_undo(self) -> None:
        run_write(
            self.app,
            lambda rules: rules.undo_last("company", self.company_id).summary(),
            done=self._undone,
            refused=lambda exc: self._message(Text(f"✘ {exc.problems[0].message}", style="red")),
            failed=lambda reason: self._message(
                Text(_("✘ Not undone ({reason}).").format(reason=reason), style="red")
            ),
            retry=self.action_undo,
        )

    def _undone(self, summary: str) -> None:
        self._message(Text(summary, style="green"))
        self.app.data_changed()
