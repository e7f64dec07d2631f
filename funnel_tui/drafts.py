"""Half-typed forms kept on disk, so a dropped SSH session or a killed terminal loses
nothing: the next start offers to restore them. UI-free: a draft is a dict of strings.

Drafts are private: files of mode 0600 in a folder of the user's alone, written through
safe_files (never through a link, never over another user's file) and read only when
they are the user's own regular files."""

from __future__ import annotations

import json
from pathlib import Path

from .config import user_data_dir
from .safe_files import private_folder, read_own, replacing

CAPTURE_DRAFT = "capture"  # the quick capture form's draft


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
        # whole. Raises safe_files.UnsafeFile (an OSError) for a target it must not replace.
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

    # The last lead source used survives restarts: reps enter a stack of cards from one show.
    def last_source(self) -> str:
        prefs = self.load("prefs") or {}
        return prefs.get("last_source", "")

    def remember_source(self, source: str) -> None:
        prefs = self.load("prefs") or {}
        prefs["last_source"] = source
        self.save("prefs", prefs)
