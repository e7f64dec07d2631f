"""Help that fits the terminal in every language: argparse wraps help by characters,
and a Chinese character takes two columns of the terminal, so Chinese help wrapped by
argparse runs past the edge. Text with wide characters is wrapped here by terminal
columns instead, breaking between any two Chinese characters but never inside a Latin
word, nor before closing punctuation. Text without wide characters is argparse's own
wrapping, byte for byte.
"""

from __future__ import annotations

import argparse
import functools
import re

from funnel_tui.core.i18n import _
from funnel_tui.core.output import cell_width


@functools.cache
def _tokens() -> re.Pattern[str]:
    """A Latin word with what clings to it, a space, or one wide character (compiled
    when help is wrapped, not at every start: its ranges take 4 ms)."""
    return re.compile(r"[^\s\u2e80-\uffef]+|\s+|[\u2e80-\uffef]")


# Never at the start of a line (closing punctuation), never at its end (opening).
_NO_START = set("，。、；：！？）」』》〉】”’…")
_NO_END = set("（「『《〈【“‘")


def has_wide(text: str) -> bool:
    return cell_width(text) != len(text)


def wrap_cells(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns (a word longer than the
    line stands alone on its own)."""
    tokens = _tokens().findall(text)
    lines: list[str] = []
    line, used = "", 0
    for token in tokens:
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = cell_width(token)
        clings = token in _NO_START and used + size <= width + 2  # a comma stays put
        if used + size <= width or not line.strip() or clings:
            line, used = line + token, used + size
            continue
        carry = ""
        if line[-1] in _NO_END:  # an opening bracket goes down with what it opens
            carry, line = line[-1], line[:-1]
        lines.append(line.rstrip())
        line = carry + token
        used = cell_width(line)
    if line.strip():
        lines.append(line.rstrip())
    return lines


class CellWidthHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, wrapping text with wide characters by terminal columns."""

    def _format_usage(self, usage, actions, groups, prefix):
        # argparse lines the usage up under the prefix by its length in characters:
        # a stand-in as wide in columns is laid out, then the prefix put in its place.
        prefix = _("usage: ") if prefix is None else prefix
        if not has_wide(prefix):
            return super()._format_usage(usage, actions, groups, prefix)
        stand_in = "\x00" * cell_width(prefix)
        laid_out = super()._format_usage(usage, actions, groups, stand_in)
        return laid_out.replace(stand_in, prefix, 1)

    def format_help(self):
        # argparse ends each section's heading with an ASCII colon; Chinese writes "："
        text = super().format_help()
        for heading in (_("positional arguments"), _("options")):
            if has_wide(heading):
                text = text.replace(f"\n{heading}:\n", f"\n{heading}：\n")
        return text

    def _split_lines(self, text, width):
        if not has_wide(text):
            return super()._split_lines(text, width)
        text = self._whitespace_matcher.sub(" ", text).strip()
        return wrap_cells(text, width)

    def _fill_text(self, text, width, indent):
        if not has_wide(text):
            return super()._fill_text(text, width, indent)
        text = self._whitespace_matcher.sub(" ", text).strip()
        return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))


class FunnelParser(argparse.ArgumentParser):
    """An ArgumentParser whose help fits the terminal in every language; its
    subcommands' parsers are of this class too (argparse makes them of the parent's)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", CellWidthHelpFormatter)
        super().__init__(*args, **kwargs)
