"""The story of each demo lead, told in order: captured, tried, reached, qualified,
parked, dropped or promoted, converted and its deals worked to the end; and the rows
the rules layer would have written for all of it."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from random import Random
from typing import Any

from funnel_tui.config import Config
from funnel_tui.core.dates import user_zone
from funnel_tui.core.folding import email_key, stored_fold
from funnel_tui.core.vocab import (
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    LEVEL_PROSPECT,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
    STATUS_NEW,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
)
from funnel_tui.demo import names as words
from funnel_tui.demo.activities import (
    DEAL_WORK,
    NOTE,
    ONE_WAY,
    TWO_WAY,
    Activities,
    action_time,
    open_action,
)
from funnel_tui.demo.checklists import Checklists
from funnel_tui.demo.clock import Clock
from funnel_tui.demo.deals import Deals, Opp
from funnel_tui.demo.draws import js, pick, weighted
from funnel_tui.demo.kinds import (
    ARCHETYPE_WEIGHTS,
    CUSTOMER,
    DEMOTE,
    LEAST_SPAN,
    NEW,
    NURTURING,
    OPPORTUNITY,
    PROSPECT,
    UNQUALIFIED,
    WORK_SPAN,
)
from funnel_tui.demo.people import People, Region
from funnel_tui.demo.writing import Rows

# Steps of a lead's story, in the order they can happen.
TRY, FIRST, ACT, QUAL, NURTURE, UNQUALIFY, PROMOTE, CONVERT, DEAL_ACT, MOVE, CLOSE = range(11)


def zone_offset(configured: str, today: dt.date) -> int:
    """Seconds east of UTC of the rep's zone (funnel.toml's, else the machine's) today."""
    offset = user_zone(configured).utcoffset(dt.datetime.combine(today, dt.time(12)))
    return int(offset.total_seconds()) if offset is not None else 0


# Names repeat across the demo's leads (a given name and a surname of a few hundred
# each): each is folded once.
_stored_fold = lru_cache(maxsize=1 << 16)(stored_fold)


