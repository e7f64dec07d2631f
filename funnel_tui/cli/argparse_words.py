"""argparse's own words ("usage:", "options", "the following arguments are required")
in the rep's language: argparse looks them up through the `_` and `ngettext` it imported
from gettext, so ours take their place before the parser is built (its help option and
its group titles are worded when a parser is made).

The messages are argparse's own msgids, listed here for the catalog exactly as
Python 3.11's argparse writes them; their %-style placeholders (%(prog)s, %s, %r) are
argparse's and stay as they are in every translation. A msgid argparse changes in a
later Python simply reads in English until it is listed again. Only what a person meets
at the command line is listed: argparse's complaints about a parser built wrong are for
funnel's developers.
"""

from __future__ import annotations

import argparse

from funnel_tui.core.i18n import N_, _, ngettext

ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def _plural_words(count: int) -> str:
    """Never called: argparse's one plural message, where the catalog tool finds it."""
    return ngettext("expected %s argument", "expected %s arguments", count)


def speak_argparse() -> None:
    """argparse looks its words up in funnel's catalog from now on (in English, as
    before: an untranslated msgid is itself)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
