"""Editing a deal from its record (e): the form (deal_edit.py), then the save, as a lead's
record saves its fields: only the fields the rep changed are written, on the version the
form was opened on, so a colleague's change to another field is kept; a clash with
theirs asks field by field (conflict.py); a refusal brings the form back as typed with
the reasons; a close date in the past asks first. ctrl+z undoes it (deal_actions.py).

The screen using this mixin has `opp_id`, `record` (a pipeline.DealRecord or None),
`_deal_message(text)` and `load()`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from funnel_tui.core.errors import StaleEdit
from funnel_tui.core.i18n import _
from funnel_tui.core.money import editable_amount, format_amount
from funnel_tui.core.output import plain
from funnel_tui.live.drafts import form_key
from funnel_tui.read.pipeline import DealRecord, deal_record
from funnel_tui.rules.deal_edits import read_close
from funnel_tui.rules.funnel import Funnel
from funnel_tui.tui.dialogs.conflict import Clash, ConflictDialog
from funnel_tui.tui.dialogs.deal_edit import FIELDS, DealEditDialog, field_labels
from funnel_tui.tui.dialogs.dialogs import ConfirmDialog
from funnel_tui.tui.workers import run_write, write_worker

# The history's field names as the form's.
FORM_FIELD = {"amount_cents": "amount", "expected_close": "close"}


def form_values(record: DealRecord, locale: str) -> dict[str, str]:
    """The deal's fields as the form shows them."""
    card = record.card
    return {
        "name": card.name,
        "amount": editable_amount(card.amount_cents, card.currency, locale),
        "currency": card.currency,
        "close": card.expected_close.isoformat() if card.expected_close else "",
        "notes": record.opportunity.notes,
    }


class DealEditing:
    app: Any
    opp_id: int
    record: DealRecord | None

    def action_edit(self, typed: dict | None = None, errors: dict | None = None) -> None:
        """The form on the deal as shown (or, after a refusal, as typed)."""
        if self.record is None:
            return
        base = typed["base"] if typed else form_values(self.record, self.app.rules.locale)
        version = typed["version"] if typed else self.record.card.version
        dialog = DealEditDialog(
            f"#{self.opp_id} {plain(self.record.card.name)}",
            base,
            version,
            typed["typed"] if typed else None,
            errors,
            form_key("edit", "deal", self.opp_id),
        )
        self.app.push_screen(dialog, self._deal_edited)

    def _deal_edited(self, result: dict | None, allow_past: bool = False) -> None:
        if result is None:
            return
        typed, base = result["typed"], result["base"]
        changed = {
            name: typed[name] for name, _label in FIELDS if typed[name] != base.get(name, "")
        }
        if not changed:
            self.app.drafts.discard(form_key("edit", "deal", self.opp_id))
            self._deal_message(Text(_("Nothing changed."), style="dim"))
            return
        data: dict[str, Any] = dict(changed)
        if "close" in changed:
            try:
                data["close"] = read_close(
                    changed["close"], self.app.today(), self.app.config.date_order
                )
            except ValueError as exc:
                self.action_edit(result, {"close": f"✘ {exc}"})
                return
        self._save_deal(result, data, allow_past)

    @write_worker("deal-edit")
    def _save_deal(self, result: dict, data: dict[str, Any], allow_past: bool) -> None:
        def save(rules: Funnel) -> str:
            opp = rules.update_deal(
                self.opp_id,
                data,
                expected_version=result["version"],
                allow_past_close=allow_past,
            )
            return format_amount(opp.amount_cents, opp.currency, rules.locale)

        run_write(
            self.app,
            save,
            done=self._deal_edit_saved,
            refused=lambda exc: self._deal_edit_refused(result, exc.problems),
            stale=lambda exc, fresh: self._deal_edit_clash(result, exc, fresh),
            reread=lambda: deal_record(self.opp_id),
            failed=lambda reason: self._deal_message(
                Text(
                    _("✘ Not saved ({reason}); e brings your edits back.").format(reason=reason),
                    style="red",
                )
            ),
            retry=lambda: self._save_deal(result, data, allow_past),
        )

    def _deal_edit_saved(self, amount: str) -> None:
        self.app.drafts.discard(form_key("edit", "deal", self.opp_id))
        self._deal_message(Text.assemble((_("✔ Saved: "), "green"), (amount, "bold")))
        self.app.data_changed()  # the record reloads too, through refresh_data

    def _deal_edit_refused(self, result: dict, problems: list) -> None:
        self.app.discard_typed_ahead()  # typed for after the save: not for the form
        if len(problems) == 1 and problems[0].code == "past":

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._deal_edited(result, allow_past=True)
                else:
                    self.action_edit(result, {"close": f"✘ {problems[0].message}"})

            self.app.push_screen(
                ConfirmDialog(
                    _("Close date in the past"),
                    _("{date} has passed. Save the deal with it anyway?").format(
                        date=result["typed"]["close"]
                    ),
                    yes=_("Use it"),
                    no=_("Change it"),
                ),
                confirmed,
            )
            return
        errors: dict[str, str] = {}
        names = {name for name, _label in FIELDS}
        for problem in problems:
            key = problem.field if problem.field in names else ""
            line = f"✘ {problem.message}" if key else f"✘ {problem}"
            errors[key] = f"{errors[key]}  {line}" if key in errors else line
        self.action_edit(result, errors)

    def _deal_edit_clash(self, result: dict, exc: StaleEdit, fresh: DealRecord | None) -> None:
        """Someone saved one of these fields meanwhile: theirs or mine, field by field,
        then saved on the deal as it is now."""
        if fresh is None:
            gone = _("✘ Deal #{id} is gone.").format(id=self.opp_id)
            self._deal_message(Text(gone, style="red"))
            return
        stored = form_values(fresh, self.app.rules.locale)
        labels = field_labels()
        latest = {FORM_FIELD.get(c["field"], c["field"]): c for c in exc.changes}
        clashes = []
        for name in dict.fromkeys(FORM_FIELD.get(f, f) for f in exc.fields):
            if name not in labels:
                continue
            change = latest.get(name, {})
            clashes.append(
                Clash(
                    name,
                    labels[name],
                    stored[name],
                    change.get("user", _("someone")),
                    _local(change.get("at"), self.app.rules.zone),
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
            # The edits now stand on the deal as it is: save them over it.
            self._deal_edited({"typed": typed, "base": stored, "version": fresh.card.version})

        title = _("Deal #{id}").format(id=self.opp_id)
        self.app.push_screen(ConflictDialog(title, clashes), chosen)


def _local(at: Any, zone: Any) -> Any:
    from funnel_tui.core.dates import to_local

    return to_local(at, zone) if at is not None else None
