"""At start, what was left half-typed when funnel last stopped (a dropped SSH session, a
killed terminal, a crash) is offered back: the new lead first, as it was always offered,
then the forms typed on records (a call note, edits of a lead, a new deal, an evidence
line), each restored by opening its record and its form, which take their draft back
(form_draft.py). A draft not restored now stays, and comes back when its form
is opened on its record."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from funnel_tui.core.i18n import N_, _
from funnel_tui.core.labels import field_label
from funnel_tui.core.output import plain
from funnel_tui.live.drafts import CAPTURE_DRAFT, LABEL, parse_form_key
from funnel_tui.tui.contracts import Fillable

LATER = N_("Later: each comes back when its form is opened")
DISCARD_ALL = N_("Discard them all")


def offer_drafts(app: Any) -> None:
    """Offer the drafts left by the last session, if any."""
    records = [key for key in app.drafts.forms() if parse_form_key(key) is not None]
    capture = app.drafts.load(CAPTURE_DRAFT)
    if capture and any(value.strip() for key, value in capture.items() if key != "source"):
        _offer_capture(app, capture, then=lambda: _offer_records(app, records))
    elif records:
        _offer_records(app, records)


def _offer_capture(app: Any, draft: dict[str, str], then) -> None:
    from funnel_tui.tui.dialogs.dialogs import ConfirmDialog

    lines = []
    for key in ("name", "company", "phone", "email"):
        if draft.get(key):
            label = _("{field}: {message}").format(field=field_label(key), message="")
            lines.append(Text.assemble((label, "bold"), plain(draft[key])))
    body = Text("\n").join(lines)

    def answered(restore: bool | None) -> None:
        if restore:
            app.switch_mode("capture")
            app.call_after_refresh(_fill_capture, app, draft)
        else:
            app.drafts.discard(CAPTURE_DRAFT)
        then()

    app.push_screen(
        ConfirmDialog(
            _("Restore the lead you were typing?"),
            body,
            yes=_("Restore it"),
            no=_("Discard it"),
        ),
        answered,
    )


def _fill_capture(app: Any, draft: dict[str, str]) -> None:
    screen = app.screen
    if isinstance(screen, Fillable):
        screen.fill({key: value for key, value in draft.items() if key != LABEL})


def _offer_records(app: Any, keys: list[str]) -> None:
    if not keys:
        return
    from funnel_tui.tui.dialogs.dialogs import ChoiceDialog

    labels = {}
    for key in keys:
        draft = app.drafts.load(key) or {}
        label = plain(draft.get(LABEL) or key)  # names typed by people: shown inert
        labels[f"{len(labels) + 1}. {label}"] = key
    title = _("You were typing this when funnel last stopped. Finish one now?")
    later, discard_all = _(LATER), _(DISCARD_ALL)

    def chosen(choice: str | None) -> None:
        if choice == discard_all:
            for key in keys:
                app.drafts.discard(key)
        elif choice in labels:
            restore(app, labels[choice])

    app.push_screen(ChoiceDialog(title, (*labels, later, discard_all)), chosen)


def restore(app: Any, key: str) -> None:
    """Open the record and the form that the draft `key` was typed in."""
    parsed = parse_form_key(key)
    if parsed is None:
        return
    form, entity, ident, part = parsed
    if form in ("convert", "evidence", "figure"):
        app.open_checklist(ident, then=(form, part))
    elif entity == "deal":
        app.open_opportunity(ident, then="edit" if form == "edit" else "log")
    else:
        app.open_lead(ident, then="log" if form == "log" else "")
