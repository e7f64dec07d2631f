"""Writing the demo's rows in bulk: the columns of each table, the rows a batch holds,
and the DB-API writer (many rows an INSERT on SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

import io
from itertools import chain

import peewee

from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    Qualification,
    StageChange,
)

ROWS_PER_STATEMENT = 50  # rows an SQLite INSERT carries (see Writer)

# Columns written per table, by field name; tests check they cover every model field, so
# a new column without a database default cannot slip past the demo unnoticed.
# Columns the demo leaves NULL, the database's value for them: no demo record is merged.
LEFT_NULL = ("merged_into",)
COMPANY_FIELDS = (
    "id",
    "name",
    "name_key",
    "industry",
    "employees",
    "country",
    "website",
    "created_at",
    "updated_at",
    "version",
)
LEAD_FIELDS = (
    "id",
    "name",
    "name_key",
    "company",
    "title",
    "phone_raw",
    "phone_e164",
    "phone_type",
    "phone_display",
    "email_raw",
    "email_norm",
    "country",
    "source",
    "notes",
    "status",
    "level",
    "nurture_until",
    "unqualified_reason",
    "owner",
    "created_by",
    "created_at",
    "updated_at",
    "promoted_at",
    "last_activity_at",
    "version",
    "company_key",
    "score",
    "engagement_key",
    "next_action",
    "next_action_due",
    "next_action_at",
    "email_key",
    "name_fold",
    "company_fold",
)
QUALIFICATION_FIELDS = ("lead", "item", "answer", "value", "evidence", "answered_by", "answered_at")
OPPORTUNITY_FIELDS = (
    "id",
    "lead",
    "company",
    "name",
    "amount_cents",
    "currency",
    "expected_close",
    "stage",
    "state",
    "lost_reason",
    "notes",
    "owner",
    "created_by",
    "created_at",
    "updated_at",
    "stage_entered_at",
    "closed_at",
    "version",
    "last_activity_at",
    "next_action",
    "next_action_due",
    "next_action_at",
    "lead_source",
)
STAGE_CHANGE_FIELDS = ("opportunity", "from_stage", "to_stage", "user", "at")
ACTIVITY_FIELDS = (
    "lead",
    "opportunity",
    "kind",
    "direction",
    "outcome",
    "note",
    "occurred_at",
    "user",
    "next_action",
    "next_action_due",
    "next_action_at",
    "next_action_done",
    "created_at",
)
HISTORY_FIELDS = ("at", "user", "entity", "entity_id", "action", "field", "old", "new", "version")

# What the demo writes, in an order that puts parents first. Tables whose fields include
# "id" get their ids from the demo; the others take the database's next id.
TABLES = (
    (Company, COMPANY_FIELDS),
    (Lead, LEAD_FIELDS),
    (Qualification, QUALIFICATION_FIELDS),
    (Opportunity, OPPORTUNITY_FIELDS),
    (StageChange, STAGE_CHANGE_FIELDS),
    (Activity, ACTIVITY_FIELDS),
    (History, HISTORY_FIELDS),
)

# The counts a demo reports, in the order of TABLES.
COUNTED = (
    "companies",
    "leads",
    "qualifications",
    "opportunities",
    "stage_changes",
    "activities",
    "history",
)


class Rows:
    """The rows made since the last batch was taken, a list per table of TABLES, and
    how many of each were made in all."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(COUNTED, 0)
        self._reset_rows()

    def _reset_rows(self) -> None:
        self.company_rows: list[tuple] = []
        self.lead_rows: list[tuple] = []
        self.qual_rows: list[tuple] = []
        self.opp_rows: list[tuple] = []
        self.stage_rows: list[tuple] = []
        self.activity_rows: list[tuple] = []
        self.history_rows: list[tuple] = []

    def take(self) -> list[list[tuple]]:
        """The rows made since the last take, per table of TABLES, counted."""
        rows = [
            self.company_rows,
            self.lead_rows,
            self.qual_rows,
            self.opp_rows,
            self.stage_rows,
            self.activity_rows,
            self.history_rows,
        ]
        for key, table_rows in zip(COUNTED, rows, strict=True):
            self.counts[key] += len(table_rows)
        self._reset_rows()
        return rows


