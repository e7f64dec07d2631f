"""Where a key of the user's TOML file stands: key path → line, for the messages that
name a line (tomllib gives no positions), and where a syntax error really is."""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from funnel_tui.core.i18n import _

# A key's place in the parsed data: ("icp", 1, "weigth") is the second [[icp]]'s weigth.
KeyPath = tuple[str | int, ...]


def show(value: Any) -> str:
    """A value as a message quotes it: TOML-like, control characters escaped, kept short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        import json

        text = value if len(value) <= 60 else value[:59] + "…"
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        return _("a list")
    return str(value)


def name(path: KeyPath) -> str:
    """A key path as messages write it: `qualification.weights.budget`, `icp[2].kind`
    (arrays counted from 1, as a reader counts the `[[icp]]` blocks)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            shown = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else show(part)
            out += f".{shown}" if out else shown
    return out


def at_line(path: object, line: int | None, message: str) -> str:
    """`FILE, line N: reason`, or `FILE: reason` when no line is known."""
    if line:
        return _("{file}, line {line}: {message}").format(file=path, line=line, message=message)
    return _("{file}: {message}").format(file=path, message=message)


def syntax_error(path: Path, exc: tomllib.TOMLDecodeError, text: str = "") -> str:
    """tomllib's message with its line and column moved to the front, after the file.
    Something never closed (an array, a string, a table header) is put at the line it
    opens on, where tomllib notices it only further down or at the end of the file."""
    message = str(exc)
    found = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    if found is None:
        return _("{file}: {message}").format(file=path, message=message)
    reason = message[: found.start()]
    reason = reason[:1].lower() + reason[1:]
    noticed = (
        _("line {line}, column {column}").format(line=found[1], column=found[2])
        if found[1]
        else _("the end of the file")
    )
    opened = None
    if not found[1] or reason.startswith(("unclosed", "unterminated")):
        opened = _first_unparsed_line(text)
    if opened is not None and (not found[1] or opened < int(found[1])):
        if reason.startswith(("unclosed", "unterminated")):
            return _("{file}, line {line}: {reason} (opened here, still open at {noticed})").format(
                file=path, line=opened, reason=reason, noticed=noticed
            )
        return _("{file}, line {line}: {reason} (the file ends before it is complete)").format(
            file=path, line=opened, reason=reason
        )
    return _("{file}, {where}: {reason}").format(file=path, where=noticed, reason=reason)


def _first_unparsed_line(text: str) -> int | None:
    """The line (from 1) after the longest run of whole lines from the top that parses."""
    lines = text.splitlines(keepends=True)
    for count in range(len(lines) - 1, -1, -1):
        try:
            tomllib.loads("".join(lines[:count]))
        except tomllib.TOMLDecodeError:
            continue
        return count + 1
    return None


def nearest(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


# ------------------------------------------------------------------------- locating
#
# tomllib gives no positions, so the text is scanned once more, only when there are
# problems: each table header, key and array item with the line it starts on. The file
# already parsed, so the scanner need not check anything; it only has to skip strings,
# comments and nested values correctly.


def key_lines(text: str) -> dict[KeyPath, int]:
    """path → line (from 1) of every header, key and array item in a valid TOML text.

    `[[icp]]` repeats: its n-th header is ("icp", n - 1), and the keys below it get that
    path as prefix; ("icp",) is the first header.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_at(pos: int) -> int:
        return bisect.bisect_right(starts, pos)

    lines: dict[KeyPath, int] = {}
    counts: dict[KeyPath, int] = {}  # each array of tables: the index of its last header
    table: KeyPath = ()
    i, n = 0, len(text)
    while True:
        i = _skip_blank(text, i)
        if i >= n:
            return lines
        if text[i] == "[":
            many = text.startswith("[[", i)
            begin = i + 2 if many else i + 1
            end = _find_outside_strings(text, begin, "]")
            parts = _key_parts(text[begin:end])
            table = ()
            for k, part in enumerate(parts):
                table = (*table, part)
                if many and k == len(parts) - 1:
                    counts[table] = counts.get(table, -1) + 1
                    lines.setdefault(table, line_at(i))
                    table = (*table, counts[table])
                elif table in counts:
                    table = (*table, counts[table])
            lines.setdefault(table, line_at(i))
            i = _line_end(text, end)
            continue
        equals = _find_outside_strings(text, i, "=")
        parts = _key_parts(text[i:equals])
        for k in range(len(parts)):
            lines.setdefault((*table, *parts[: k + 1]), line_at(i))
        i = _skip_value(text, equals + 1, (*table, *parts), lines, line_at)


def _skip_blank(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
        elif text[i] == "#":
            i = _line_end(text, i)
        else:
            break
    return i


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _find_outside_strings(text: str, i: int, char: str) -> int:
    n = len(text)
    while i < n and text[i] != char:
        i = _skip_string(text, i) if text[i] in "\"'" else i + 1
    return i


def _skip_string(text: str, i: int) -> int:
    """The index just past the string starting at `i` (any of TOML's four kinds)."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            k = text.find(quote * 3, j)
            if k < 0:
                return n
            backslashes = 0
            while quote == '"' and text[k - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2:
                j = k + 1
                continue
            while text.startswith(quote, k + 3):  # up to two quotes may end the content
                k += 1
            return k + 3
    j = i + 1
    while j < n and text[j] != quote and text[j] != "\n":
        j += 2 if text[j] == "\\" and quote == '"' else 1
    return j + 1


def _skip_value(
    text: str, i: int, path: KeyPath, lines: dict[KeyPath, int], line_at: Callable[[int], int]
) -> int:
    """Skip the value starting at `i`, noting where each item of an array starts."""
    arrays: list[list] = []  # open arrays: [path, index of the current item]
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\n" and not arrays:
            return i + 1
        if char in " \t\r\n":
            i += 1
            continue
        if char == "#":
            i = _line_end(text, i)
            continue
        if arrays and char == "]":
            arrays.pop()
            i += 1
            continue
        if arrays and char == ",":
            arrays[-1][1] += 1
            i += 1
            continue
        here = (*arrays[-1][0], arrays[-1][1]) if arrays else path
        lines.setdefault(here, line_at(i))
        if char == "[":
            arrays.append([here, 0])
            i += 1
        elif char == "{":
            i = _skip_inline_table(text, i)
        elif char in "\"'":
            i = _skip_string(text, i)
        else:
            i += 1
    return i


def _skip_inline_table(text: str, i: int) -> int:
    depth, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char == "#":
            i = _line_end(text, i)
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _key_parts(key: str) -> KeyPath:
    """The parts of a (possibly dotted, possibly quoted) key, as tomllib reads them."""
    try:
        data: Any = tomllib.loads(f"{key.strip()} = 0")
    except tomllib.TOMLDecodeError:
        return (key.strip(),)
    parts: list[str] = []
    while isinstance(data, dict) and len(data) == 1:
        ((name, data),) = data.items()
        parts.append(name)
    return tuple(parts)
