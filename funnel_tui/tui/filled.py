"""A translated sentence whose placeholders are styled text: `✔ {deal} won.` with the
deal in bold. The template is looked up whole (one message for the translators, the
words in their order); the parts are data, appended as Text, never read as markup."""

from __future__ import annotations

import re

from rich.text import Text

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def filled(template: str, style: str = "", **parts: str | Text) -> Text:
    """`template` with its `{name}` placeholders filled by text or by styled Text."""
    text = Text(style=style)
    for index, piece in enumerate(_PLACEHOLDER.split(template)):
        if index % 2:
            part = parts[piece]
            text.append_text(part if isinstance(part, Text) else Text(part))
        else:
            text.append(piece)
    return text
