"""Half-typed forms kept on disk, so a dropped SSH session or a killed terminal loses
nothing: the next start offers to restore them. UI-free: a draft is a dict of strings."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .config import user_data_dir

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
        self.folder.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a crash mid-write leaves the old draft whole.
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".draft-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(values, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(form))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, form: str) -> dict[str, str] | None:
        try:
            data = json.loads(self._path(form).read_text("utf-8"))
        except (OSError, ValueError):
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
