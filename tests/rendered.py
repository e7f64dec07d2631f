"""A Rich renderable (a screen's Table) as the plain text a terminal would show."""

from __future__ import annotations

import io

from rich.console import Console


def rendered(renderable) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()
