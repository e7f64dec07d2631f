"""Peewee models of the funnel; nothing else lives here.

Conventions:
- Timestamps are naive UTC datetimes; dates (due, close, nurture) are calendar dates.
- Amounts are integer minor units (cents) so sums in SQL are exact on every engine.
- Text columns are TEXT; length limits are the validators' job, so a limit can change
  without a migration.
- Records edited by people carry `version` for optimistic locking.
"""

from __future__ import annotations

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CompositeKey,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

# The stored values (statuses, levels, states, answers) are the vocabulary's.
from funnel_tui.core.vocab import (
    ANSWER_UNKNOWN,
    LEVEL_LEAD,
    OPP_OPEN,
    STATUS_NEW,
)

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class MetaEntry(BaseModel):
    """Key/value facts about the database itself, e.g. the schema version."""

    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "funnel_meta"


class User(BaseModel):
    login = TextField(unique=True)
    display_name = TextField(default="")
    created_at = DateTimeField()


class Company(BaseModel):
    name = TextField()
    name_key = TextField(index=True)  # casefolded, spaces collapsed: for duplicate checks
    industry = TextField(default="")
    employees = IntegerField(null=True)
    country = TextField(default="")  # ISO 3166 alpha-2
    website = TextField(default="")
    created_at = DateTimeField()
    updated_at = DateTimeField()
    version = IntegerField(default=1)
    # Set when this company was merged into another (rules.merge): kept, never deleted,
    # but no longer listed. Served by a partial index (storage.list_index.MERGED_INDEXES).
    merged_into = ForeignKeyField("self", null=True, index=False, on_delete="SET NULL")


class Lead(BaseModel):
    name = TextField()
    name_key = TextField(index=True)  # also the lead list's order by name
    # folding.stored_fold of name_key and company_key ("" when the same): what searches
    # and near-duplicate checks compare, "Müller" as "muller", 陳 as 陈. Written with the
    # keys by the rules layer.
    name_fold = TextField(default="")
    company_fold = TextField(default="")
    # Indexed with last_activity_at (Meta): a company's leads, and the Companies list's
    # sort by latest activity from the index alone.
    company = ForeignKeyField(
        Company, null=True, backref="leads", on_delete="SET NULL", index=False
    )
    # The company's name_key, "" without a company: the lead list sorts and searches by
    # company without a join. Database triggers keep it equal to company.name_key (see
    # storage.list_index), so a writer that leaves it out or a company renamed elsewhere cannot make
    # it wrong.
    company_key = TextField(default="", index=True)
    title = TextField(default="")
    phone_raw = TextField(default="")  # exactly what the user typed
    phone_e164 = TextField(null=True, index=True)
    phone_type = TextField(default="")  # mobile, fixed line, ...
    # The international format, "+48 512 345 678", stored so the list can show numbers
    # without loading phonenumbers' metadata (80 ms of start-up) or formatting each row.
    phone_display = TextField(default="")
    email_raw = TextField(default="")
    email_norm = TextField(null=True)
    # The address casefolded whole (folding.email_key): what duplicates are found by, so
    # LUCJA@Kowalski.PL matches lucja@kowalski.pl; email_raw keeps what was typed.
    email_key = TextField(null=True, index=True)
    country = TextField(default="")
    source = TextField(default="")
    notes = TextField(default="")
    status = TextField(default=STATUS_NEW)
    level = TextField(default=LEVEL_LEAD)
    nurture_until = DateField(null=True)
    unqualified_reason = TextField(default="")
    # Indexes cost every insert: owner has its own below, and nothing looks leads up by
    # creator.
    owner = ForeignKeyField(User, backref="owned_leads", index=False)
    created_by = ForeignKeyField(User, index=False)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    promoted_at = DateTimeField(null=True)
    last_activity_at = DateTimeField(null=True)
    # The lead's open next action (logged on the lead, not on one of its deals) and its
    # due date in the owner's calendar: what the Today queue reads, kept by the rules
    # layer as activities are logged and actions snoozed (derived: no version bump).
    next_action = TextField(default="")
    next_action_due = DateField(null=True)
    # The moment of a timed next action ("call back at 3 pm"), naive UTC; NULL for a
    # whole-day one. next_action_due is then its date in the zone of whoever set it.
    next_action_at = DateTimeField(null=True)
    version = IntegerField(default=1)
    # compute_score(...).total, stored so the lead list filters and sorts by it in SQL;
    # the rules layer rewrites it on every change that can move it (funnel.py).
    score = IntegerField(default=0, index=True)
    # The engagement of two-way interactions as a key that does not change with time:
    # log2 of the sum of 2^(t / half-life) over them, t in days since ENGAGEMENT_EPOCH
    # (funnel.py). Ordering leads by it is ordering them by engagement at any moment;
    # NULL for no two-way interaction. DOUBLE PRECISION on PostgreSQL, whose REAL has
    # six digits, too few for keys near 200 that differ in their fourth decimal. The
    # list's sort reads it through an index on (engagement_key, id) that list_index makes.
    engagement_key = DoubleField(null=True)
    # Set when this lead was merged into another (rules.merge): the record is kept as it
    # was, never deleted, but no list, count, search or report shows it; a search for
    # its phone or email finds the survivor. Few leads are merged, so a partial index
    # (storage.list_index.MERGED_INDEXES) holds only them: the list leaves them out by
    # id, from the indexes it already walks, without reading a row.
    merged_into = ForeignKeyField("self", null=True, index=False, on_delete="SET NULL")

    class Meta:
        # Each single-column index also orders its rows by id, so one index serves the
        # list's sort on that column with ties broken by id (and backwards for
        # descending). Status and level sort in funnel order through expression indexes
        # made in storage.list_index.
        indexes = (
            (("level", "status"), False),
            (("owner", "status"), False),
            (("owner",), False),
            (("source",), False),
            (("country",), False),
            (("created_at",), False),
            (("company", "last_activity_at"), False),
        )