class Generator:
    """Makes up leads one at a time and keeps their rows until they are taken."""

    def __init__(
        self,
        config: Config,
        rng: Random,
        today: dt.date,
        users: dict[str, int],
        main_user: str,
        taken: dict[str, set[str]],
    ):
        self.config = config
        self.rnd = rnd = rng.random
        self.clock = clock = Clock(rnd, today, zone_offset(config.timezone, today))
        self.rows = rows = Rows()
        self.counts = rows.counts
        self.people = People(rnd, clock, rows, users, taken)
        self.checklists = Checklists(config, rnd)
        self.deals = Deals(config, rnd, clock, rows)
        self.activities = Activities(config, rnd, clock, rows)
        self.main_user = users[main_user]
        self.pick_archetype = weighted(ARCHETYPE_WEIGHTS)
        self.sources = config.lead_sources or ("",)
        self.source_json = {s: json.dumps(s, ensure_ascii=False) for s in self.sources}
        self.recent: list[tuple] = []  # recent leads, for deliberate duplicates
        self.next_lead = 0

    def take_rows(self) -> list[list[tuple]]:
        """The rows made since the last take, per table of TABLES, counted."""
        return self.rows.take()

    # ---- the story of one lead

    def lead(self, x0: float, duplicate: bool) -> None:
        rnd = self.rnd
        if duplicate and self.recent:
            return self._duplicate(x0)
        region = self.people.regions[self.people.pick_region(rnd())]
        reps = region.reps
        r = rnd()
        if r < 0.08:
            owner = self.main_user
        elif r < 0.9:
            owner = reps[int(rnd() * len(reps))]
        else:
            owner = pick(rnd, self.people.rep_ids)
        creator = owner if rnd() < 0.9 else self.main_user

        kind = self.pick_archetype(rnd())
        while 1 - x0 < LEAST_SPAN[kind]:
            kind = DEMOTE[kind]
        created = self.clock.moment(x0, region.tz)

        name, name_key, phone, email, company, title = self.people.person(region, created, creator)
        source = self.sources[int(rnd() * len(self.sources))]
        notes = pick(rnd, words.NOTES) if rnd() < 0.25 else ""

        self.next_lead += 1
        person = (self.next_lead, name, name_key, phone, email, company, region, title, notes)
        self.recent.append(person)
        if len(self.recent) > 50:
            del self.recent[:25]
        self._story(kind, person, source, owner, creator, created, x0)

    def _duplicate(self, x0: float) -> None:
        """The same person captured again from another source, saved anyway."""
        rnd = self.rnd
        original = pick(rnd, self.recent)
        region = original[6]
        self.next_lead += 1
        owner = pick(rnd, region.reps)
        created = self.clock.moment(x0, region.tz)
        self._story(
            NEW,
            (self.next_lead, *original[1:]),
            pick(rnd, self.sources),
            owner,
            owner,
            created,
            x0,
            duplicate_of=original[0],
        )

    def _story(
        self,
        kind: int,
        person: tuple,
        source: str,
        owner: int,
        creator: int,
        created: int,
        x0: float,
        duplicate_of: int | None = None,
    ) -> None:
        rnd = self.rnd
        days, tod = self.clock.days, self.clock.tod
        lead_id, name, name_key, phone, email, company, region, title, notes = person
        country = region.code
        history = self.rows.history_rows.append
        created_ts = days[created // 86400] + tod[created % 86400]

        self._capture(person, source, creator, created_ts, duplicate_of)
        plan, answers, opps = self._plan(kind, region, company, name)
        moments = self.clock.times(
            len(plan), x0, min(1.0, x0 + WORK_SPAN[kind] * (0.5 + rnd())), region.tz
        )
        status, level, version = STATUS_NEW, LEVEL_LEAD, 1
        updated = created
        promoted_at = nurture_until = None
        reason = ""
        acts: list[list] = []  # [when, opp id, kind, direction, outcome, note, action, due, done]
        lead_na: list | None = None
        opp: Any = None
        opp_index = -1
        pending = list(answers)
        qual_steps = plan.count(QUAL)
        notes_pool, actions = words.ACTIVITY_NOTES, words.NEXT_ACTIONS
        for step, when in zip(plan, moments, strict=True):
            if step <= ACT:
                if step == TRY:
                    act = ONE_WAY[int(rnd() * len(ONE_WAY))]
                elif step == FIRST:
                    act = TWO_WAY[int(rnd() * len(TWO_WAY))]
                else:
                    u = rnd()
                    act = (
                        TWO_WAY[int(rnd() * len(TWO_WAY))]
                        if u < 0.5
                        else ONE_WAY[int(rnd() * len(ONE_WAY))]
                        if u < 0.85
                        else NOTE
                    )
                row = [
                    when,
                    None,
                    *act,
                    notes_pool[int(rnd() * 10)] if rnd() < 0.35 else "",
                    "",
                    None,
                    False,
                ]
                if rnd() < 0.3:
                    row[6] = actions[int(rnd() * len(actions))]
                    row[7] = when // 86400 + 1 + int(rnd() * 10)
                    if lead_na is not None:
                        lead_na[8] = True  # a newer next action replaces the open one
                    lead_na = row
                acts.append(row)
                if step == FIRST and status == STATUS_NEW:
                    status = STATUS_WORKING
                    version += 1
                    history(
                        (
                            days[when // 86400] + tod[when % 86400],
                            owner,
                            "lead",
                            lead_id,
                            "auto",
                            "status",
                            STATUS_NEW,
                            STATUS_WORKING,
                            version,
                        )
                    )
            elif step == DEAL_ACT:
                row = [
                    when,
                    opp.id,
                    *DEAL_WORK[int(rnd() * len(DEAL_WORK))],
                    notes_pool[int(rnd() * 10)] if rnd() < 0.4 else "",
                    "",
                    None,
                    False,
                ]
                if rnd() < 0.4:
                    row[6] = actions[int(rnd() * len(actions))]
                    row[7] = when // 86400 + 1 + int(rnd() * 10)
                    if opp.last_na is not None:
                        opp.last_na[8] = True
                    opp.last_na = row
                acts.append(row)
            elif step == QUAL:
                # Answers come over a few conversations; the last one completes them.
                take = len(pending) if qual_steps == 1 else max(1, len(pending) // 2)
                qual_steps -= 1
                stamp = days[when // 86400] + tod[when % 86400]
                self.rows.qual_rows += [
                    (lead_id, item, answer, value, evidence, owner, stamp)
                    for item, answer, value, evidence in pending[:take]
                ]
                del pending[:take]
                updated = when
            elif step == MOVE:
                self.deals.move(opp, opp.path.pop(0), owner, when)
            elif step == CONVERT:
                opp_index += 1
                opp = opps[opp_index]
                self.deals.open(opp, lead_id, owner, when)
                if level == LEVEL_PROSPECT:
                    level = LEVEL_OPPORTUNITY
                    version += 1
                    stamp = self.clock.ts(when)
                    history(
                        (
                            stamp,
                            owner,
                            "lead",
                            lead_id,
                            "convert",
                            "level",
                            LEVEL_PROSPECT,
                            LEVEL_OPPORTUNITY,
                            version,
                        )
                    )
                    history(
                        (
                            stamp,
                            owner,
                            "lead",
                            lead_id,
                            "convert",
                            "opportunity",
                            None,
                            str(opp.id),
                            version,
                        )
                    )
                    updated = when
            elif step == CLOSE:
                self.deals.close(opp, owner, when)
                if opp.state == OPP_WON and level != LEVEL_CUSTOMER:
                    version += 1
                    history(
                        (
                            self.clock.ts(when),
                            owner,
                            "lead",
                            lead_id,
                            "won",
                            "level",
                            LEVEL_OPPORTUNITY,
                            LEVEL_CUSTOMER,
                            version,
                        )
                    )
                    level = LEVEL_CUSTOMER
                    updated = when
            elif step == PROMOTE:
                version += 1
                stamp = self.clock.ts(when)
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "promote",
                        "level",
                        LEVEL_LEAD,
                        LEVEL_PROSPECT,
                        version,
                    )
                )
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "promote",
                        "checklist",
                        None,
                        self.checklists.checklist(answers, company, country),
                        version,
                    )
                )
                level = LEVEL_PROSPECT
                promoted_at = updated = when
            elif step == NURTURE:
                nurture_until = self.clock.today_day + 7 + int(rnd() * 150)
                version += 1
                stamp = self.clock.ts(when)
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "status",
                        status,
                        STATUS_NURTURING,
                        version,
                    )
                )
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "nurture_until",
                        None,
                        days[nurture_until],
                        version,
                    )
                )
                status = STATUS_NURTURING
                updated = when
            else:  # UNQUALIFY
                reason = pick(rnd, words.UNQUALIFIED_REASONS)
                version += 1
                stamp = self.clock.ts(when)
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "status",
                        status,
                        STATUS_UNQUALIFIED,
                        version,
                    )
                )
                history(
                    (
                        stamp,
                        owner,
                        "lead",
                        lead_id,
                        "status",
                        "unqualified_reason",
                        "",
                        reason,
                        version,
                    )
                )
                status = STATUS_UNQUALIFIED
                updated = when

        lead_active = status != STATUS_UNQUALIFIED and level in (LEVEL_LEAD, LEVEL_PROSPECT)
        lead_stream = [a for a in acts if a[1] is None] if opps else acts
        self.activities.settle_next_action(
            lead_stream,
            lead_na,
            lead_active,
            nurture_until if status == STATUS_NURTURING else None,
        )
        for o in opps:
            stream = [a for a in acts if a[1] == o.id]
            self.activities.settle_next_action(stream, o.last_na, o.state == OPP_OPEN, None)
            self.deals.finish(o, lead_id, company, owner, notes, stream, source)

        # The lead row carries its open next action, as funnel.log_activity keeps it.
        lead_action = open_action(lead_stream)
        if lead_action is None and status == STATUS_NURTURING and nurture_until is not None:
            # Parked until a date: touched again then, logged or not (funnel.set_status).
            lead_action = [None] * 6 + [words.NURTURE_ACTION, nurture_until, False]
        last_activity, engagement = self.activities.write(acts, lead_id, owner)
        self.rows.lead_rows.append(
            (
                lead_id,
                name,
                name_key,
                company[0] if company else None,
                title,
                phone[0],
                phone[1],
                phone[2],
                phone[3],
                email,
                email or None,
                country,
                source,
                notes,
                status,
                level,
                None if nurture_until is None else days[nurture_until],
                reason,
                owner,
                creator,
                created_ts,
                days[updated // 86400] + tod[updated % 86400],
                None if promoted_at is None else self.clock.ts(promoted_at),
                last_activity,
                version,
                company[6] if company else "",
                self.checklists.total(answers, company, country),
                engagement,
                lead_action[6] if lead_action else "",
                days[lead_action[7]] if lead_action else None,
                action_time(self.clock, lead_id, lead_action[7], lead_action[6])
                if lead_action
                else None,
                email_key(email),
                _stored_fold(name_key),
                company[7] if company else "",
            )
        )

    def _capture(
        self,
        person: tuple,
        source: str,
        creator: int,
        created_ts: str,
        duplicate_of: int | None,
    ) -> None:
        """The history of the lead's capture: its create snapshot, and when it is a
        duplicate saved anyway, which lead it duplicates."""
        lead_id, name, _, phone, email, company, region, title, notes = person
        country = region.code
        history = self.rows.history_rows.append
        # The create snapshot as the rules layer writes it: sorted keys, empties left out.
        snap = [company[5]] if company else []
        snap.append(f'"country": "{country}"')
        if email:
            snap.append(f'"email_norm": "{email}", "email_raw": "{email}"')
        snap.append('"name": ' + js(name))
        if notes:
            snap.append('"notes": ' + js(notes))
        if phone[0]:
            snap.append(
                f'"phone_e164": "{phone[1]}", "phone_raw": "{phone[0]}", "phone_type": "{phone[2]}"'
            )
        if source:
            snap.append('"source": ' + self.source_json[source])
        if title:
            snap.append('"title": ' + js(title))
        history(
            (
                created_ts,
                creator,
                "lead",
                lead_id,
                "create",
                "",
                None,
                "{" + ", ".join(snap) + "}",
                1,
            )
        )
        if duplicate_of is not None:
            history(
                (
                    created_ts,
                    creator,
                    "lead",
                    lead_id,
                    "duplicate_saved",
                    "duplicate_of",
                    None,
                    str(duplicate_of),
                    None,
                )
            )

    def _plan(
        self, kind: int, region: Region, company: tuple | None, name: str
    ) -> tuple[list[int], list[tuple], list[Opp]]:
        """The steps of the lead's story in order (their moments are drawn afterwards),
        the checklist answers it will give, and the deals it will open."""
        rnd = self.rnd
        country = region.code
        plan: list[int] = []
        if kind == NEW or (kind == UNQUALIFIED and rnd() < 0.5):
            plan += [TRY] * int(rnd() * 3)
        else:
            plan += [TRY] * int(rnd() * rnd() * 3)
            plan.append(FIRST)
            plan += [ACT] * int(rnd() * (3 if kind < PROSPECT else 2))
        answers = self.checklists.plan(kind, company, country)
        if answers:
            at = plan.index(FIRST) + 1 if FIRST in plan else len(plan)
            for _ in range(1 + (len(answers) > 2) + (len(answers) > 4)):
                plan.insert(at + int(rnd() * (len(plan) - at + 1)), QUAL)
        if kind == NURTURING:
            plan.append(NURTURE)
        elif kind == UNQUALIFIED:
            plan.append(UNQUALIFY)
        opps: list[Opp] = []
        if kind >= PROSPECT:
            plan.append(PROMOTE)
            plan += [ACT] * int(rnd() * 2)
        if kind >= OPPORTUNITY:
            outcomes = [OPP_WON if kind == CUSTOMER else OPP_OPEN if rnd() < 0.7 else OPP_LOST]
            if rnd() < 0.2:  # a second deal with the same lead
                u = rnd()
                if u < 0.6:
                    outcomes.append(OPP_OPEN)
                elif u < 0.8:
                    outcomes.append(OPP_LOST)
                else:  # only a customer has won deals
                    outcomes.append(OPP_WON if kind == CUSTOMER else OPP_OPEN)
            for outcome in outcomes:
                opp = self.deals.plan(outcome, region, company, name)
                opps.append(opp)
                plan.append(CONVERT)
                for _ in opp.path:
                    plan += [DEAL_ACT] * int(rnd() * 2)
                    plan.append(MOVE)
                # Every deal is worked at least once more: after its last move, or
                # before it is won or lost.
                plan += [DEAL_ACT] * (1 + int(rnd() * 2))
                if outcome != OPP_OPEN:
                    plan.append(CLOSE)
        return plan, answers, opps
