"""Erasure on request (the GDPR's right to erasure): a person's data removed for good,
leaving an anonymous record so that counts, deals and reports still add up.

What goes: the lead's name, title, phone, email, notes and next action; the evidence
noted on its checklist; the notes and next actions of its activities; the values of
those fields in its history (a captured lead's snapshot keeps its source and status,
not its name); and the same of the leads merged into it (the same person, twice
captured). Where the person's name, phone or email is written elsewhere (a deal's name
"Acme – Anna Nowak", a deal's notes or activities, a merge's or a bulk action's record
in the history), it is replaced by the record's anonymous name. What stays: the record
itself with its id, status, level, source, country, owner, company, dates, score and
engagement; its activities' kinds, outcomes and times; its deals.

The erasure is one change in the history, "erased on request", naming the fields but
none of their values; it cannot be undone, and changes made before it can no longer be
taken back. The storage layer then makes the old values unreadable in the file
(storage.erasing), which the caller runs after the commit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

import peewee

from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.folding import stored_fold
from funnel_tui.core.i18n import _, ngettext
from funnel_tui.core.vocab import OPP_OPEN
from funnel_tui.rules.session import Session
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.erasing import forget_old_versions, overwriting_freed_space
from funnel_tui.storage.models import Activity, History, Lead, Opportunity, Qualification, database

ERASE = "erase"  # the history action

# A lead's columns that hold the person, and what each becomes.
_CLEARED: dict[str, Any] = {
    "title": "",
    "phone_raw": "",
    "phone_e164": None,
    "phone_display": "",
    "email_raw": "",
    "email_norm": None,
    "email_key": None,
    "notes": "",
    "next_action": "",
    "next_action_due": None,
    "next_action_at": None,
}
# The fields named in the erasure's history (as edits name them), so that an undo of an
# earlier change to one of them is refused as changed since.
ERASED_FIELDS = ("name", "title", "phone", "email", "notes", "next_action")

# Keys of history values (a field's name, a snapshot's key) that hold the person.
_PERSONAL = frozenset(
    {
        *ERASED_FIELDS,
        *_CLEARED,
        "name_key",
        "name_fold",
        "note",
        "evidence",
        "next_action_due",
        "next_action_at",
    }
)

# Shorter than this, a name or number is not looked for in other text: "Li" is in
# too many words to be replaced wherever it is written.
_MIN_SCRUBBED = 4


def anonymous_name(lead_id: int) -> str:
    """What an erased lead is called: its number, the same in every language."""
    return f"#{lead_id}"


def is_personal(field: str) -> bool:
    """A history field (or snapshot key) whose value is the person's data."""
    return field in _PERSONAL or field.endswith(".evidence")


@dataclass(frozen=True)
class Erased:
    """What erase_lead did: the lead (and those merged into it), its new name, the
    deals it keeps, and when."""

    lead_id: int
    lead_ids: tuple[int, ...]
    name: str
    deals: int
    at: dt.datetime
    # False when another connection kept SQLite's log from being emptied: old pages
    # stay in it until the team's writes overwrite them (storage.erasing).
    log_cleared: bool = True

    def summary(self) -> str:
        said = _("Erased lead #{id}: its personal data is gone; it is kept as {name}.").format(
            id=self.lead_id, name=self.name
        )
        if len(self.lead_ids) > 1:
            merged = len(self.lead_ids) - 1
            said += " " + ngettext(
                "{count} lead merged into it was erased too.",
                "{count} leads merged into it were erased too.",
                merged,
            ).format(count=merged)
        return said


class ErasureRules(Session):
    """Erasing a person's data on request."""

    def erase_lead(self, lead_id: int, *, confirm: str, with_deals: bool = False) -> Erased:
        """Erase lead `lead_id`'s personal data, confirmed by `confirm`, its name as
        typed (case and spacing aside). Refused while an open deal needs the contact,
        unless `with_deals` (the deals stay, their text without the person). After the
        commit, the old values are made unreadable in the file (storage.erasing)."""
        with overwriting_freed_space():
            erased = self._erase(lead_id, confirm, with_deals)
        if database.in_transaction():  # a caller's transaction: it finishes the job
            return erased
        return replace(erased, log_cleared=forget_old_versions())

    @retry_writes
    def _erase(self, lead_id: int, confirm: str, with_deals: bool) -> Erased:
        now = self.now()
        with database.atomic():
            lead = self._lead_for_update(lead_id)
            self._check_confirmation(lead, confirm)
            ids = self._same_person(lead.id)
            deals = list(Opportunity.select().where(Opportunity.lead.in_(ids)))
            open_deals = [d for d in deals if d.state == OPP_OPEN]
            if open_deals and not with_deals:
                raise Refused([_open_deals_problem(open_deals)])
            found = _identifiers(Lead.select().where(Lead.id.in_(ids)))
            activities = [a.id for a in Activity.select(Activity.id).where(Activity.lead.in_(ids))]
            for each in ids:
                self._anonymise(each, now)
            Qualification.update(evidence="").where(Qualification.lead.in_(ids)).execute()
            Activity.update(note="", next_action="").where(Activity.id.in_(activities)).execute()
            _forget_history("lead", ids)
            _forget_history("activity", activities)
            name = anonymous_name(lead.id)
            scrub = _scrubber(found, name)
            _scrub_deals([d.id for d in deals], scrub)
            _scrub_all_history(found, scrub)
            changes = [(field, None, None) for field in ERASED_FIELDS]
            version = Lead.get_by_id(lead.id).version
            self._history("lead", lead.id, ERASE, changes, now, version)
            for merged in ids[1:]:
                self._history("lead", merged, ERASE, changes, now)
        return Erased(lead.id, tuple(ids), name, len(deals), now)

    def _check_confirmation(self, lead: Lead, confirm: str) -> None:
        if lead.name == anonymous_name(lead.id):
            said = _("lead #{id} was already erased").format(id=lead.id)
            raise Refused([Problem("lead", "erased", said)])
        if confirms(lead.name, confirm):
            return
        said = _("type the lead's name exactly, {name!r}, to erase it").format(name=lead.name)
        raise Refused([Problem("confirm", "mismatch", said)])

    def _same_person(self, lead_id: int) -> list[int]:
        """The lead and every lead merged into it, directly or through another."""
        ids, frontier = [lead_id], [lead_id]
        while frontier:
            frontier = [
                row.id for row in Lead.select(Lead.id).where(Lead.merged_into.in_(frontier))
            ]
            ids += [i for i in frontier if i not in ids]
        return ids

    def _anonymise(self, lead_id: int, now: dt.datetime) -> None:
        name = anonymous_name(lead_id)
        key = " ".join(name.casefold().split())
        Lead.update(
            {
                **_CLEARED,
                "name": name,
                "name_key": key,
                "name_fold": stored_fold(key),
                "updated_at": now,
                Lead.version: Lead.version + 1,
            }
        ).where(Lead.id == lead_id).execute()


