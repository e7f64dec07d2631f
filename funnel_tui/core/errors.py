"""Every failure funnel foresees, in one hierarchy: `FunnelError` and its kinds.

Each says itself in lines worded for the person reading them (`user_lines`) and knows
the command line's exit code, so the CLI handles them all with one `except` and a screen
shows a refusal the same way whichever layer raised it. A failure that is not a
FunnelError is a bug. Kinds that callers caught as `ValueError` or `OSError` before this
hierarchy existed keep that base too, so no such `except` changed its meaning.

    FunnelError
    ├── ValidationError          input refused; `problems` each name their field (and row)
    │   ├── Refused              a write of the rules refused; nothing was written
    │   │   ├── NotFound, DuplicateFound, StaleEdit
    │   │   └── ReadOnlyDatabase  the database cannot be written by this user
    │   └── FilterRefused        a list filter naming a status or stage that does not exist
    ├── ConfigError              the config file: each problem with its file and line (exit 2)
    ├── DatabaseError            cannot open or use the database
    │   ├── SchemaTooNew, Busy, DiskFull
    │   ├── NoDatabase           no database where one was asked for; nothing was created
    │   └── EmptyDatabase        a database file with nothing in it; nothing was written
    ├── AmountError, DueDateError, ReportError   (also ValueError)
    │   └── NoDueDate            (a DueDateError) words with no due date in them
    ├── FileRefused, MappingRefused              a file to import, a column mapping
    ├── ScratchFull              no room for an import's scratch files
    ├── UnsafeFile               funnel will not write there (also OSError)
    ├── CalendarFileError        the calendar file cannot be written
    └── CliRefused               refused with messages already worded by the CLI
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from funnel_tui.core.i18n import _

EXIT_REFUSED = 1  # the command line's exit code for a refusal; cli.common re-uses both
EXIT_USAGE = 2


class FunnelError(Exception):
    """A failure funnel foresees; its message is worded for the user."""

    exit_code = EXIT_REFUSED

    def user_lines(self) -> list[str]:
        """What to tell the user, one line each."""
        return [str(self)]


@dataclass(frozen=True)
class Problem:
    """Why a value was refused, naming the field (and the row, for files)."""

    field: str
    code: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        # The field and row in the reader's language; the keys stay as_dict's.
        from funnel_tui.core.labels import field_label, row_label

        said = _("{field}: {message}").format(field=field_label(self.field), message=self.message)
        if self.row is None:
            return said
        return _("{field}: {message}").format(field=row_label(self.row), message=said)

    def as_dict(self) -> dict[str, Any]:
        data = {"field": self.field, "code": self.code, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data


class ValidationError(FunnelError):
    """Input refused; `problems` lists every reason, each naming its field."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def user_lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class Refused(ValidationError):
    """An operation refused; nothing was written. `problems` name the fields."""


def _no_such(entity: str, ident: object) -> str:
    # Whole sentences per kind of record: the noun's case differs ("kein Lead", "nie ma
    # leada", "brak szansy").
    sentences = {
        "lead": _("no lead #{id}"),
        "opportunity": _("no deal #{id}"),
        "company": _("no company #{id}"),
    }
    return sentences.get(entity, _("no {entity} #{id}")).format(entity=entity, id=ident)


def _changed_meanwhile(entity: str, ident: object, who: str, what: str) -> str:
    sentences = {
        "lead": _("lead #{id} was changed by {who} meanwhile{fields}; nothing was saved"),
        "opportunity": _("deal #{id} was changed by {who} meanwhile{fields}; nothing was saved"),
        "company": _("company #{id} was changed by {who} meanwhile{fields}; nothing was saved"),
    }
    sentence = sentences.get(
        entity, _("{entity} #{id} was changed by {who} meanwhile{fields}; nothing was saved")
    )
    return sentence.format(entity=entity, id=ident, who=who, fields=what)


class NotFound(Refused):
    def __init__(self, entity: str, ident: object):
        super().__init__([Problem("id", "not_found", _no_such(entity, ident))])


class DuplicateFound(Refused):
    """Capture found leads with the same email, phone or name at the same company."""

    def __init__(
        self, problems: list[Problem], matches: Sequence[Any], found: list[tuple[int, str, str]]
    ):
        super().__init__(problems)
        self.matches = matches  # the Lead rows found
        self.found = found  # (lead id, name, the field that matched), best first


def _plain_field(name: str) -> str:
    return name.replace("_", " ")


class StaleEdit(Refused):
    """The record changed since the caller read it, in a field this write changes too;
    nothing was saved over it. `changes` are everything done to the record since the
    caller's version (user, at, field, old, new: newest last); `fields` are the ones
    this write and those changes both touch, named in the message by `field_word`."""

    def __init__(
        self,
        entity: str,
        ident: int,
        changes: list[dict[str, Any]],
        fields: Iterable[str] = (),
        field_word: Callable[[str], str] = _plain_field,
    ):
        self.fields = tuple(dict.fromkeys(fields))
        clashing = [c for c in changes if c["field"] in self.fields] or changes
        who = ", ".join(sorted({c["user"] for c in clashing})) or _("someone else")
        what = f" ({', '.join(field_word(f) for f in self.fields)})" if self.fields else ""
        super().__init__(
            [Problem("version", "stale", _changed_meanwhile(entity, ident, who, what))]
        )
        self.changes = changes