class Qualification(BaseModel):
    """The current answer to one checklist item of a lead; revisions are in History."""

    lead = ForeignKeyField(Lead, backref="answers", on_delete="CASCADE", index=False)
    item = TextField()  # "budget", "authority", "need", "timeline" or "icp:<key>"
    answer = TextField(default=ANSWER_UNKNOWN)
    value = TextField(default="")  # a figure for ICP items, e.g. "250" employees
    evidence = TextField(default="")
    answered_by = ForeignKeyField(User, index=False)
    answered_at = DateTimeField()

    class Meta:
        indexes = ((("lead", "item"), True),)  # also serves lookups by lead


class Opportunity(BaseModel):
    lead = ForeignKeyField(Lead, backref="opportunities")
    company = ForeignKeyField(Company, null=True, backref="opportunities", on_delete="SET NULL")
    name = TextField()
    amount_cents = BigIntegerField(default=0)
    currency = TextField()
    expected_close = DateField(null=True)
    stage = TextField(index=True)
    state = TextField(default=OPP_OPEN, index=True)
    lost_reason = TextField(default="")
    notes = TextField(default="")
    owner = ForeignKeyField(User, backref="owned_opportunities")
    created_by = ForeignKeyField(User, index=False)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    stage_entered_at = DateTimeField()
    closed_at = DateTimeField(null=True)
    version = IntegerField(default=1)
    # The latest activity logged on the deal and its open next action, copied here by
    # the rules layer as activities are logged (derived data: no version bump), so the
    # board reads a card's next action and staleness from the row it already reads.
    last_activity_at = DateTimeField(null=True)
    next_action = TextField(default="")
    next_action_due = DateField(null=True)
    next_action_at = DateTimeField(null=True)
    # Its lead's source, copied by triggers (storage.tallies) whenever either changes:
    # the win rate and forecast split deals by source without joining a million leads.
    # A default in the table too: bulk writers (the demo, a copy) leave it to the triggers.
    lead_source = TextField(default="", constraints=[SQL("DEFAULT ''")])


class StageChange(BaseModel):
    """One move of an opportunity across the board: what cycle-time reports read."""

    opportunity = ForeignKeyField(Opportunity, backref="stage_changes", on_delete="CASCADE")
    from_stage = TextField(null=True)
    to_stage = TextField()
    user = ForeignKeyField(User, index=False)
    at = DateTimeField(index=True)


class Activity(BaseModel):
    lead = ForeignKeyField(Lead, null=True, backref="activities", on_delete="CASCADE")
    opportunity = ForeignKeyField(Opportunity, null=True, backref="activities", on_delete="CASCADE")
    kind = TextField()  # call, email, meeting, sms, social, in_person, note
    direction = TextField(default="")  # outbound, inbound or "" for notes
    outcome = TextField(default="")
    note = TextField(default="")
    occurred_at = DateTimeField()
    user = ForeignKeyField(User, index=False)
    next_action = TextField(default="")
    next_action_due = DateField(null=True, index=True)
    next_action_at = DateTimeField(null=True)
    next_action_done = BooleanField(default=False)
    created_at = DateTimeField()


class History(BaseModel):
    """Append-only record of every change: who, when, which record, which field, old → new."""

    at = DateTimeField()
    user = ForeignKeyField(User, index=False)
    entity = TextField()  # "lead", "opportunity", "company", "qualification", "activity"
    entity_id = BigIntegerField()
    action = TextField()  # "create", "update", "status", "promote", "move", ...
    field = TextField(default="")
    old = TextField(null=True)
    new = TextField(null=True)
    version = IntegerField(null=True)  # the record's version after this change

    class Meta:
        # A record's history, and one user's changes over time.
        indexes = ((("entity", "entity_id"), False), (("user", "at"), False))