def confirms(name: str, typed: str) -> bool:
    """Whether `typed` is the name `name`, case and spacing aside (an erasure's yes)."""
    folded = " ".join(typed.casefold().split())
    return bool(folded) and folded == " ".join(name.casefold().split())


def _open_deals_problem(deals: list[Opportunity]) -> Problem:
    names = ", ".join(f"#{d.id} {d.name}" for d in deals[:3])
    said = ngettext(
        "an open deal needs this contact ({deals}): close it first, or erase with its "
        "deals (they stay, without the person's data)",
        "{count} open deals need this contact ({deals}): close them first, or erase "
        "with its deals (they stay, without the person's data)",
        len(deals),
    ).format(count=len(deals), deals=names)
    return Problem("deals", "open", said)


def _identifiers(leads: Any) -> list[str]:
    """The person's name, phones, emails and notes as they may be written elsewhere, longest
    first (so "Anna Nowak" goes before a shorter "Anna" could split it)."""
    found: set[str] = set()
    for lead in leads:
        for value in (
            lead.name,
            lead.phone_raw,
            lead.phone_e164,
            lead.phone_display,
            lead.email_raw,
            lead.email_norm,
            lead.notes,  # carried over into a deal's notes when it was converted
        ):
            value = (value or "").strip()
            if len(value) >= _MIN_SCRUBBED:
                found.add(value)
    return sorted(found, key=lambda s: (-len(s), s))


def _scrubber(identifiers: list[str], name: str):
    def replace(text: str | None) -> str | None:
        if not text:
            return text
        for value in identifiers:
            text = text.replace(value, name)
        return text

    return replace


def _forget_history(entity: str, ids: list[int]) -> None:
    """The person's values in the history of `entity` rows `ids`: a field of theirs
    loses its values; a snapshot (a capture, a merge) loses its keys that are theirs."""
    for chunk in _chunks(ids):
        rows = History.select().where((History.entity == entity) & History.entity_id.in_(chunk))
        for row in rows:
            if is_personal(row.field):
                old, new = None, None
            else:
                old, new = _without_person(row.old), _without_person(row.new)
            if (old, new) != (row.old, row.new):
                History.update(old=old, new=new).where(History.id == row.id).execute()


def _without_person(value: str | None) -> str | None:
    if not value or value[:1] not in "{[":
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return value
    return json.dumps(_drop_personal(data), ensure_ascii=False, sort_keys=True)


def _drop_personal(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _drop_personal(v) for k, v in data.items() if not is_personal(str(k))}
    if isinstance(data, list):
        return [_drop_personal(v) for v in data]
    return data


def _scrub_deals(deal_ids: list[int], replace) -> None:
    """The person's name, phone and email taken out of their deals' text, their
    activities and the history of both."""
    for chunk in _chunks(deal_ids):
        for deal in Opportunity.select().where(Opportunity.id.in_(chunk)):
            values = {f: replace(getattr(deal, f)) for f in ("name", "notes", "next_action")}
            if any(values[f] != getattr(deal, f) for f in values):
                Opportunity.update(values).where(Opportunity.id == deal.id).execute()
        for activity in Activity.select().where(Activity.opportunity.in_(chunk)):
            values = {f: replace(getattr(activity, f)) for f in ("note", "next_action")}
            if any(values[f] != getattr(activity, f) for f in values):
                Activity.update(values).where(Activity.id == activity.id).execute()


def _scrub_all_history(identifiers: list[str], replace) -> None:
    """Every history value that still writes the person's name, phone or email (a deal's
    name in its history, a merge's snapshot on the other record, a bulk action's)."""
    if not identifiers:
        return
    # Where a text holds another: INSTR on SQLite, STRPOS on PostgreSQL.
    sqlite = isinstance(database.obj, peewee.SqliteDatabase)
    position = peewee.fn.INSTR if sqlite else peewee.fn.STRPOS
    holds = None
    for value in identifiers:
        for column in (History.old, History.new):
            found = position(column, value) > 0
            holds = found if holds is None else holds | found
    for row in History.select().where(holds):
        History.update(old=replace(row.old), new=replace(row.new)).where(
            History.id == row.id
        ).execute()


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
