"""Half-typed forms kept on disk, so a dropped SSH session or a killed terminal loses
nothing: the next start offers to restore them. UI-free: a draft is a dict of strings.

Drafts are private: files of mode 0600 in a folder of the user's alone, written through
safe_files (never through a link, never over another user's file) and read only when
they are the user's own regular files."""

from __future__ import annotations

import json
from pathlib import Path

from funnel_tui.config import user_data_dir
from funnel_tui.core.safe_files import private_folder, read_own, replacing

CAPTURE_DRAFT = "capture"  # the quick capture form's draft
PREFS = "prefs"  # not a draft: the user's remembered choices
LABEL = "_label"  # in a draft: what it is, in words, for the offer to restore it

# Forms typed on a record, by the name their drafts take: "log-lead-12", "edit-lead-12",
# "convert-lead-12", "evidence-lead-12-need", "figure-lead-12-icp.employees".
RECORD_FORMS = ("log", "edit", "convert", "evidence", "figure")


def form_key(form: str, entity: str, entity_id: int, part: str = "") -> str:
    """The draft name of `form` typed on a record (`part`: which item, for evidence)."""
    key = f"{form}-{entity}-{entity_id}"
    return f"{key}-{part.replace(':', '.')}" if part else key


def parse_form_key(key: str) -> tuple[str, str, int, str] | None:
    """(form, entity, id, part) of a record form's draft name; None for another."""
    form, _, rest = key.partition("-")
    entity, _, rest = rest.partition("-")
    ident, _, part = rest.partition("-")
    if form not in RECORD_FORMS or entity not in ("lead", "deal") or not ident.isdigit():
        return None
    return form, entity, int(ident), part.replace(".", ":", 1) if part.startswith("icp.") else part


class DraftStore:
    """One JSON file per user and form in the data folder, replaced atomically."""

    def __init__(self, user: str, folder: Path | None = None):
        self.folder = folder or user_data_dir() / "drafts"
        safe_user = "".join(c if c.isalnum() or c in "-_." else "_" for c in user) or "user"
        self.prefix = safe_user

    def _path(self, form: str) -> Path:
        return self.folder / f"{self.prefix}-{form}.json"

    def save(self, form: str, values: dict[str, str]) -> None:
        """Keep `values`; an all-empty form removes the draft instead."""
        if not any(str(v).strip() for v in values.values()):
            self.discard(form)
            return
        private_folder(self.folder)
        # Written beside the target and renamed: a crash mid-write leaves the old draft
        # whole. Raises errors.UnsafeFile (an OSError) for a target it must not replace.
        with replacing(self._path(form), private=True) as handle:
            json.dump(values, handle, ensure_ascii=False)

    def load(self, form: str) -> dict[str, str] | None:
        text = read_own(self._path(form))
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return {str(k): str(v) for k, v in data.items()}

    def discard(self, form: str) -> None:
        self._path(form).unlink(missing_ok=True)

    def forms(self) -> list[str]:
        """The names of this user's drafts of known forms, oldest first."""
        try:
            paths = list(self.folder.glob(f"{self.prefix}-*.json"))
        except OSError:
            return []
        names = []
        for path in sorted(paths, key=_mtime):
            name = path.name[len(self.prefix) + 1 : -len(".json")]
            known = name == CAPTURE_DRAFT or parse_form_key(name) is not None
            if known and self.load(name) is not None:
                names.append(name)
        return names

    # The last lead source used survives restarts: reps enter a stack of cards from one show.
    def last_source(self) -> str:
        prefs = self.load(PREFS) or {}
        return prefs.get("last_source", "")

    def remember_source(self, source: str) -> None:
        self.remember_card(source=source)

    # So does the last country: a stack of cards from one show is one country.
    def last_country(self) -> str:
        prefs = self.load(PREFS) or {}
        return prefs.get("last_country", "")

    def remember_card(self, **values: str) -> None:
        """Keep `source=…` and `country=…` of the card just saved, in one write."""
        prefs = self.load(PREFS) or {}
        prefs.update({f"last_{name}": value for name, value in values.items()})
        self.save(PREFS, prefs)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