# COPY's text format: a tab between fields, a newline after each row, \N for NULL, and
# a backslash before any backslash, tab, newline or carriage return inside a value.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(rows: list[tuple], width: int) -> str:
    """The rows in COPY's text format. Values go in as str() gives them (True is read as
    true, a float's repr as the same double), strings as they are: the demo's own words
    hold no character COPY escapes, which the counts below confirm in a few passes over
    the text. Text from elsewhere (the config's stage names, a user's name) that does
    hold one is escaped field by field instead."""
    text = "".join(
        [
            "\t".join([v if v.__class__ is str else "\\N" if v is None else str(v) for v in row])
            + "\n"
            for row in rows
        ]
    )
    nulls = sum(row.count(None) for row in rows)
    if (
        text.count("\\") == nulls
        and text.count("\t") == len(rows) * (width - 1)
        and text.count("\n") == len(rows)
        and "\r" not in text
    ):
        return text
    return "".join(
        [
            "\t".join(
                [
                    v.translate(_COPY_ESCAPES)
                    if v.__class__ is str
                    else "\\N"
                    if v is None
                    else str(v)
                    for v in row
                ]
            )
            + "\n"
            for row in rows
        ]
    )


class Writer:
    """Inserts plain tuples through the DB-API cursor inside the caller's transaction.

    On SQLite a statement carries ROWS_PER_STATEMENT rows (`VALUES (...), (...), ...`):
    a fifth less time than `executemany` of one row at a time, which pays the module's
    per-row bookkeeping (reset, clear, bind, step) for every row. On PostgreSQL the
    rows go in with `COPY ... FROM STDIN` as text, which the server takes in faster than
    INSERT statements and this process makes faster than psycopg2 quotes every value
    into SQL: the 100,000-lead demo took 25 s instead of 42 s, 3 s of it in this
    process's writing instead of 10 s.
    """

    def __init__(self, db: peewee.Database):
        self.db = db
        self.postgres = isinstance(db, peewee.PostgresqlDatabase)
        self.sql: dict[type[peewee.Model], str] = {}
        self.many_sql: dict[type[peewee.Model], str] = {}
        self.width: dict[type[peewee.Model], int] = {}
        for model, fields in TABLES:
            columns = ", ".join(self._quote(model._meta.fields[f].column_name) for f in fields)
            table = self._quote(model._meta.table_name)
            self.width[model] = len(fields)
            if self.postgres:
                self.sql[model] = f"COPY {table} ({columns}) FROM STDIN"
            else:
                row = "(" + ", ".join([db.param] * len(fields)) + ")"
                self.sql[model] = f"INSERT INTO {table} ({columns}) VALUES {row}"
                self.many_sql[model] = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(
                    [row] * ROWS_PER_STATEMENT
                )

    def _quote(self, name: str) -> str:
        return self.db.quote[0] + name + self.db.quote[1]

    def write(self, model: type[peewee.Model], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = self.db.cursor()
        if self.postgres:
            text = _copy_text(rows, self.width[model])
            # Read in one piece: each piece psycopg2 reads takes Python's lock back from
            # the thread making the next batch, which can make it wait 5 ms.
            cursor.copy_expert(self.sql[model], io.StringIO(text), size=len(text) + 1)
            return
        whole = len(rows) - len(rows) % ROWS_PER_STATEMENT
        if whole:
            flat = list(chain.from_iterable(rows[:whole]))
            step = ROWS_PER_STATEMENT * self.width[model]
            sql = self.many_sql[model]
            for at in range(0, len(flat), step):
                cursor.execute(sql, flat[at : at + step])
        if whole < len(rows):
            cursor.executemany(self.sql[model], rows[whole:])

    def max_id(self, model: type[peewee.Model]) -> int:
        table = self._quote(model._meta.table_name)
        row = self.db.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone()
        return row[0] or 0

    def lock(self) -> None:
        """On PostgreSQL, keep other writers from taking ids the demo is about to use.

        (SQLite needs nothing: the transaction is IMMEDIATE, so there is one writer.)
        """
        if self.postgres:
            tables = ", ".join(
                self._quote(m._meta.table_name) for m in (Company, Lead, Opportunity)
            )
            self.db.execute_sql(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")

    def fix_sequences(self) -> None:
        """On PostgreSQL, move the id sequences past the ids the demo assigned."""
        if not self.postgres:
            return
        for model in (Company, Lead, Opportunity):
            table = self._quote(model._meta.table_name)
            self.db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {table} "
                "HAVING MAX(id) IS NOT NULL",
                (table,),
            )


# ---------------------------------------------------------------------- generating


# Steps of a lead's story, in the order they can happen.
TRY, FIRST, ACT, QUAL, NURTURE, UNQUALIFY, PROMOTE, CONVERT, DEAL_ACT, MOVE, CLOSE = range(11)


def write(writer: Writer, rows: list[list[tuple]]) -> None:
    """Write a batch taken from Rows, parents first."""
    for (model, _), table_rows in zip(TABLES, rows, strict=True):
        writer.write(model, table_rows)
