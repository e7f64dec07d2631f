"""Taking back the user's last change (undo_last): what can be undone, and how."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core import validators as v
from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.folding import email_key, stored_fold
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.vocab import ANSWER_UNKNOWN, OPP_LOST, OPP_OPEN, OPP_WON
from funnel_tui.rules import history_words as words
from funnel_tui.rules.batch_undo import restore_in_bulk
from funnel_tui.rules.bulk_actions import BULK_ACTIVITY, BULK_STATUS, undo_in_bulk
from funnel_tui.rules.companies import undo_company_fields
from funnel_tui.rules.deal_edits import DEAL_COLUMNS, undo_deal_fields
from funnel_tui.rules.deals import DealRules
from funnel_tui.rules.erasure import ERASE
from funnel_tui.rules.session import _column, _plain
from funnel_tui.rules.undo_words import (
    batch_summary,
    change_name,
    merge_undone_summary,
    undo_summary,
)
from funnel_tui.rules.unmerge import UnmergeRules
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import (
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    User,
    database,
)


@dataclass(frozen=True)
class Undone:
    """What undo_last took back: the record, the change, and (field, from, to back)."""

    entity: str
    entity_id: int
    action: str
    at: dt.datetime
    fields: list[tuple[str, str | None, str | None]]
    name: str = ""  # the lead's or deal's name, as it is after the undo
    config: Config | None = None  # for the checklist's labels
    companies: Mapping[int, str] | None = None  # names of the companies `fields` name
    records: int = 1  # how many records the change took back touched (a batch: many)

    def summary(self) -> str:
        """`Undone: your change of status on lead #7 Anna Dup: back to new.`"""
        if self.records > 1:
            return batch_summary(self.action, self.records)
        if self.action == "merge":
            other = next(old for f, old, _new in self.fields if f == "merged")
            return merge_undone_summary(self.entity, self.entity_id, int(other), self.name)
        return undo_summary(
            self.entity,
            self.entity_id,
            self.action,
            self.fields,
            self.name,
            self.config,
            self.companies,
        )


# Changes the rules make as a consequence of a user's change (a won deal's lead becomes
# a customer; the first call moves a lead to working): undo takes back the change itself.
SIDE_EFFECT_ACTIONS = ("won", "reopen", "auto", "next")
# Changes of many records by one action of a user (the hand-over of a rep's leads, a
# status set on the marked rows of the list): their History rows share the user, the
# moment and the action, and undo takes them all back as one step. A batch undone is a
# batch in turn ("undo_batch"), so undoing the undo restores the whole action again.
BATCH_ACTIONS = frozenset({"undo_batch", "assign", BULK_STATUS, BULK_ACTIVITY})
UNDOABLE = frozenset(
    {
        ("lead", "update"),
        ("lead", "status"),
        ("lead", "qualify"),
        ("lead", "undo"),
        ("opportunity", "move"),
        ("opportunity", "update"),
        ("opportunity", "undo"),
        ("company", "update"),
        ("company", "undo"),
    }
)
NOT_UNDONE = {
    "create": N_("a record once made is kept; change its fields or its status instead"),
    "promote": N_("a promotion is taken back by the status, not undone"),
    "convert": N_("the deal it made is kept; mark it lost instead"),
    "duplicate_saved": N_("a record once made is kept"),
    "import": N_("an imported lead is kept; change its fields or its status instead"),
    "snooze": N_("snooze again, or log what was done"),
    "unmerge": N_("merge the records again instead"),
    "erase": N_("an erasure on request is for good"),
}


class UndoRules(UnmergeRules, DealRules):
    """Undo of the last change."""

    @retry_writes
    def undo_last(self, entity: str | None = None, entity_id: int | None = None) -> Undone:
        """Undo the acting user's latest change (to one record, given `entity` and
        `entity_id`): a lead's field edits, status or checklist answer, or a deal's move,
        win, loss or reopening. The undo is a change like any other, in the history, so
        it can be undone in turn. Refused when someone else has changed one of those
        fields since (the undo would overwrite their work), and for changes that are
        not undone: a capture, a promotion, a conversion, a logged activity."""
        with database.atomic():
            query = History.select().where(
                (History.user == self.user_id) & History.action.not_in(SIDE_EFFECT_ACTIONS)
            )
            if entity is not None:
                query = query.where((History.entity == entity) & (History.entity_id == entity_id))
            last = query.order_by(History.id.desc()).first()
            on = words.record_words(entity, entity_id) if entity is not None else ""
            if last is None:
                nothing = words.say("undo_nothing_on", on=on) if on else words.say("undo_nothing")
                raise Refused([Problem("undo", "nothing", nothing)])
            if last.action != ERASE:
                self._not_erased_since(last)
            if last.action in BATCH_ACTIONS:
                return self._undo_batch(last)
            if last.action == "merge":
                kind, keep_id, restored = self._undo_merge(last)
                model = Lead if kind == "lead" else Company
                return Undone(
                    kind,
                    keep_id,
                    "merge",
                    last.at,
                    restored,
                    model.get_by_id(keep_id).name,
                    self.config,
                )
            group = list(
                History.select()
                .where(
                    (History.entity == last.entity)
                    & (History.entity_id == last.entity_id)
                    & (History.user == last.user_id)
                    & (History.at == last.at)
                    & (History.action == last.action)
                    & (History.id <= last.id)
                )
                .order_by(History.id)
            )
            if (last.entity, last.action) not in UNDOABLE:
                why = (
                    _(NOT_UNDONE[last.action])
                    if last.action in NOT_UNDONE
                    else _("it is not a change undo can take back")
                )
                stays = words.say(
                    "undo_stays_on" if on else "undo_stays",
                    on=on,
                    what=change_name(last.action),
                    record=words.record_words(last.entity, last.entity_id),
                    why=why,
                )
                raise Refused([Problem("undo", "cannot", stays)])
            fields = {h.field for h in group}
            later = (
                History.select(History, User.login)
                .join(User)
                .where(
                    (History.entity == last.entity)
                    & (History.entity_id == last.entity_id)
                    & (History.id > last.id)
                    & History.field.in_(fields)
                )
                .order_by(History.id.desc())
                .first()
            )
            if later is not None:
                self._changed_since(later)
            restored = [(h.field, h.new, h.old) for h in group]
            if last.entity == "opportunity" and fields <= DEAL_COLUMNS:
                undo_deal_fields(self, last.entity_id, group)
            elif last.entity == "opportunity":
                self._undo_move(last.entity_id, group)
            elif last.entity == "company":
                undo_company_fields(self, last.entity_id, group)
            elif any("." in h.field for h in group):  # checklist answers: "need.answer"
                self._undo_answers(last.entity_id, group)
            else:
                self._undo_lead_fields(last.entity_id, group)
        model = {"opportunity": Opportunity, "company": Company}.get(last.entity, Lead)
        named = model.get_or_none(model.id == last.entity_id)
        # The companies an edit of the company field names by id, for the summary.
        ids = [int(x) for f, *values in restored if f == "company" for x in values if x]
        companies = (
            dict(Company.select(Company.id, Company.name).where(Company.id.in_(ids)).tuples())
            if ids
            else {}
        )
        return Undone(
            last.entity,
            last.entity_id,
            last.action,
            last.at,
            restored,
            named.name if named else "",
            self.config,
            companies,
        )

    def _not_erased_since(self, last: History) -> None:
        """Refuse to take back a change to a lead erased since: the values it would
        put back are gone, and putting them back would undo the erasure."""
        if last.entity != "lead":
            return
        erased = (
            History.select(History.id)
            .where(
                (History.entity == "lead")
                & (History.entity_id == last.entity_id)
                & (History.action == ERASE)
                & (History.id > last.id)
            )
            .exists()
        )
        if erased:
            said = _("lead #{id} was erased on request since; its earlier changes stay").format(
                id=last.entity_id
            )
            raise Refused([Problem("undo", "erased", said)])

    def _changed_since(self, later: History) -> None:
        """Refuse an undo that would overwrite `later`, a change made since (with its
        user joined), saying who changed what and when."""
        said = words.say(
            "undo_changed_since",
            user=later.user.login,
            field=words.field_word(later.field.rpartition(".")[0] or later.field),
            record=words.record_words(later.entity, later.entity_id),
            when=words.time_words(later.at, self.zone),
        )
        raise Refused([Problem("undo", "changed", said)])

    def _undo_batch(self, last: History) -> Undone:
        """Take back every record one batch action changed, in one transaction (the
        caller's), or none: refused when anyone changed one of those fields since."""
        group = list(
            History.select()
            .where(
                (History.user == last.user_id)
                & (History.at == last.at)
                & (History.action == last.action)
            )
            .order_by(History.id)
        )
        later = History.alias("later")
        changed = (
            later.select(later, User.login)
            .join(User, on=(later.user == User.id))
            .switch(later)
            .join(
                History,
                on=(
                    (History.entity == later.entity)
                    & (History.entity_id == later.entity_id)
                    & (History.field == later.field)
                ),
            )
            .where(
                (History.user == last.user_id)
                & (History.at == last.at)
                & (History.action == last.action)
                & (later.id > group[-1].id)
            )
            .order_by(later.id.desc())
            .first()
        )
        if changed is not None:
            self._changed_since(changed)
        by_record: dict[tuple[str, int], list[History]] = defaultdict(list)
        for entry in group:
            by_record[entry.entity, entry.entity_id].append(entry)
        at = self.now()
        # Most records go back in bulk (activities logged on many leads: bulk_actions;
        # fields: batch_undo); the rest (a field with keys to remake) one by one.
        left = restore_in_bulk(self, undo_in_bulk(self, by_record, at), "undo_batch", at)
        for (entity, entity_id), entries in left.items():
            if entity == "opportunity":
                undo_deal_fields(self, entity_id, entries, action="undo_batch", at=at)
            else:
                self._undo_lead_fields(entity_id, entries, action="undo_batch", at=at)
        named = None
        if len(by_record) == 1:  # said as a change of that one record, by its name
            model = Opportunity if last.entity == "opportunity" else Lead
            named = model.get_or_none(model.id == last.entity_id)
        return Undone(
            last.entity,
            last.entity_id,
            last.action,
            last.at,
            [(h.field, h.new, h.old) for h in group],
            named.name if named else "",
            config=self.config,
            # An activity logged on many leads counts its activities, one a lead.
            records=sum(e == "activity" for e, _id in by_record) or len(by_record),
        )

    def _undo_lead_fields(
        self,
        lead_id: int,
        group: list[History],
        action: str = "undo",
        at: dt.datetime | None = None,
    ) -> None:
        now = at or self.now()
        lead = self._lead_for_update(lead_id)
        values: dict[str, Any] = {}
        changes = []
        for entry in group:
            column = _column(entry.field)
            values[column] = Lead._meta.combined[column].python_value(entry.old)
            changes.append((entry.field, _plain(getattr(lead, column)), entry.old))
        # What the columns restored imply, as capture and update_lead write it.
        if "name" in values:
            values["name_key"] = v.normalise_key(values["name"] or "")
            values["name_fold"] = stored_fold(values["name_key"])
        if "email_norm" in values:
            values["email_key"] = email_key(values["email_norm"])
        if "phone_e164" in values:
            e164 = values["phone_e164"]
            values["phone_display"] = (
                v.check_phone(e164).details.get("international", e164) if e164 else ""
            )
        if "company_id" in values:
            company = Company.get_or_none(Company.id == values["company_id"])
            values["company_key"] = company.name_key if company else ""
            values["company_fold"] = stored_fold(values["company_key"])
        self._bump(Lead, lead, {**values, "updated_at": now})
        self._history("lead", lead_id, action, changes, now, lead.version)
        if {"company_id", "country"} & set(values):
            self.rescore(lead_id)

    def _undo_answers(self, lead_id: int, group: list[History]) -> None:
        items: dict[str, dict[str, str]] = defaultdict(dict)
        for entry in group:
            item, _dot, part = entry.field.rpartition(".")
            if item:
                items[item][part] = entry.old or ""
        for item, parts in items.items():
            row = Qualification.get_or_none(
                (Qualification.lead == lead_id) & (Qualification.item == item)
            )
            current = {
                "answer": row.answer if row else ANSWER_UNKNOWN,
                "evidence": row.evidence if row else "",
                "value": row.value if row else "",
            }
            wanted = {**current, **parts}
            self.answer(
                lead_id,
                item,
                wanted["answer"] or ANSWER_UNKNOWN,
                wanted["evidence"],
                wanted["value"],
                action="undo",
            )

    def _undo_move(self, opp_id: int, group: list[History]) -> None:
        old = {h.field: h.old for h in group}
        opp = self._opp_for_update(opp_id, None)
        old_state = old.get("state", opp.state)
        if opp.state != OPP_OPEN and old_state == OPP_OPEN:
            self.reopen(opp_id)  # back to the stage it was closed from
            if old.get("stage") and self.get_opportunity(opp_id).stage != old["stage"]:
                self.move(opp_id, old["stage"])
        elif old_state == OPP_WON:
            self.win(opp_id)
        elif old_state == OPP_LOST:
            self.lose(opp_id, old.get("lost_reason") or opp.lost_reason or "other")
        else:
            self._change_stage(opp, old["stage"], {}, action="undo")