class ReadOnlyDatabase(Refused):
    """A write refused before it started: this user cannot write the database (the
    file, its folder or its file system is read-only for them). `why` says which and
    what would change it; `reason` is the whole sentence, without a field's name, for a
    screen's message line."""

    def __init__(self, why: str):
        self.why = why
        self.reason = _("the database is read-only for you: {why}; nothing was saved").format(
            why=why
        )
        super().__init__([Problem("database", "read_only", self.reason)])


class FilterRefused(ValidationError):
    """A filter names a status or stage that does not exist."""


class ConfigError(FunnelError):
    """The config file is unreadable or holds values funnel cannot use.

    `lines` holds one line per problem, each naming the file and, where the problem has
    one, the line: `/home/ana/.config/funnel/funnel.toml, line 12: qualification.weights.
    budget must be a whole number, not "lots"`.
    """

    exit_code = EXIT_USAGE  # the file, not the data, is wrong

    def __init__(self, *lines: str):
        self.lines = lines
        super().__init__("\n".join(lines))

    def user_lines(self) -> list[str]:
        return list(self.lines)


class DatabaseError(FunnelError):
    """The database cannot be opened or used; the message says why in plain words."""

    def user_lines(self) -> list[str]:
        return [_("database: {reason}").format(reason=self)]


class SchemaTooNew(DatabaseError):
    """The database was written by a newer funnel; it is left untouched."""


class DiskFull(DatabaseError):
    """The disk holding the database is full (core.full_disk): nothing was written; the
    message names the disk and says to free some space."""


class NoDatabase(DatabaseError):
    """There is no database file at `path`, and the caller did not ask for a new one
    (storage.before_opening): nothing was created, not even its folder."""

    def __init__(self, message: str, path: Any):
        super().__init__(message)
        self.path = path


class EmptyDatabase(DatabaseError):
    """The file at `path` holds no database: 0 bytes (a database cut short, most likely)
    or SQLite with no tables. Nothing was written to it; only a caller asking for a new
    database makes one there."""

    def __init__(self, message: str, path: Any):
        super().__init__(message)
        self.path = path


class Busy(DatabaseError):
    """Another instance held the database past the busy timeout; nothing was written."""

    def __init__(self, detail: str = "", waited_ms: int = 5000) -> None:
        super().__init__(
            _(
                "the database stayed busy for {seconds} s (another funnel or another "
                "program is writing to it); nothing was saved"
            ).format(seconds=_seconds(waited_ms))
        )
        self.detail = detail
        self.waited_ms = waited_ms


def _seconds(ms: int) -> str:
    """5000 → "5", 300 → "0.3": a busy timeout said in seconds."""
    return f"{ms / 1000:g}"


class ScratchFull(FunnelError):
    """The disk of the temporary folder an import keeps its scratch files in is full;
    the message names the folder and the ways round (free some space, or TMPDIR)."""

    def __init__(self, folder: object):
        super().__init__(
            _(
                "the temporary folder {folder} is full: an import keeps its scratch files "
                "there while it runs; free some space there, or point TMPDIR at a folder "
                "with room, and import again"
            ).format(folder=folder)
        )


class AmountError(FunnelError, ValueError):
    """An amount or currency refused: `code` (invalid, ambiguous, decimals, negative,
    too_large, currency) and a message for the rep, without the field's name."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class DueDateError(FunnelError, ValueError):
    """Text that is not a due date; the message says what would be."""


class ReportError(FunnelError, ValueError):
    """A report cannot be made as asked (an unknown name, a split it has not, a period
    that ends before it starts); the message says why."""


class FileRefused(FunnelError):
    """The whole file cannot be imported; the message says why, worded for the user."""


class MappingRefused(FunnelError):
    """A --map that names no column or no field; the message says which."""


class UnsafeFile(FunnelError, OSError):
    """funnel will not write there; the text names the file and says why."""


class NoDueDate(DueDateError):
    """A next action's words hold no due date at all (core.times.split_when): a form
    asks for one rather than saying a date is wrong."""


class CalendarFileError(FunnelError):
    """The calendar file (`calendar_file`, `funnel calendar -o`) cannot be written; the
    message names the setting or option, the file and why. Nothing was changed there."""


class BackupError(FunnelError):
    """A backup or a restore refused or failed (storage.backups); the message says what
    happened and what to do."""


class CliRefused(FunnelError):
    """Refused with messages already worded for the user."""

    def __init__(self, *messages: str):
        self.messages = messages
        super().__init__("; ".join(messages))

    def user_lines(self) -> list[str]:
        return list(self.messages)
