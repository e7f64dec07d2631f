"""Reading gettext catalogs (.po files) straight from the repository, with no compile step.

funnel's catalogs are the .po files translators edit (funnel_tui/locales/LANG/LC_MESSAGES);
there is no .mo to forget to rebuild. This parser reads what GNU gettext, Babel and Poedit
write: comments, flags, msgctxt, msgid_plural and msgstr[N], strings split over several
lines, C escapes. It keeps translated entries only (an empty msgstr, a fuzzy entry and an
obsolete `#~` entry fall back to the English source), keyed the way gettext keys them
(context + "\\x04" + msgid), so a lookup is one dict access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CONTEXT_SEPARATOR = "\x04"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+\"(.*)\"\s*$")


@dataclass
class Entry:
    """One message of a catalog as written in the file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one per plural form, else one
    flags: set[str] = field(default_factory=set)
    line: int = 0  # where its msgid is, for messages about it

    @property
    def key(self) -> str:
        if self.msgctxt is None:
            return self.msgid
        return self.msgctxt + CONTEXT_SEPARATOR + self.msgid

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and bool(self.msgstr) and all(self.msgstr)


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_entries(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """(header fields, entries) of the .po file at `path`; obsolete entries left out."""
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, name: str = "<po>") -> tuple[dict[str, str], list[Entry]]:
    entries: list[Entry] = []
    entry = Entry()
    flags: set[str] = set()
    target: str | None = None  # the keyword the last string belongs to
    index = 0

    def finish() -> None:
        nonlocal entry, flags, target
        if target is not None:
            entries.append(entry)
        entry, flags, target = Entry(), set(), None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if target is not None and target.startswith("msgstr"):
                finish()
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue  # comments, references, obsolete (#~) entries
        if line.startswith('"'):
            if target is None or not line.endswith('"') or len(line) < 2:
                raise ValueError(f"{name}:{number}: a string continued where none began")
            _append(entry, target, index, unescape(line[1:-1]))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{name}:{number}: not PO syntax: {line[:60]}")
        keyword, plural_index, value = match.groups()
        if keyword in ("msgctxt", "msgid") and target is not None and target.startswith("msgstr"):
            finish()
        if keyword == "msgid":
            entry.line = number
            entry.flags = flags
        target = "msgstr" if keyword.startswith("msgstr") else keyword
        index = int(plural_index) if plural_index is not None else 0
        if target == "msgstr":
            while len(entry.msgstr) <= index:
                entry.msgstr.append("")
        elif target == "msgid_plural":
            entry.msgid_plural = ""
        elif target == "msgctxt":
            entry.msgctxt = ""
        _append(entry, target, index, unescape(value))
    finish()
    header: dict[str, str] = {}
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None:
        for header_line in entries.pop(0).msgstr[0].splitlines():
            name_part, _colon, value = header_line.partition(":")
            if _colon:
                header[name_part.strip()] = value.strip()
    return header, entries


def _append(entry: Entry, target: str, index: int, text: str) -> None:
    if target == "msgid":
        entry.msgid += text
    elif target == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    elif target == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        entry.msgstr[index] += text