class Presence(BaseModel):
    """One running funnel instance: who, and the record it shows. Each instance writes
    its row when it starts, when it opens or leaves a record, and every few seconds as a
    heartbeat; a row not seen for a while is a crashed instance and counts for nothing.
    Not history: nothing here is a change to the data."""

    instance = TextField(primary_key=True)  # host:pid:random, unique per run
    login = TextField()
    host = TextField(default="")
    started_at = DateTimeField()
    seen_at = DateTimeField(index=True)
    entity = TextField(default="")  # "lead" or "opportunity" being shown, "" for none
    entity_id = BigIntegerField(null=True)
    editing = BooleanField(default=False)  # the form on that record holds unsaved edits


# --------------------------------------------------------------- derived tallies
# Counts kept current by triggers (storage.tallies) in the same transaction as every
# write, so the reports sum a few thousand rows instead of scanning a million; `funnel
# check` compares them with the records. Keyed by the UTC hour a record falls in: the
# reports' periods and months begin at a whole hour in every whole-hour zone.


class LeadTally(BaseModel):
    """Live (unmerged) leads captured in one UTC hour, per source and owner, by the
    furthest step of the funnel each reached (see storage.tallies.reach_sql)."""

    hour = DateTimeField()
    source = TextField()
    owner = IntegerField(column_name="owner_id")
    captured = IntegerField(default=0)
    worked = IntegerField(default=0)
    prospects = IntegerField(default=0)
    opportunities = IntegerField(default=0)
    won = IntegerField(default=0)

    class Meta:
        table_name = "lead_tally"
        primary_key = CompositeKey("hour", "source", "owner")


class WonDealTally(BaseModel):
    """Won deals of live leads, by the hour, source and owner of their lead and the
    deal's currency: how many, and their amounts summed."""

    hour = DateTimeField()
    source = TextField()
    owner = IntegerField(column_name="owner_id")
    currency = TextField()
    deals = IntegerField(default=0)
    amount_cents = BigIntegerField(default=0)

    class Meta:
        table_name = "won_deal_tally"
        primary_key = CompositeKey("hour", "source", "owner", "currency")


class ActivityTally(BaseModel):
    """Activities logged in one UTC hour, per user and kind."""

    hour = DateTimeField()
    user = IntegerField(column_name="user_id")
    kind = TextField()
    logged = IntegerField(default=0)

    class Meta:
        table_name = "activity_tally"
        primary_key = CompositeKey("hour", "user", "kind")


TALLY_MODELS = (LeadTally, WonDealTally, ActivityTally)

ALL_MODELS = (
    MetaEntry,
    User,
    Company,
    Lead,
    Qualification,
    Opportunity,
    StageChange,
    Activity,
    History,
    Presence,
    *TALLY_MODELS,
)


# ------------------------------------------------- waits behind the percentile reports
# Kept by triggers (storage.wait_summaries) in the same transaction as every write: each
# wait the speed-to-lead and cycle-time reports measure, and how many of them fall in
# each bucket of length per UTC day and month, so that a median is found by summing a
# few thousand counts and reading one bucket's waits, not by ranking a million.


class WaitFact(BaseModel):
    """One wait a percentile report measures: `kind` says which (storage.wait_summaries:
    a lead's capture to its first reply, or a step of the funnel), `ref` the record it
    belongs to, `at` the moment a report's period is matched against, `label` and
    `owner` its group (the lead's source and owner; a stage's name). `wait` is seconds
    from `start_at` to `end_at` (none below zero) and `bucket` the range of lengths it
    falls in, both worked out by the database."""

    kind = SmallIntegerField()
    ref = BigIntegerField()
    at = DateTimeField()
    label = TextField(default="")
    owner = IntegerField(column_name="owner_id", default=0)
    start_at = DateTimeField()
    end_at = DateTimeField(null=True)
    wait = DoubleField(null=True)
    bucket = SmallIntegerField(null=True)

    class Meta:
        table_name = "wait_fact"
        primary_key = CompositeKey("kind", "ref")


class WaitTally(BaseModel):
    """How many waits of one kind and group fall in one bucket, per UTC day (`span`
    "d") or month ("m") of their `at`; `dim` 0 groups by label, 1 by owner (its id as
    text in `grp`)."""

    span = TextField()
    start = DateTimeField()
    kind = SmallIntegerField()
    dim = SmallIntegerField()
    grp = TextField()
    bucket = SmallIntegerField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "wait_tally"
        primary_key = CompositeKey("span", "start", "kind", "dim", "grp", "bucket")


WAIT_MODELS = (WaitFact, WaitTally)
ALL_MODELS = (*ALL_MODELS, *WAIT_MODELS)
