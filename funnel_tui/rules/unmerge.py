"""Taking a merge back: the records as they were before it, from the snapshot the merge
kept in its history (rules.merge, rules.company_merge). Refused, saying who and what,
when anyone changed either record since."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from funnel_tui.core.errors import Problem, Refused
from funnel_tui.rules import history_words as words
from funnel_tui.rules.company_merge import CompanyMergeRules
from funnel_tui.rules.merge import _UNSHOWN
from funnel_tui.rules.session import _column, _plain
from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    User,
)


class UnmergeRules(CompanyMergeRules):
    """Undo of a merge of leads or companies."""

    def _undo_merge(self, last: History) -> tuple[str, int, list[tuple[str, Any, Any]]]:
        """Take back the merge `last` belongs to (in the caller's transaction); returns
        the survivor's kind and id and the fields put back (field, merged value, back)."""
        # The merge's first row (the survivor's "merged", holding the snapshot) and
        # its last (the merged record's "merged_into"), found from whichever `last` is.
        if last.field == "merged_into":
            kind, keep_id, other_id = last.entity, int(last.new), last.entity_id
        else:
            kind, keep_id = last.entity, last.entity_id
        head = (
            History.select()
            .where(
                (History.entity == kind)
                & (History.entity_id == keep_id)
                & (History.action == "merge")
                & (History.field == "merged")
                & (History.id <= last.id)
            )
            .order_by(History.id.desc())
            .first()
        )
        other_id = int(head.new)
        end = (
            History.select(History.id)
            .where(
                (History.entity == kind)
                & (History.entity_id == other_id)
                & (History.action == "merge")
                & (History.id > head.id)
            )
            .order_by(History.id)
            .first()
        )
        snapshot = json.loads(head.old)
        later = (
            History.select(History, User.login)
            .join(User)
            .where(
                (History.entity == kind)
                & History.entity_id.in_([keep_id, other_id])
                & (History.id > end.id)
            )
            .order_by(History.id.desc())
            .first()
        )
        if later is not None:
            said = words.say(
                "unmerge_changed_since",
                user=later.user.login,
                what=words.field_word(later.field.rpartition(".")[0] or later.field)
                if later.field
                else words.say("a_change"),
                record=words.record_words(kind, later.entity_id),
                when=words.time_words(later.at, self.zone),
            )
            raise Refused([Problem("undo", "changed", said)])
        model = Lead if kind == "lead" else Company
        now = self.now()
        keep = model.get_by_id(keep_id)
        other = model.get_by_id(other_id)
        back = {
            column: model._meta.combined[_column(column)].python_value(value)
            for column, value in snapshot["keep"].items()
        }
        restored = [
            (column, _plain(getattr(keep, _column(column))), value)
            for column, value in snapshot["keep"].items()
            if column not in _UNSHOWN and _plain(getattr(keep, _column(column))) != value
        ]
        if kind == "lead":
            Activity.update(lead=other_id).where(Activity.id.in_(snapshot["activities"])).execute()
            Opportunity.update(lead=other_id).where(Opportunity.id.in_(snapshot["deals"])).execute()
            for entry in snapshot["answers"]:
                _put_answer_back(keep_id, entry["item"], entry["row"])
            other_values = {
                "merged_into": None,
                "next_action": snapshot["other"]["next_action"],
                "next_action_due": Lead.next_action_due.python_value(
                    snapshot["other"]["next_action_due"]
                ),
                # None for a merge made before next actions had a time.
                "next_action_at": Lead.next_action_at.python_value(
                    snapshot["other"].get("next_action_at")
                ),
            }
        else:
            Lead.update(company=other_id).where(Lead.id.in_(snapshot["leads"])).execute()
            Opportunity.update(company=other_id).where(
                Opportunity.id.in_(snapshot["deals"])
            ).execute()
            other_values = {"merged_into": None}
        model.update(merged_into=other_id).where(model.id.in_(snapshot["merged_before"])).execute()
        self._bump(model, keep, {**back, "updated_at": now})
        self._bump(model, other, {**other_values, "updated_at": now})
        self._history(
            kind,
            keep_id,
            "unmerge",
            [*restored, ("merged", str(other_id), None)],
            now,
            keep.version,
        )
        self._history(
            kind, other_id, "unmerge", [("merged_into", str(keep_id), None)], now, other.version
        )
        if kind == "lead":
            self.rescore(keep_id)
        else:
            for lead_id in snapshot["leads"]:
                self.rescore(lead_id)
        return kind, keep_id, [*restored, ("merged", str(other_id), None)]


def _put_answer_back(lead_id: int, item: str, row: dict[str, Any] | None) -> None:
    where = (Qualification.lead == lead_id) & (Qualification.item == item)
    if row is None:
        Qualification.delete().where(where).execute()
        return
    values = {**row, "answered_at": dt.datetime.fromisoformat(row["answered_at"])}
    Qualification.update(values).where(where).execute()
