"""Keeping the catalogs whole: extract the messages from the source, update each
language's .po files, fill in translations, and check them (the test suite runs `check`).

    python -m funnel_tui.core.catalog_tool update [--file NAME --paths DIR...]
    python -m funnel_tui.core.catalog_tool todo LANG [--paths DIR...]
    python -m funnel_tui.core.catalog_tool fill LANG TRANSLATIONS.json
    python -m funnel_tui.core.catalog_tool check

`update` without --file writes every message into LANG/LC_MESSAGES/funnel.po, keeping
the translations of every .po file of the language, and removes the other files (they
were the parts people translated side by side). With --file it writes only the messages
of --paths that no other file of the language holds into NAME.po.

Extraction is Babel's, with gettext's keywords and Textual's `Binding(key, action,
description)`, whose description the key bar, the help and the palette translate.
A development tool: nothing at run time imports it (babel.messages is slow to import).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from funnel_tui.core.i18n import ENGLISH, LANGUAGE_NAMES, LANGUAGES, LOCALES_DIR, catalog_files
from funnel_tui.core.po_files import CONTEXT_SEPARATOR, Entry, read_entries

PACKAGE = LOCALES_DIR.parent
ROOT = PACKAGE.parent
MAIN_FILE = "funnel"
KEYWORDS = {
    "_": None,
    "N_": None,
    "N_plural": (1, 2),
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "Binding": (3,),
}
# Babel names the locale of a catalog for its plural rule: zh_TW → zh_Hant_TW.
BABEL_LOCALES = {"zh_TW": "zh_Hant_TW", "zh_CN": "zh_Hans_CN", "de": "de", "pl": "pl"}
TEAM = "funnel translators"
_FIXED_DATE = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)  # no churn in the headers
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    context: str | None = None
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.msgid if self.context is None else self.context + CONTEXT_SEPARATOR + self.msgid


def translated_languages() -> tuple[str, ...]:
    return tuple(language for language in LANGUAGES if language != ENGLISH)


def extract(paths: list[Path] | None = None) -> dict[str, Message]:
    """Every message of the source under `paths` (default: the whole package), in the
    order first met, with where each is used."""
    from babel.messages.extract import extract_from_file

    found: dict[str, Message] = {}
    for path in _python_files(paths):
        relative = path.relative_to(ROOT).as_posix()
        for _line, text, _comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            if isinstance(text, tuple):
                msgid, plural = text[0], text[1]
            else:
                msgid, plural = text, None
            if not msgid:
                continue
            message = Message(msgid, plural, context)
            message = found.setdefault(message.key, message)
            if relative not in message.locations:
                message.locations.append(relative)
    return found


def _python_files(paths: list[Path] | None) -> list[Path]:
    files: list[Path] = []
    for path in paths or [PACKAGE]:
        path = path.resolve()
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [f for f in files if "__pycache__" not in f.parts]


# ------------------------------------------------------------------ reading what is there


def entries_of(language: str) -> dict[Path, list[Entry]]:
    return {path: read_entries(path)[1] for path in catalog_files(language)}


def memory(language: str) -> dict[str, Entry]:
    """Every translated entry of `language`, whichever file holds it."""
    known: dict[str, Entry] = {}
    for entries in entries_of(language).values():
        for entry in entries:
            if entry.translated or entry.key not in known:
                known[entry.key] = entry
    return known


# ------------------------------------------------------------------ writing


def write_catalog(path: Path, language: str, messages: list[Message], known: dict[str, Entry]):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(
        locale=BABEL_LOCALES[language],
        project="funnel",
        version="0.1",
        msgid_bugs_address="",
        creation_date=_FIXED_DATE,
        revision_date=_FIXED_DATE,
        last_translator=TEAM,
        language_team=TEAM,
        fuzzy=False,
        header_comment=(
            f"# funnel's messages in {LANGUAGE_NAMES[language]} ({language}).\n"
            "# Written by people, for the reps who read them: keep to the glossary in\n"
            "# docs/glossary.md. Update with `python -m funnel_tui.core.catalog_tool update`."
        ),
    )
    for message in messages:
        entry = known.get(message.key)
        forms = catalog.num_plurals if message.plural is not None else 1
        strings = list(entry.msgstr) if entry else []
        if message.plural is None:
            string: str | tuple[str, ...] = strings[0] if strings else ""
            msgid: str | tuple[str, str] = message.msgid
        else:
            strings = (strings + [""] * forms)[:forms]
            string = tuple(strings)
            msgid = (message.msgid, message.plural)
        flags = ["python-brace-format"] if _PLACEHOLDER.search(message.msgid) else []
        if entry is not None and "fuzzy" in entry.flags:
            flags.append("fuzzy")
        catalog.add(
            msgid,
            string,
            locations=[(where, None) for where in message.locations],
            context=message.context,
            flags=flags,
        )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=88, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update(file: str = MAIN_FILE, paths: list[Path] | None = None) -> None:
    messages = extract()
    for language in translated_languages():
        known = memory(language)
        target = LOCALES_DIR / language / "LC_MESSAGES" / f"{file}.po"
        if paths is None:
            write_catalog(target, language, list(messages.values()), known)
            for other in catalog_files(language):
                if other != target:
                    other.unlink()
            continue
        elsewhere = {
            entry.key
            for path, entries in entries_of(language).items()
            if path != target
            for entry in entries
        }
        mine = [m for key, m in extract(paths).items() if key not in elsewhere]
        write_catalog(target, language, [messages[m.key] for m in mine], known)


def fill(language: str, translations: dict[str, str | list[str]]) -> list[str]:
    """Set translations (msgid, or context + "\\x04" + msgid → text, or the plural forms)
    in whichever file of `language` holds each; the keys no file holds."""
    messages = extract()
    left = dict(translations)
    for path, entries in entries_of(language).items():
        known = {entry.key: entry for entry in entries}
        if not left.keys() & known.keys():
            continue
        for key in list(left):
            if key in known:
                value = left.pop(key)
                known[key].msgstr = [value] if isinstance(value, str) else list(value)
                known[key].flags.discard("fuzzy")
        order = [messages[e.key] for e in entries if e.key in messages]
        write_catalog(path, language, order, known)
    return sorted(left)


# ------------------------------------------------------------------ checking


def check(messages: dict[str, Message] | None = None) -> list[str]:
    """Every way the catalogs fall short of the source, one line each ([] when whole)."""
    messages = extract() if messages is None else messages
    problems: list[str] = hidden_messages()
    for message in messages.values():
        problems.extend(_source_problems(message))
    for language in translated_languages():
        seen: dict[str, tuple[Path, Entry]] = {}
        files = entries_of(language)
        if not files:
            problems.append(f"{language}: no catalog in {LOCALES_DIR / language / 'LC_MESSAGES'}")
        for path, entries in files.items():
            name = f"{language}/{path.name}"
            for entry in entries:
                where = f"{name}:{entry.line}"
                if entry.key in seen and seen[entry.key][1].msgstr != entry.msgstr:
                    other = seen[entry.key][0].name
                    problems.append(f"{where}: {entry.msgid!r} translated otherwise in {other}")
                seen.setdefault(entry.key, (path, entry))
                message = messages.get(entry.key)
                if message is None:
                    problems.append(f"{where}: stale, not in the source: {entry.msgid!r}")
                    continue
                problems.extend(f"{where}: {p}" for p in _entry_problems(message, entry))
        for key, message in messages.items():
            if key not in seen:
                problems.append(f"{language}: missing {message.msgid!r} ({message.locations[0]})")
    return problems


def hidden_messages(paths: list[Path] | None = None) -> list[str]:
    """Messages the extractor cannot see: a `_("…")` inside an f-string's braces is
    translated at run time but never reaches the catalog, so it reads in English."""
    import ast

    problems = []
    for path in _python_files(paths):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in KEYWORDS
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                ):
                    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    where = f"{shown}:{call.lineno}"
                    problems.append(
                        f"{where}: {call.func.id}({call.args[0].value!r}) inside an f-string, "
                        "which the extractor does not see: make the message outside it"
                    )
    return problems


def _source_problems(message: Message) -> list[str]:
    """A message whose placeholders cannot be filled by name."""
    texts = [message.msgid] + ([message.plural] if message.plural else [])
    for text in texts:
        for name in _PLACEHOLDER.findall(text):
            if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:[:!][^{}]*)?", name):
                where = message.locations[0]
                return [f"{where}: {text!r}: placeholders are named, like {{count}}"]
    return []


def _entry_problems(message: Message, entry: Entry) -> list[str]:
    problems = []
    if not entry.translated:
        fuzzy = " (fuzzy)" if "fuzzy" in entry.flags else ""
        problems.append(f"untranslated{fuzzy}: {entry.msgid!r}")
        return problems
    if (message.plural is None) != (entry.msgid_plural is None):
        problems.append(f"{entry.msgid!r}: plural in the source and not here, or the reverse")
    wanted = _placeholders(message.msgid) | _placeholders(message.plural or "")
    for form in entry.msgstr:
        names = _placeholders(form)
        # A plural form may leave the count out ("一筆" for one); nothing else differs.
        if names != wanted and not (message.plural and names == wanted - {"count"}):
            problems.append(
                f"{entry.msgid!r}: placeholders {sorted(names)} in {form!r}, "
                f"the source has {sorted(wanted)}"
            )
    return problems


def _placeholders(text: str) -> set[str]:
    return {re.split(r"[:!]", name, maxsplit=1)[0] for name in _PLACEHOLDER.findall(text)}


def unliteral_calls(path: Path) -> list[str]:
    """Calls to a lookup with a string built on the spot (an f-string, a concatenation,
    a `.format()` inside the call): the extractor cannot see it, and no catalog could hold
    it. A name is allowed: that is the N_ pattern, a string marked where it is defined."""
    tree = ast.parse(path.read_text("utf-8"))
    counts = {"_": 1, "N_": 1, "N_plural": 2, "ngettext": 2, "pgettext": 2, "npgettext": 3}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            wanted = counts.get(node.func.id)
            if wanted is None:
                continue
            for arg in node.args[:wanted]:
                if isinstance(arg, ast.JoinedStr | ast.BinOp | ast.Call | ast.IfExp):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    problems.append(f"{where}: {node.func.id}() of a string built on the spot")
    return problems


def shadowed_underscore(path: Path) -> list[str]:
    """A module that imports `_` and also names a variable `_` (`for _ in`, `a, _ =`):
    inside that function `_("...")` would call the variable."""
    tree = ast.parse(path.read_text("utf-8"))
    imports = any(
        isinstance(node, ast.ImportFrom) and any(alias.name == "_" for alias in node.names)
        for node in ast.walk(tree)
    )
    if not imports:
        return []
    problems = []
    for node in ast.walk(tree):
        bound = (
            (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == "_")
            or (isinstance(node, ast.arg) and node.arg == "_")
            or (isinstance(node, ast.ExceptHandler) and node.name == "_")
        )
        if bound:
            problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: `_` used as a variable")
    return problems


# ------------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m funnel_tui.core.catalog_tool")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("update", help="bring the .po files in line with the source")
    up.add_argument("--file", default=MAIN_FILE, help="the catalog file to write (NAME.po)")
    up.add_argument("--paths", nargs="+", type=Path, help="only the messages of these sources")
    todo = commands.add_parser("todo", help="untranslated messages as JSON, to fill in")
    todo.add_argument("language", choices=translated_languages())
    todo.add_argument("--paths", nargs="+", type=Path)
    fill_cmd = commands.add_parser("fill", help="set translations from a JSON object")
    fill_cmd.add_argument("language", choices=translated_languages())
    fill_cmd.add_argument("json", type=Path)
    commands.add_parser("check", help="list every problem; exit 1 when there is one")
    args = parser.parse_args(argv)
    if args.command == "update":
        update(args.file, args.paths)
    elif args.command == "todo":
        wanted = extract(args.paths) if args.paths else extract()
        known = memory(args.language)
        left = {}
        for key, message in wanted.items():
            entry = known.get(key)
            if entry is None or not entry.translated:
                left[key] = [message.msgid, message.plural] if message.plural else ""
        json.dump(left, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.command == "fill":
        unknown = fill(args.language, json.loads(args.json.read_text("utf-8")))
        for key in unknown:
            print(f"not in any catalog (run update first): {key!r}", file=sys.stderr)
        return 1 if unknown else 0
    else:
        problems = check()
        for package in _python_files(None):
            problems.extend(unliteral_calls(package) + shadowed_underscore(package))
        print("\n".join(problems) or "catalogs whole")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
